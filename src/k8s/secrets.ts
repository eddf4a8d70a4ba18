/** What produced a Secret, from its metadata and type (reference.md §2). */
import { annotationsOf, labelsOf, namespaceOf, ownerReferencesOf } from './object.js';
import { decodeSecretValue, decodeSecretValuePrefix, isCanonicalPlaceholder, MAX_SCAN, type DecodedBase64 } from '../detectors/text.js';
import { objectAt, pointer, stringAt, stringEntriesAt } from './json.js';

export const ESO_MANAGED_LABEL = 'reconcile.external-secrets.io/managed';
export const ESO_CREATED_BY_LABEL = 'reconcile.external-secrets.io/created-by';
export const ESO_DATA_HASH_ANNOTATION = 'reconcile.external-secrets.io/data-hash';
export const CERT_MANAGER_ANNOTATION = 'cert-manager.io/certificate-name';

export type SecretProducer =
  | 'SealedSecret'
  | 'ExternalSecret'
  | 'cert-manager'
  | 'Helm release storage'
  | 'service account token'
  | 'bootstrap token';

/** The controller that produces this Secret, judged from the object alone, or undefined. */
export function secretProducer(secret: unknown): { producer: SecretProducer; signal: string } | undefined {
  const owners = ownerReferencesOf(secret);
  for (const owner of owners) {
    if (owner.kind === 'SealedSecret' && owner.apiVersion.startsWith('bitnami.com/')) return { producer: 'SealedSecret', signal: 'ownerReference SealedSecret' };
    if (owner.kind === 'ExternalSecret' && owner.apiVersion.startsWith('external-secrets.io/')) return { producer: 'ExternalSecret', signal: 'ownerReference ExternalSecret' };
  }
  const labels = labelsOf(secret);
  const annotations = annotationsOf(secret);
  if (ESO_CREATED_BY_LABEL in labels) return { producer: 'ExternalSecret', signal: `label ${ESO_CREATED_BY_LABEL}` };
  if (ESO_DATA_HASH_ANNOTATION in annotations) return { producer: 'ExternalSecret', signal: `annotation ${ESO_DATA_HASH_ANNOTATION}` };
  if (labels[ESO_MANAGED_LABEL] === 'true') return { producer: 'ExternalSecret', signal: `label ${ESO_MANAGED_LABEL}` };
  if (CERT_MANAGER_ANNOTATION in annotations) return { producer: 'cert-manager', signal: `annotation ${CERT_MANAGER_ANNOTATION}` };
  const type = stringAt(secret, 'type');
  if (type === 'helm.sh/release.v1') return { producer: 'Helm release storage', signal: 'type helm.sh/release.v1' };
  if (type === 'kubernetes.io/service-account-token') return { producer: 'service account token', signal: 'type kubernetes.io/service-account-token' };
  if (type === 'bootstrap.kubernetes.io/token' && namespaceOf(secret) === 'kube-system') return { producer: 'bootstrap token', signal: 'type bootstrap.kubernetes.io/token' };
  return undefined;
}

const HELM_RELEASE_NAME = /^sh\.helm\.release\.v1\.[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.v[1-9][0-9]*$/;
/** base64 of a gzip stream (1f 8b 08): Helm stores base64(gzip(release JSON)) in the one `release` key. */
const GZIP_BASE64 = 'H4sI';

/**
 * Helm's Secret storage driver writes exactly this shape (helm.sh/helm/v3/pkg/storage/driver/secrets.go):
 * type helm.sh/release.v1, name sh.helm.release.v1.<release>.v<N>, label owner=helm, and one data key
 * `release` holding base64(gzip(JSON)). A Secret that only borrows the type is not release storage.
 */
export function isHelmReleaseStorage(secret: unknown): boolean {
  if (stringAt(secret, 'type') !== 'helm.sh/release.v1') return false;
  const name = stringAt(objectAt(secret, 'metadata'), 'name');
  if (name === undefined || !HELM_RELEASE_NAME.test(name)) return false;
  if (labelsOf(secret)['owner'] !== 'helm') return false;
  if (objectAt(secret, 'stringData') !== undefined) return false;
  const data = objectAt(secret, 'data');
  if (data === undefined) return false;
  const keys = Object.keys(data);
  const release = data['release'];
  if (keys.length !== 1 || typeof release !== 'string') return false;
  const inner = decodeSecretValuePrefix(release, GZIP_BASE64.length);
  return inner.kind === 'text' && inner.text === GZIP_BASE64;
}

/** A human user (not a service account, node or other `system:` identity). */
export function isPersonRequester(username: string): boolean {
  return username !== '' && !username.startsWith('system:');
}

export interface SecretValue {
  key: string;
  source: 'data' | 'stringData';
  /** JSON pointer, e.g. `/data/password`. */
  field: string;
  /** Decoded content: stringData is text as written; data is base64 and may be invalid or binary. */
  readonly decoded: DecodedBase64;
  /**
   * `decoded` with a text answer cut to its first MAX_SCAN characters (what the detectors look at);
   * for a long ASCII value the rest is checked without being turned into a string.
   */
  readonly preview: DecodedBase64;
  /** The raw value is empty (nothing to protect). */
  empty: boolean;
}

const EMPTY_TEXT: DecodedBase64 = Object.freeze({ kind: 'text', text: '' });

function cut(decoded: DecodedBase64): DecodedBase64 {
  return decoded.kind === 'text' && decoded.text.length > MAX_SCAN ? { kind: 'text', text: decoded.text.slice(0, MAX_SCAN) } : decoded;
}

/** A `data` value, decoded on first use: a rule that names only a Secret's first keys decodes only those. */
class DataValue implements SecretValue {
  readonly source = 'data';
  private decodedValue: DecodedBase64 | undefined;
  private previewValue: DecodedBase64 | undefined;

  constructor(
    readonly key: string,
    readonly field: string,
    private readonly raw: string,
    readonly empty: boolean,
  ) {}

  get decoded(): DecodedBase64 {
    this.decodedValue ??= this.empty ? EMPTY_TEXT : decodeSecretValue(this.raw);
    return this.decodedValue;
  }

  get preview(): DecodedBase64 {
    if (this.previewValue === undefined) {
      if (this.decodedValue !== undefined) this.previewValue = cut(this.decodedValue);
      else this.previewValue = this.empty ? EMPTY_TEXT : decodeSecretValuePrefix(this.raw, MAX_SCAN);
    }
    return this.previewValue;
  }
}

/** Every string value of a Secret's `data` (decoded) and `stringData`; other value types are skipped. */
export function secretValues(secret: unknown): SecretValue[] {
  const result: SecretValue[] = [];
  for (const [key, raw] of stringEntriesAt(secret, 'data')) {
    result.push(new DataValue(key, pointer('data', key), raw, raw.trim() === ''));
  }
  for (const [key, raw] of stringEntriesAt(secret, 'stringData')) {
    const decoded: DecodedBase64 = { kind: 'text', text: raw };
    result.push({ key, source: 'stringData', field: pointer('stringData', key), decoded, preview: cut(decoded), empty: raw === '' });
  }
  return result;
}

/**
 * Every value is a canonical placeholder (`<…>`, `${VAR}`, `{{ … }}`, CHANGEME…), never a binary or
 * undecodable one: the Secret in git is a template for one that must come from elsewhere.
 */
export function placeholdersOnly(values: readonly SecretValue[]): boolean {
  return values.length > 0 && values.every((value) => value.preview.kind === 'text' && isCanonicalPlaceholder(value.preview.text));
}
