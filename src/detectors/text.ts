/**
 * Small, linear-time text helpers shared by the detectors: placeholders, entropy and base64.
 * Nothing here ever returns or logs a slice of the value it looks at.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';

/**
 * Longest value the detectors read (1 MiB, the size of a whole Kubernetes object in etcd): every real value
 * fits, and every detector is linear. A longer value is scanned on its first MAX_SCAN characters and its hits
 * say `not fully scanned`, never nothing.
 */
export const MAX_SCAN = 1024 * 1024;

const PLACEHOLDER_WORDS = new Set([
  'changeme', 'change-me', 'change_me', 'changeit', 'replaceme', 'replace-me', 'replace_me', 'todo', 'tbd', 'fixme',
  'placeholder', 'redacted', 'dummy', 'none', 'null', 'nil', 'undefined', 'secret',
  'token', 'apikey', 'api-key', 'api_key', 'mypassword', 'yourpassword', 'your-password', 'your_password', 'xxx',
  'true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'required', 'optional', 'n/a', 'na', '-', 'tba',
]);

// Whole-value template and reference forms. Each is anchored and has no nested quantifier.
const TEMPLATE_FORMS: readonly RegExp[] = [
  /^<[^<>\n]{0,200}>$/, // <spoke-cluster-sa-token>, <base64-key>
  /^\$\{[^{}\n]{1,200}\}$/, // ${DB_PASSWORD}, ${env:X}
  /^\$[A-Za-z_][A-Za-z0-9_.:-]{0,200}$/, // $DB_PASSWORD, Argo CD's $dex.github.clientSecret
  /^\$\([A-Za-z_][A-Za-z0-9_]{0,200}\)$/, // $(VAR) Kubernetes env expansion
  /^%\([A-Za-z_][A-Za-z0-9_]{0,200}\)s$/, // %(name)s
  /^#\{[^{}\n]{1,200}\}$/, // #{var}
  /^\(\([^()\n]{1,200}\)\)$/, // ((concourse))
  /^__[A-Za-z0-9_]{1,200}__$/, // __TOKEN__
  /^@[A-Za-z0-9_]{1,200}@$/, // @TOKEN@
  /^<path:[^\n]{1,500}>$/, // argocd-vault-plugin
  /^(?:ref\+|vault:|awssm:|gcpsm:|azkv:|op:\/\/|sops:)\S{1,500}$/, // secret references, not secrets
  /^arn:aws:(?:secretsmanager|ssm|kms):\S{1,500}$/,
  /^projects\/[^/\s]{1,100}\/secrets\/\S{1,300}$/,
];

/**
 * A name standing for the value, in capitals: `GOOGLE_API_KEY_VAL`, `nvapi-NVKEY`, `YOUR_TOKEN_HERE`. Needs a
 * separator (a lowercase vendor prefix or an underscore) so a capitals-only password such as MONKEY is not one.
 */
const NAMED_PLACEHOLDER = /^(?:[a-z]{2,12}-[A-Z][A-Z0-9_]{0,60}|[A-Z][A-Z0-9]{0,30}_[A-Z0-9_]{0,60})(?:KEY|TOKEN|SECRET|PASSWORD|PASS|PWD|VAL|VALUE|HERE)$/;
/** An `<angle bracket phrase>` inside a short value: `Bearer <your token>`, `user:<password>`. */
const ANGLE_PLACEHOLDER = /<[A-Za-z][A-Za-z0-9 _.:/-]{0,60}>/;

/**
 * Keys published on purpose, by SHA-256 so this file holds none of them: AWS's documentation key pairs
 * (AKIAIOSFODNN7EXAMPLE and AKIAI44QH8DHBEXAMPLE with their secret keys) and the Azurite / Azure Storage
 * Emulator account key, the same on every machine.
 */
const PUBLISHED_KEYS = new Set([
  '1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3',
  '78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598',
  'c6ea27c534f993d31f0aef882e3d200e7b87470c379ae79c8f9b19d3bd363dc9',
  'e21b597ba6b9cafa59d9ebc4d65c0385f5eb3fa56abab2607fa76589ad849a33',
  '0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059',
]);
const PUBLISHED_LENGTHS = new Set([20, 40, 88]);

/** A key its vendor published for documentation or for a local emulator: not a credential. */
export function isPublishedKey(value: string): boolean {
  return PUBLISHED_LENGTHS.has(value.length) && PUBLISHED_KEYS.has(createHash('sha256').update(value).digest('hex'));
}

/**
 * True when the value is obviously not a real secret: empty, a template expression, a variable
 * reference, a documentation word, a run of one repeated character, or a truncated example.
 */
