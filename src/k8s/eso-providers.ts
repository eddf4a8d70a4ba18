/**
 * Whether an ESO provider bounds `dataFrom[].find` by `find.path`, read from each provider's `GetAllSecrets` in
 * external-secrets/external-secrets at cc5bfbc2234ace9cb0caff4ea89c435cf517b27b (providers/v1/<provider>/…).
 * The table is listed, with the file of each provider, in docs/rules/externalsecret-remote-key-prefix.md.
 */
import { isObject, objectAt, stringAt, type JsonValue } from './json.js';

/**
 * - `honours`: only secrets under `find.path` are listed, so the path is a boundary.
 * - `ignores`: `GetAllSecrets` filters by name regexp and tags only; `find` reaches the whole store, path or not.
 * - `rejects`: a `find.path` makes `GetAllSecrets` fail, so nothing is fetched.
 * - `unsupported`: the provider has no `find` at all (`GetAllSecrets` always fails).
 */
export type FindPathSupport = 'honours' | 'ignores' | 'rejects' | 'unsupported';

/** Keys of `spec.provider` (SecretStoreProvider in apis/externalsecrets/v1/secretstore_types.go); AWS by `service`. */
const FIND_PATH: Readonly<Record<string, FindPathSupport>> = {
  'aws/SecretsManager': 'honours',
  'aws/ParameterStore': 'honours',
  'aws/CertificateManager': 'unsupported',
  gcpsm: 'honours',
  vault: 'honours',
  openBao: 'honours',
  akeyless: 'honours',
  doppler: 'honours',
  infisical: 'honours',
  onboardbase: 'honours',
  onepassword: 'honours',
  onepasswordSDK: 'honours',
  ovh: 'honours',
  scaleway: 'honours',
  cloudrusm: 'honours',
  beyondtrustworkloadcredentials: 'honours',
  azurekv: 'ignores',
  kubernetes: 'ignores',
  barbican: 'ignores',
  bitwardensecretsmanager: 'ignores',
  conjur: 'ignores',
  crd: 'ignores',
  fake: 'ignores',
  oracle: 'ignores',
  passbolt: 'ignores',
  gitlab: 'rejects',
  keepersecurity: 'rejects',
  beyondtrust: 'unsupported',
  chef: 'unsupported',
  delinea: 'unsupported',
  dvls: 'unsupported',
  fortanix: 'unsupported',
  github: 'unsupported',
  ibm: 'unsupported',
  nebiusmysterybox: 'unsupported',
  ngrok: 'unsupported',
  passworddepot: 'unsupported',
  previder: 'unsupported',
  pulumi: 'unsupported',
  secretserver: 'unsupported',
  senhasegura: 'unsupported',
  volcengine: 'unsupported',
  webhook: 'unsupported',
  yandexcertificatemanager: 'unsupported',
  yandexlockbox: 'unsupported',
};

/**
 * The provider of a SecretStore or ClusterSecretStore spec: the one key of `spec.provider` (`aws/<service>` for
 * AWS), or undefined when there is none or more than one (ESO refuses such a store).
 */
export function storeProvider(spec: JsonValue | undefined): string | undefined {
  const provider = objectAt(spec, 'provider');
  if (provider === undefined) return undefined;
  const keys = Object.keys(provider).filter((key) => isObject(provider[key]));
  if (keys.length !== 1) return undefined;
  const key = keys[0] ?? '';
  return key === 'aws' ? `aws/${stringAt(objectAt(provider, 'aws'), 'service') ?? ''}` : key;
}

/** How a provider treats `find.path`; a provider secretguard does not know is taken to ignore it (cannot verify). */
export function findPathSupport(provider: string): FindPathSupport {
  return Object.prototype.hasOwnProperty.call(FIND_PATH, provider) ? (FIND_PATH[provider] ?? 'ignores') : 'ignores';
}
