import type { Detector } from './types.js';
import { isPlaceholder, keyCache, normaliseKey } from './text.js';

/*
 * Known credential formats. Every pattern is compiled once, and is linear in the input:
 * - a pattern starts with a literal prefix guarded by a negative lookbehind on its own character class,
 *   so inside one run of token characters only one start position can begin a match;
 * - every repetition is a single character class with an upper bound, never a nested quantifier;
 * - a cheap `includes()` pre-filter runs first, so most values never reach the regex at all.
 * test/detectors/linear.test.ts runs each detector on 1 MiB adversarial inputs.
 */

interface PatternDetectorSpec {
  id: string;
  description: string;
  /** Substrings one of which must be present before the regex runs. */
  prefilter: readonly string[];
  /** Global regex; group 1, when present, is the part that must not be a placeholder. */
  pattern: RegExp;
  /** Extra check on a match (group 1 or the whole match). */
  accept?: (secret: string) => boolean;
}

const MAX_MATCHES = 32;

/**
 * A punctuation character every prefilter string contains (`_` for `ghp_`…`github_pat_`), or undefined.
 * A value without it cannot contain any of them; searching for one rare character is a native memchr,
 * while `includes('sk_live_')` stops at every `s` of a long base64 value.
 */
function commonPunctuation(prefilter: readonly string[]): string | undefined {
  const first = prefilter[0] ?? '';
  for (const c of first) {
    if (/[A-Za-z0-9]/.test(c)) continue;
    if (prefilter.every((p) => p.includes(c))) return c;
  }
  return undefined;
}

function patternDetector(spec: PatternDetectorSpec): Detector {
  const { pattern, prefilter, accept } = spec;
  const required = commonPunctuation(prefilter);
  return {
    id: spec.id,
    description: spec.description,
    requires: prefilter,
    detect(value: string): boolean {
      if (required !== undefined && !value.includes(required)) return false;
      if (!prefilter.some((p) => value.includes(p))) return false;
      let count = 0;
      for (const match of value.matchAll(pattern)) {
        const secret = match[1] ?? match[2] ?? match[0];
        if (!isPlaceholder(secret) && (accept === undefined || accept(secret))) return true;
        if (++count >= MAX_MATCHES) break;
      }
      return false;
    },
  };
}

/** The part after a vendor prefix must not be a placeholder either (`sk_live_xxxxxxxx`). */
function tailNotPlaceholder(prefixLength: number): (secret: string) => boolean {
  return (secret) => !isPlaceholder(secret.slice(prefixLength));
}

/** Real keys mix character classes; `AKIAAAAAAAAAAAAAAAAA` or all-digit tails are test filler. */
function mixed(secret: string): boolean {
  return /[0-9]/.test(secret) && /[A-Za-z]/.test(secret);
}

export const awsAccessKeyId = patternDetector({
  id: 'aws-access-key-id',
  description: 'AWS access key id',
  prefilter: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
  pattern: /(?<![A-Za-z0-9])((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})(?![A-Za-z0-9])/g,
  accept: (s) => mixed(s.slice(4)),
});

const AWS_SECRET_KEY_NAME = /aws.{0,30}secret|secretaccesskey|awssecretkey/;
const awsSecretKeyName = keyCache((key) => AWS_SECRET_KEY_NAME.test(normaliseKey(key)));
const AWS_SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;
export const awsSecretAccessKey: Detector = {
  id: 'aws-secret-access-key',
  description: 'AWS secret access key',
  detect(value, key) {
    if (!awsSecretKeyName(key)) return false;
    const v = value.trim().replace(/^["']|["']$/g, '');
    return v.length === 40 && AWS_SECRET_VALUE.test(v) && !isPlaceholder(v) && /[0-9]/.test(v) && /[A-Z]/.test(v) && /[a-z]/.test(v);
  },
};

export const githubToken = patternDetector({
  id: 'github-token',
  description: 'GitHub token',
  prefilter: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  pattern: /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{70,240})(?![A-Za-z0-9_])/g,
  accept: (s) => !isPlaceholder(s.slice(s.startsWith('github_pat_') ? 11 : 4)) && mixed(s.slice(4)),
});

export const gitlabToken = patternDetector({
  id: 'gitlab-token',
  description: 'GitLab token',
  prefilter: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glsoat-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glcbt-'],
  pattern: /(?<![A-Za-z0-9_-])((?:glpat|gldt|glrt|glptt|glsoat|glft|glimt|glagent|gloas|glcbt)-[A-Za-z0-9_.-]{20,255})(?![A-Za-z0-9_.-])/g,
  accept: (s) => !isPlaceholder(s.slice(s.indexOf('-') + 1)),
});

export const slackToken = patternDetector({
  id: 'slack-token',
  description: 'Slack token',
  prefilter: ['xox', 'xapp-'],
  pattern: /(?<![A-Za-z0-9-])((?:xox[abposre]|xapp)-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])/g,
  accept: (s) => !isPlaceholder(s.slice(5)) && /[0-9]/.test(s),
});