export function isPlaceholder(raw: string): boolean {
  let value = raw.trim();
  if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value[0] ?? '')) {
    value = value.slice(1, -1).trim();
  }
  if (value === '') return true;
  if (value.length > 4096) return false;
  if (isPublishedKey(value)) return true;
  const lower = value.toLowerCase();
  if (PLACEHOLDER_WORDS.has(lower)) return true;
  if (value.includes('{{') && value.includes('}}')) return true; // Helm / Go templates
  if (value.includes('...') || value.includes('…')) return true; // truncated examples such as AgBxJ7tT...
  for (const form of TEMPLATE_FORMS) if (form.test(value)) return true;
  // "example" alone proves nothing (`example123` is a password); published documentation keys are listed in known.ts.
  if (/placeholder|changeme|change_me|replace_?me|dummy|redacted|your[-_]?(?:pass|secret|token|key|api)/i.test(lower)) return true;
  if (value.length <= 100 && NAMED_PLACEHOLDER.test(value)) return true;
  if (value.length <= 200 && !value.includes('</') && ANGLE_PLACEHOLDER.test(value)) return true;
  // One repeated character, ignoring separators: xxxxxxxx, ********, 0000-0000, xxxx_xxxx.
  const alnum = lower.replace(/[^a-z0-9*#]/g, '');
  if (alnum.length > 0 && alnum.length <= 4096) {
    const first = alnum[0] ?? '';
    let same = true;
    for (let i = 1; i < alnum.length; i++) if (alnum[i] !== first) { same = false; break; }
    if (same) return true;
  }
  if (/^x{3,}/i.test(value) || /x{6,}$/i.test(value)) return true;
  return false;
}

/**
 * The canonical placeholders a Secret in git may hold when its real values come from elsewhere: `<…>`, `${VAR}`,
 * `{{ … }}`, CHANGEME, change-me, REPLACE_ME, a run of x, `...`. Narrower than isPlaceholder on purpose: a
 * Secret's values are secret because their author put them in a Secret, so only these forms lower the deny.
 */
export function isCanonicalPlaceholder(raw: string): boolean {
  let value = raw.trim();
  if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value[0] ?? '')) value = value.slice(1, -1).trim();
  if (value === '' || value.length > 300) return false;
  if (CANONICAL_WORDS.has(value.toLowerCase())) return true;
  return CANONICAL_FORMS.some((form) => form.test(value));
}

const CANONICAL_WORDS = new Set(['changeme', 'change-me', 'change_me', 'replaceme', 'replace-me', 'replace_me', '...', '…']);
const CANONICAL_FORMS: readonly RegExp[] = [
  /^<[^<>\n]{1,200}>$/,
  /^\$\{[A-Za-z_][A-Za-z0-9_.:-]{0,200}\}$/,
  /^\{\{[^{}\n]{1,250}\}\}$/,
  /^x{3,}$/i,
  /^\.{3,}$/,
];

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const STD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_BASE64 = /^[A-Za-z0-9_-]*={0,2}$/;
const NOT_BASE64_CHAR = /[^A-Za-z0-9+/_=\r\n-]/;

export type DecodedBase64 = { kind: 'text'; text: string } | { kind: 'binary'; bytes: number } | { kind: 'invalid' };

/**
 * Decode a Secret `data` value (standard, padded base64, line breaks tolerated).
 * Invalid base64 is reported as such, never thrown.
 */
export function decodeSecretValue(value: string): DecodedBase64 {
  const compact = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  if (compact.length % 4 !== 0) return { kind: 'invalid' };
  const bytes = Buffer.from(compact, 'base64');
  if (!isCanonicalBase64(compact, bytes) && !STD_BASE64.test(compact)) return { kind: 'invalid' };
  return bytesToText(bytes);
}

/**
 * `decodeSecretValue(value)` with a text answer cut to its first `maxChars` characters, for callers that
 * only look that far (the detectors scan MAX_SCAN characters). Same kinds and byte counts; for an ASCII
 * value longer than `maxChars` the rest is checked on the bytes and never turned into a string (ASCII is
 * valid UTF-8 with one character per byte, so NUL and control characters count the same).
 */
export function decodeSecretValuePrefix(value: string, maxChars: number): DecodedBase64 {
  const compact = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  if (compact.length % 4 !== 0) return { kind: 'invalid' };
  const bytes = Buffer.from(compact, 'base64');
  if (!isCanonicalBase64(compact, bytes) && !STD_BASE64.test(compact)) return { kind: 'invalid' };
  if (bytes.length > maxChars && isAscii(bytes)) {
    if (bytes.includes(0) || controlBytes(bytes) > bytes.length / 20) return { kind: 'binary', bytes: bytes.length };
    return { kind: 'text', text: bytes.toString('latin1', 0, maxChars) };
  }
  const decoded = bytesToText(bytes);
  return decoded.kind === 'text' && decoded.text.length > maxChars ? { kind: 'text', text: decoded.text.slice(0, maxChars) } : decoded;
}

