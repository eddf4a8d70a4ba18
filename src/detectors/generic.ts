import type { Detector } from './types.js';
import { embeddedBase64Text, isPlaceholder, keyCache, normaliseKey, shannonEntropy } from './text.js';

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

/** Key names that mention a secret but hold something else: its name, file, reference, lifetime, a flag. */
const NOT_A_SECRET_KEY =
  /(?:file|files|path|dir|name|names|ref|refs|keyref|url|uri|endpoint|ttl|expiry|expiration|expires|expiresin|duration|timeout|length|type|policy|enabled|enable|mode|count|format|header|hint|field|prefix|suffix|version|location|store|provider|keyid|tokenid|required|rotation|namespace|selector|label|annotation|tokens|lifetime|validity|limit|size|algorithm|method|strength|schema|class|template|source|volume|mount|id)$|^(?:existing|use|max|min|num|require|allow|enable|disable|skip|generate|create|auto)/;

/** The secret family a key name announces (cached per key name: every value of a ConfigMap asks). */
const familyOf = keyCache(computeFamilyOf);

function computeFamilyOf(key: string): string | undefined {
  const name = normaliseKey(key);
  if (name === '' || NOT_A_SECRET_KEY.test(name)) return undefined;
  for (const [pattern, description] of COMPOUND_FAMILIES) if (pattern.test(name)) return description;
  const words = keyWords(key);
  for (const [pattern, description] of WORD_FAMILIES) if (words.some((word) => pattern.test(word))) return description;
  return undefined;
}

/** Config vocabulary that secret-sounding keys often hold (switches, log levels, policy actions), never a secret. */
const CONFIG_WORDS = new Set([
  'true', 'false', 'yes', 'no', 'on', 'off', 'none', 'null', 'nil', 'enabled', 'disabled', 'enable', 'disable',
  'deny', 'warn', 'warning', 'audit', 'allow', 'block', 'info', 'debug', 'error', 'trace', 'fatal',
  'required', 'optional', 'auto', 'default', 'strict', 'ignore', 'fail',
]);

/** A value that is clearly not a literal secret even under a secret-sounding key. */
function notALiteralSecret(raw: string): boolean {
  const value = raw.trim().replace(/^["']|["'],?$/g, '');
  if (value.length < 4 || isPlaceholder(value) || CONFIG_WORDS.has(value.toLowerCase())) return true;
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('file:') || value.startsWith('~/')) return true;
  if (/^[0-9]{1,5}$/.test(value)) return true; // ports, counts, sizes
  if (/^[0-9]+(?:\.[0-9]+)?(?:s|m|h|d|ms|ki|mi|gi)$/i.test(value)) return true; // durations and quantities
  if (/^https?:\/\/[^@\s]{1,2000}$/.test(value)) return true; // a URL without credentials
  if (value.startsWith('|') || value.startsWith('>') || value === '{}' || value === '[]') return true; // YAML block openers
  let spaces = 0;
  for (let i = 0; i < value.length && spaces < 3; i++) if (value.charCodeAt(i) === 32) spaces++;
  return spaces >= 3; // prose, not a password
}

export const genericSecretKey: Detector = {
  id: 'generic-secret',
  description: 'value under a secret-sounding key (password, token, secret, api key, credentials)',
  generic: true,
  detect(value, key) {
    if (familyOf(key) === undefined) return false;
    if (value.length > 4096 || value.includes('\n')) return false;
    return !notALiteralSecret(value);
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
