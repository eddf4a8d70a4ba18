import type { Detector } from './types.js';
import { embeddedBase64Text, isPlaceholder, isPublishedKey, keyCache, normaliseKey, shannonEntropy } from './text.js';

/** Key-name families that mean "the value is a secret", most specific first, matched on the joined key. */
const COMPOUND_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/passw(?:or)?d|passwd|passphrase|^pwd|pwd$|^pass$/, 'generic password'],
  [/privatekey|signingkey|encryptionkey|masterkey|secretkey(?!ref)|sessionkey|hmackey|cookiesecret|secretkeybase/, 'generic private or signing key'],
  [/apikey|apitoken|accesskey|clientsecret|appsecret|consumersecret|licensekey/, 'generic API key'],
  [/^auth$|basicauth|authstring|authorization|connectionstring|^connstr$/, 'generic authentication string'],
];

/**
 * Broad families matched word by word: a word of the key must end with the family word, so
 * `client_secret`, `mySecret` and `GITHUB_TOKEN` count, but `SECRETGUARD_LOG_LEVEL` and `tokenizer` do not.
 */
const WORD_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/^pass$/, 'generic password'], // RABBITMQ_DEFAULT_PASS, SMTP_PASS
  [/token$/, 'generic token'],
  [/secrets?$/, 'generic secret'],
  [/credentials?$|creds$/, 'generic credentials'],
];

