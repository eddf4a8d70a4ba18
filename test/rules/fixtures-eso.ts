import type { JsonObject } from '../../src/k8s/json.js';
import type { SecretGuardConfigFile } from '../../src/config/types.js';

/** Shared tenancy fixtures for the ESO and Reflector rule tables: two teams, shared and dedicated stores. */
export const TENANCY: Omit<SecretGuardConfigFile, 'apiVersion' | 'kind'> = {
  tenancy: {
    tenantLabel: 'secretguard.io/tenant',
    tenants: {
      'team-a': { namespaces: ['^team-a-.*$'], clusterSecretStores: ['shared-vault', 'team-a-vault', 'vault-backend', 'regex-store', 'label-store', 'name-store'], remoteKeyPrefixes: ['teams/{{tenant}}/', 'apps/{{namespace}}/'] },
      'team-b': { clusterSecretStores: ['shared-vault', 'team-b-vault', 'label-store'], remoteKeyPrefixes: ['teams/team-b/'] },
    },
  },
};

export function namespace(name: string, labels: Record<string, string> = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function clusterStore(name: string, conditions?: JsonObject[], labels: Record<string, string> = {}, version = 'v1'): JsonObject {
  return {
    apiVersion: `external-secrets.io/${version}`,
    kind: 'ClusterSecretStore',
    metadata: { name, labels },
    spec: {
      provider: { vault: { server: 'https://vault.example.com', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'r', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } } } },
      ...(conditions !== undefined ? { conditions } : {}),
    },
  };
}

/** The seeds' vault-backend: no conditions at all. */
export const VAULT_BACKEND = clusterStore('vault-backend', undefined, {}, 'v1beta1');

export const CLUSTER: JsonObject[] = [
  namespace('team-a-web'),
  namespace('team-a-api'),
  namespace('team-b-web', { 'secretguard.io/tenant': 'team-b', env: 'prod' }),
  namespace('team-b-preprod', { 'secretguard.io/tenant': 'team-b' }),
  namespace('my-app'),
  VAULT_BACKEND,
  clusterStore('shared-vault', [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }] } }], { shared: 'true' }),
  clusterStore('team-a-vault', [{ namespaces: ['team-a-web', 'team-a-api'] }]),
  clusterStore('team-b-vault', [{ namespaceSelector: { matchLabels: { 'secretguard.io/tenant': 'team-b' } } }], { team: 'b' }),
  clusterStore('regex-store', [{ namespaceRegexes: ['^team-a-web$'] }]),
  clusterStore('label-store', [{ namespaceSelector: { matchLabels: { env: 'prod' } } }], { team: 'b', push: 'yes' }),
];

export function externalSecret(namespaceName: string, spec: JsonObject, version = 'v1', name = 'db'): JsonObject {
  return { apiVersion: `external-secrets.io/${version}`, kind: 'ExternalSecret', metadata: { name, namespace: namespaceName }, spec };
}

/** The seeds' ExternalSecret in my-app using vault-backend. */
export const SEED_EXTERNAL_SECRET = externalSecret(
  'my-app',
  {
    refreshInterval: '1h',
    secretStoreRef: { name: 'vault-backend', kind: 'ClusterSecretStore' },
    target: { name: 'db-secret', creationPolicy: 'Owner' },
    data: [
      { secretKey: 'password', remoteRef: { key: 'myapp/db', property: 'password' } },
      { secretKey: 'username', remoteRef: { key: 'myapp/db', property: 'username' } },
    ],
  },
  'v1beta1',
  'db-credentials',
);