export const slackWebhook = patternDetector({
  id: 'slack-webhook',
  description: 'Slack webhook URL',
  prefilter: ['hooks.slack.com/'],
  pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/([A-Za-z0-9_/+-]{20,300})/g,
});

export const stripeKey = patternDetector({
  id: 'stripe-key',
  description: 'Stripe secret key',
  prefilter: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'],
  pattern: /(?<![A-Za-z0-9_])((?:sk|rk)_(?:live|test)_[0-9A-Za-z]{6,247})(?![0-9A-Za-z_])/g,
  accept: tailNotPlaceholder(8),
});

export const sendgridKey = patternDetector({
  id: 'sendgrid-api-key',
  description: 'SendGrid API key',
  prefilter: ['SG.'],
  pattern: /(?<![A-Za-z0-9_.-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
  accept: tailNotPlaceholder(3),
});

export const googleApiKey = patternDetector({
  id: 'google-api-key',
  description: 'Google API key',
  prefilter: ['AIza'],
  pattern: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
  accept: tailNotPlaceholder(4),
});

const GCP_TYPE = /"type"\s{0,20}:\s{0,20}"service_account"/;
const GCP_KEY = /"private_key"\s{0,20}:\s{0,20}"-----BEGIN/;
export const gcpServiceAccountKey: Detector = {
  id: 'gcp-service-account-key',
  description: 'Google service account key (JSON)',
  requires: ['service_account'],
  detect(value) {
    return value.includes('service_account') && value.includes('private_key') && GCP_TYPE.test(value) && GCP_KEY.test(value);
  },
};

export const azureStorageConnectionString = patternDetector({
  id: 'azure-connection-string',
  description: 'Azure storage or Service Bus connection string with a key',
  prefilter: ['AccountKey=', 'SharedAccessKey='],
  pattern: /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,120}={0,2})/g,
});

const AZURE_KEY_NAME = /azure|storage|accountkey|primarykey|secondarykey/;
const AZURE_KEY_VALUE = /^[A-Za-z0-9+/]{86}==$/;
export const azureStorageKey: Detector = {
  id: 'azure-storage-key',
  description: 'Azure storage account key',
  detect(value, key) {
    const v = value.trim();
    return v.length === 88 && AZURE_KEY_VALUE.test(v) && AZURE_KEY_NAME.test(normaliseKey(key)) && !isPlaceholder(v);
  },
};

export const npmToken = patternDetector({
  id: 'npm-token',
  description: 'npm access token',
  prefilter: ['npm_', '_authToken'],
  pattern: /(?<![A-Za-z0-9_])npm_([A-Za-z0-9]{36})(?![A-Za-z0-9])|_authToken[ \t]{0,8}=[ \t]{0,8}["']?([^\s"']{8,500})/g,
});

const PEM_PRIVATE_HEADER = /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_BODY_WINDOW = 400;

/** True when `text` has a run of `length` base64 characters starting within `window` characters of `from`. */
function base64RunWithin(text: string, from: number, window: number, length: number): boolean {
  let run = 0;
  const end = Math.min(text.length, from + window + length);
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    const b64 = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    run = b64 ? run + 1 : 0;
    if (run >= length) return true;
    if (!b64 && i - from > window) return false;
  }
  return false;
}

export const privateKey: Detector = {
  id: 'private-key',
  description: 'PEM private key',
  requires: ['PRIVATE KEY'],
  // A header, then at least 40 base64 characters of body close by (after optional Proc-Type/DEK-Info lines).
  detect(value) {
    if (!value.includes('PRIVATE KEY')) return false;
    let count = 0;
    for (const match of value.matchAll(PEM_PRIVATE_HEADER)) {
      if (base64RunWithin(value, match.index + match[0].length, PEM_BODY_WINDOW, 40)) return true;
      if (++count >= MAX_MATCHES) break;
    }
    return false;
  },
};