/**
 * True when `bytes` (decoded from `text`) encode back to exactly `text`: canonical, padded standard
 * base64, which is what every encoder writes. A fast path only: a false answer still needs the
 * STD_BASE64 check (non-zero trailing bits). Irregexp scans long values at about 14 ns per
 * character; the round trip runs at memory speed (9 ms against 0.7 ms on a 700 KB value).
 */
export function isCanonicalBase64(text: string, bytes: Buffer = Buffer.from(text, 'base64')): boolean {
  return bytes.length === (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0) && bytes.toString('base64') === text;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function bytesToText(bytes: Uint8Array): DecodedBase64 {
  // Files padded with NUL or 0xFF bytes (a trailing terminator, an erased flash block) are text followed by
  // padding: the text is what a reader sees. The byte count stays that of the whole value.
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0 || bytes[end - 1] === 0xff)) end--;
  if (end > 0 && end < bytes.length) {
    const decoded = bytesToText(bytes.subarray(0, end));
    return decoded.kind === 'binary' ? { kind: 'binary', bytes: bytes.length } : decoded;
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { kind: 'binary', bytes: bytes.length };
  }
  // Valid UTF-8 encodes U+0000–U+001F as single bytes and never uses bytes below 0x80 inside a
  // multi-byte sequence, so NULs and control characters are counted on the bytes: a native search for
  // NUL, then a byte loop (about 3× faster than charCodeAt over the decoded string on 512 KiB values).
  if (bytes.includes(0)) return { kind: 'binary', bytes: bytes.length };
  if (controlBytes(bytes) > text.length / 20) return { kind: 'binary', bytes: bytes.length };
  return { kind: 'text', text };
}

/**
 * Bytes below 0x20 other than tab, line feed and carriage return. Four bytes at a time where the buffer
 * is aligned: `(w - 0x20202020) & ~w & 0x80808080` is non-zero exactly when some byte of `w` is below
 * 0x20 (the "hasless" test), and only those words are looked at byte by byte.
 */
export function controlBytes(bytes: Uint8Array): number {
  let control = 0;
  let i = 0;
  const end = bytes.length;
  if (bytes.byteOffset % 4 === 0 && end >= 64) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, end >>> 2);
    for (let w = 0; w < words.length; w++) {
      const word = words[w] as number;
      if (((word - 0x20202020) & ~word & 0x80808080) === 0) continue;
      for (let j = w << 2, stop = j + 4; j < stop; j++) {
        const b = bytes[j] as number;
        if (b < 32 && b !== 9 && b !== 10 && b !== 13) control++;
      }
    }
    i = words.length << 2;
  }
  for (; i < end; i++) {
    const b = bytes[i] as number;
    if (b < 32 && b !== 9 && b !== 10 && b !== 13) control++;
  }
  return control;
}

/**
 * One level of base64 inside a value: the whole trimmed value must be base64 (standard or URL alphabet)
 * of at least 16 characters that decodes to printable text. Returns that text, or undefined.
 */
export function embeddedBase64Text(value: string): string | undefined {
  const trimmed = value.trim();
  // A character outside both alphabets (and line breaks) fails both tests below; finding one is
  // usually quick (a PEM header, a space), and saves copying a long value without its line breaks.
  if (NOT_BASE64_CHAR.test(trimmed)) return undefined;
  const compact = trimmed.replace(/[\r\n]/g, '');
  if (compact.length < 16 || compact.length > MAX_SCAN) return undefined;
  let bytes: Buffer;
  if (STD_BASE64.test(compact) && compact.length % 4 === 0) bytes = Buffer.from(compact, 'base64');
  else if (URL_BASE64.test(compact) && /[-_]/.test(compact)) bytes = Buffer.from(compact, 'base64url');
  else return undefined;
  const decoded = bytesToText(bytes);
  if (decoded.kind !== 'text') return undefined;
  // Mostly printable: words decoded from random base64 are rare.
  let printable = 0;
  for (let i = 0; i < decoded.text.length; i++) {
    const c = decoded.text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 9 || c === 10 || c === 13) printable++;
  }
  return printable >= decoded.text.length * 0.95 ? decoded.text : undefined;
}

/** Normalised key name: lower case, letters and digits only (`DB_PASSWORD` -> `dbpassword`). */
export function normaliseKey(key: string): string {
  let name = normalisedKeys.get(key);
  if (name === undefined) {
    name = key.slice(0, 200).toLowerCase().replace(/[^a-z0-9]/g, '');
    if (normalisedKeys.size >= MAX_CACHED_KEYS) normalisedKeys.clear();
    normalisedKeys.set(key, name);
  }
  return name;
}

/**
 * Key names repeat (every ConfigMap of an app has the same keys, every detector asks for the same key):
 * pure functions of a key name are cached, bounded. Key names only, never values.
 */
export const MAX_CACHED_KEYS = 4096;
const normalisedKeys = new Map<string, string>();

/** A bounded cache of a pure function of key names (see normaliseKey). */
export function keyCache<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as T;
    const value = compute(key);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(key, value);
    return value;
  };
}