/** Words of a key: split at separators and camelCase boundaries, lowercased. */
function keyWords(key: string): string[] {
  return key
    .slice(0, 200)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * Key names that mention a secret but hold something else: its name, file, reference, lifetime, a flag, a
 * pattern, a claim list, the name of an env var. Matched on the end of the joined key (`secretName`,
 * `secretname`).
 */
const NOT_A_SECRET_KEY =
  /(?:file|files|path|dir|name|names|ref|refs|keyref|url|uri|endpoint|ttl|expiry|expiration|expires|expiresin|duration|timeout|length|type|policy|enabled|enable|mode|count|format|header|hint|field|prefix|suffix|version|location|store|provider|keyid|tokenid|required|rotation|namespace|selector|label|annotation|tokens|lifetime|validity|limit|size|algorithm|method|strength|schema|class|template|source|volume|mount|id|pattern|regex|regexp|claim|claims|scope|scopes|env|envvar|pullsecret|pullsecrets)$/;

/**
 * Leading words that make the key a switch or a reference (`existingSecret`, `useToken`, `maxTokens`,
 * `autoCreateSecret`). Matched on the first word only, and only when the rest of that word is empty or
 * starts a secret word: `MINIO_SECRET_KEY`, `USER_PASSWORD` and `AUTOMATION_TOKEN` are secrets.
 */
const NOT_A_SECRET_FIRST_WORD = /^(?:existing|use|max|min|num|require|allow|enable|disable|skip|generate|create|auto)(?:$|secret|token|pass|pwd|key|cred|api|client|auth|private|access|signing)/;

/** The secret family a key name announces (cached per key name: every value of a ConfigMap asks). */
const familyOf = keyCache(computeFamilyOf);

function computeFamilyOf(key: string): string | undefined {
  const name = normaliseKey(key);
  if (name === '' || NOT_A_SECRET_KEY.test(name)) return undefined;
  const words = keyWords(key);
  if (NOT_A_SECRET_FIRST_WORD.test(words[0] ?? '')) return undefined;
  for (const [pattern, description] of COMPOUND_FAMILIES) if (pattern.test(name)) return description;
  for (const [pattern, description] of WORD_FAMILIES) if (words.some((word) => pattern.test(word))) return description;
  return undefined;
}

/** Config vocabulary that secret-sounding keys often hold (switches, log levels, policy actions), never a secret. */
const CONFIG_WORDS = new Set([
  'true', 'false', 'yes', 'no', 'on', 'off', 'none', 'null', 'nil', 'enabled', 'disabled', 'enable', 'disable',
  'deny', 'warn', 'warning', 'audit', 'allow', 'block', 'info', 'debug', 'error', 'trace', 'fatal',
  'required', 'optional', 'auto', 'default', 'strict', 'ignore', 'fail',
]);

/** nsswitch.conf sources (`passwd: files systemd`, `passwd: compat`): the `passwd` database, not a password. */
const NSS_SOURCES = new Set(['files', 'compat', 'db', 'dns', 'nis', 'nisplus', 'ldap', 'sss', 'systemd', 'winbind', 'hesiod', 'mymachines', 'resolve', 'myhostname', 'mdns', 'mdns4', 'mdns4_minimal', 'wins', 'altfiles', 'cache', 'usrfiles']);

function isNssSources(value: string): boolean {
  const words = value.split(/\s+/);
  if (words.length > 12) return false;
  return words.every((word) => NSS_SOURCES.has(word) || /^\[!?[A-Za-z]+=[a-z]+(?: [!A-Za-z]+=[a-z]+){0,4}\]$/.test(word) || /^\[.*\]$/.test(word));
}

/**
 * Source code, not a value: a call or an index (`f.read()`, `os.environ["TOKEN"]`, `getToken(ctx)`), a
 * statement end. Quoted literals are unquoted before they get here only when the whole value is quoted.
 */
const CODE_EXPRESSION = /^(?:await |new |self\.|this\.)?[A-Za-z_$][A-Za-z0-9_$]{0,60}(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,60}){0,8}\s?[([]/;

/** Public halves and certificates: what they protect is elsewhere. */
const PUBLIC_MATERIAL = /^(?:-----BEGIN (?:CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST|PGP PUBLIC KEY BLOCK)-----|(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com) AAAA)/;

/** The Azurite / Storage Emulator connection string: its account key is published (see isPublishedKey). */
function isEmulatorConnectionString(value: string): boolean {
  if (value === 'UseDevelopmentStorage=true') return true;
  const key = /(?:^|;)AccountKey=([A-Za-z0-9+/]{86}==)(?:;|$)/.exec(value)?.[1];
  return key !== undefined && isPublishedKey(key) && !value.replace(`AccountKey=${key}`, '').includes('AccountKey=');
}

/** A value that is clearly not a literal secret even under a secret-sounding key. */
function notALiteralSecret(raw: string, key: string, family: string): boolean {
  const value = raw.trim().replace(/^["']|["'],?$/g, '');
  if (value === '' || isPlaceholder(value) || CONFIG_WORDS.has(value.toLowerCase())) return true;
  // A password of one to five characters is still a password (`root`, `1234`); other families need four.
  if (family === PASSWORD_FAMILY ? value.length < 2 && /^[01]$/.test(value) : value.length < 4) return true;
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('file:') || value.startsWith('~/')) return true;
  if (family !== PASSWORD_FAMILY && /^[0-9]{1,5}$/.test(value)) return true; // ports, counts, sizes
  if (/^[0-9]+(?:\.[0-9]+)?(?:s|m|h|d|ms|ki|mi|gi)$/i.test(value)) return true; // durations and quantities
  if (/^https?:\/\/[^@\s]{1,2000}$/.test(value)) return true; // a URL without credentials
  if (value.startsWith('|') || value.startsWith('>') || value === '{}' || value === '[]') return true; // YAML block openers
  if (value === key && /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(value)) return true; // an env var named as its own value
  if (PUBLIC_MATERIAL.test(value) || CODE_EXPRESSION.test(value) || isNssSources(value)) return true;
  if (isEmulatorConnectionString(value)) return true;
  // Inline lists and objects (`["docker-secret"]`, `[{"type": "insecure"}]`) are names or structure, not one literal.
  if ((value.startsWith('[') && value.endsWith(']')) || (value.startsWith('{') && value.endsWith('}'))) return true;
  let spaces = 0;
  for (let i = 0; i < value.length && spaces < 3; i++) if (value.charCodeAt(i) === 32) spaces++;
  return spaces >= 3; // prose, not a password
}

const PASSWORD_FAMILY = 'generic password';

export const genericSecretKey: Detector = {
  id: 'generic-secret',
  description: 'value under a secret-sounding key (password, token, secret, api key, credentials)',
  generic: true,
  detect(value, key) {
    const family = familyOf(key);
    if (family === undefined) return false;
    if (value.length > 4096 || value.includes('\n')) return false;
    return !notALiteralSecret(value, key, family);
  },
  describe(key) {
    return familyOf(key) ?? 'generic secret';
  },
};

/** Keys whose values are high-entropy by nature and public: digests, ids, certificates, versions. */
const NOT_SECRET_ENTROPY_KEY =
  /digest|hash|sha|checksum|uuid|guid|image|version|commit|revision|etag|nonce|salt|cert|crt|cabundle|cadata|publickey|pubkey|fingerprint|knownhosts|id$|^ca$|tag$|ref$|path$|url$|uri$|host$|selector|label|annotation/;

const notSecretEntropyKey = keyCache((key) => NOT_SECRET_ENTROPY_KEY.test(normaliseKey(key)));

const TOKEN = /[A-Za-z0-9+/_~-]{20,}={0,2}/g;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX = /^(?:sha\d{1,3}[:-])?[0-9a-fA-F]+$/;
export const ENTROPY_MIN_LENGTH = 20;
export const ENTROPY_MAX_LENGTH = 200;

/** Bits per character a random string of this length reaches easily and prose, names and ids rarely do. */
export function entropyThreshold(length: number): number {
  return Math.min(4.3, Math.log2(length) - 0.6);
}

export function isHighEntropyToken(token: string): boolean {
  if (token.length < ENTROPY_MIN_LENGTH || token.length > ENTROPY_MAX_LENGTH) return false;
  if (UUID.test(token) || HEX.test(token)) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  if (isPlaceholder(token)) return false;
  if (shannonEntropy(token) < entropyThreshold(token.length)) return false;
  // Base64 of readable text is looked at decoded (a CA bundle, a config), not as noise.
  return embeddedBase64Text(token) === undefined;
}

export const highEntropyString: Detector = {
  id: 'high-entropy-string',
  description: 'high-entropy string (random token)',
  generic: true,
  detect(value, key) {
    // Only single-line, bounded values: whole config files are split into entries by the structure layer.
    // Shorter than ENTROPY_MIN_LENGTH, the value holds no TOKEN match.
    if (value.length < ENTROPY_MIN_LENGTH || value.length > 1024 || value.includes('\n') || value.includes('-----BEGIN')) return false;
    if (notSecretEntropyKey(key)) return false;
    if (/\b(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519)\b/.test(value)) return false;
    let count = 0;
    for (const match of value.matchAll(TOKEN)) {
      if (isHighEntropyToken(match[0])) return true;
      if (++count >= 64) break;
    }
    return false;
  },
};

export const genericDetectors: readonly Detector[] = [genericSecretKey, highEntropyString];