const JWT = /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,8192}\.eyJ[A-Za-z0-9_-]{8,16384}\.[A-Za-z0-9_-]{16,2048})(?![A-Za-z0-9_-])/g;

function jwtPayloads(value: string): string[] {
  if (!value.includes('eyJ')) return [];
  JWT.lastIndex = 0;
  const payloads: string[] = [];
  for (const match of value.matchAll(JWT)) {
    const token = match[1] ?? '';
    const payload = token.split('.')[1] ?? '';
    payloads.push(Buffer.from(payload, 'base64url').toString('utf8'));
    if (payloads.length >= MAX_MATCHES) break;
  }
  return payloads;
}

function isKubernetesToken(payload: string): boolean {
  return payload.includes('"kubernetes/serviceaccount"') || payload.includes('"kubernetes.io"') || payload.includes('kubernetes.io/serviceaccount');
}

export const kubernetesServiceAccountToken: Detector = {
  id: 'kubernetes-service-account-token',
  description: 'Kubernetes service account token',
  requires: ['eyJ'],
  detect(value) {
    return jwtPayloads(value).some(isKubernetesToken);
  },
};

export const jwt: Detector = {
  id: 'jwt',
  description: 'JSON Web Token',
  requires: ['eyJ'],
  detect(value) {
    return jwtPayloads(value).some((p) => p.startsWith('{') && !isKubernetesToken(p));
  },
};

const KUBECONFIG_CRED = /^[ \t-]{0,40}(?:token|client-key-data|password)[ \t]{0,4}:[ \t]{0,4}(\S[^\n]{0,8000})$/gm;
export const kubeconfigCredentials: Detector = {
  id: 'kubeconfig-credentials',
  description: 'kubeconfig with user credentials',
  requires: ['users:'],
  detect(value) {
    if (!value.includes('users:') || !value.includes('clusters:')) return false;
    KUBECONFIG_CRED.lastIndex = 0;
    let count = 0;
    for (const match of value.matchAll(KUBECONFIG_CRED)) {
      if (!isPlaceholder(match[1] ?? '')) return true;
      if (++count >= MAX_MATCHES) break;
    }
    return false;
  },
};

// scheme://user:password@host; the scheme is bounded and guarded, user and password classes exclude their terminators.
const DB_SCHEMES = 'postgres|postgresql|mysql|mariadb|mongodb|mongodb\\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|clickhouse|cockroachdb|oracle|jdbc:postgresql|jdbc:mysql|jdbc:mariadb|jdbc:sqlserver|nats|kafka|cassandra|couchdb|neo4j|influxdb';
const DB_URL = new RegExp(`(?<![A-Za-z0-9+.:-])(?:${DB_SCHEMES})://[^:/?#@\\s"'<>]{0,256}:([^@/?#\\s"'<>]{1,256})@[A-Za-z0-9\\[]`, 'g');
const AUTH_URL = /(?<![A-Za-z0-9+.:-])(?:https?|ftp|ftps|git|ssh|svn|ldap|ldaps|smtp|smtps|ws|wss):\/\/[^:/?#@\s"'<>]{1,256}:([^@/?#\s"'<>]{1,256})@[A-Za-z0-9[]/g;

export const databaseUrl = patternDetector({
  id: 'database-url-password',
  description: 'database URL with a password',
  prefilter: ['://'],
  pattern: DB_URL,
  // `scheme://user:password@host` is the textbook form of a connection URL, kept apart from a literal
  // `password` value, which is a credential.
  accept: (s) => s !== 'password',
});

export const basicAuthUrl = patternDetector({
  id: 'basic-auth-url',
  description: 'URL with embedded credentials',
  prefilter: ['://'],
  pattern: AUTH_URL,
  accept: (s) => s !== 'password',
});

export const knownDetectors: readonly Detector[] = [
  awsAccessKeyId,
  awsSecretAccessKey,
  githubToken,
  gitlabToken,
  slackToken,
  slackWebhook,
  stripeKey,
  sendgridKey,
  googleApiKey,
  gcpServiceAccountKey,
  azureStorageConnectionString,
  azureStorageKey,
  npmToken,
  privateKey,
  kubernetesServiceAccountToken,
  jwt,
  kubeconfigCredentials,
  databaseUrl,
  basicAuthUrl,
];
