// dataFrom[].find.path bounds a find only where the provider's GetAllSecrets reads it (src/k8s/eso-providers.ts).
import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/externalsecret-remote-key-prefix.js';
import { ruleTester } from '../rule-tester.js';
import { CLUSTER, TENANCY, externalSecret } from './fixtures-eso.js';

const store = (kind: 'SecretStore' | 'ClusterSecretStore', name: string, provider: JsonObject, namespace?: string): JsonObject => ({
  apiVersion: 'external-secrets.io/v1',
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
  spec: { provider },
});
const azure = { azurekv: { vaultUrl: 'https://team-a.vault.azure.net', authType: 'WorkloadIdentity', serviceAccountRef: { name: 'eso' } } };
const cluster: JsonObject[] = [
  ...CLUSTER,
  store('ClusterSecretStore', 'azure-kv', azure),
  store('ClusterSecretStore', 'aws-sm', { aws: { service: 'SecretsManager', region: 'eu-west-1' } }),
  store('ClusterSecretStore', 'aws-ps', { aws: { service: 'ParameterStore', region: 'eu-west-1' } }),
  store('ClusterSecretStore', 'aws-none', { aws: { region: 'eu-west-1' } }),
  store('ClusterSecretStore', 'gcp', { gcpsm: { projectID: 'acme-prod' } }),
  store('ClusterSecretStore', 'openbao', { openBao: { server: 'https://bao.example.com' } }),
  store('ClusterSecretStore', 'k8s', { kubernetes: { remoteNamespace: 'shared', server: { caProvider: { type: 'ConfigMap', name: 'kube-root-ca.crt', key: 'ca.crt' } } } }),
  store('ClusterSecretStore', 'bitwarden', { bitwardensecretsmanager: { organizationID: 'o', projectID: 'p' } }),
  store('ClusterSecretStore', 'gitlab', { gitlab: { projectID: '42' } }),
  store('ClusterSecretStore', 'newcloud', { newcloudsecrets: { endpoint: 'https://secrets.newcloud.example' } }),
  store('ClusterSecretStore', 'two', { vault: { server: 'https://vault.example.com' }, ...azure }),
  store('ClusterSecretStore', 'empty', {}),
  store('SecretStore', 'ns-azure', azure, 'team-a-web'),
  store('SecretStore', 'ns-vault', { vault: { server: 'https://vault.example.com', path: 'secret' } }, 'team-a-web'),
];
const base = { cluster, config: TENANCY };
const css = (name: string): JsonObject => ({ name, kind: 'ClusterSecretStore' });
const find = (path?: string): JsonObject => ({ find: { ...(path !== undefined ? { path } : {}), name: { regexp: '.*' } } });
const es = (storeRef: JsonObject, dataFrom: JsonObject[], ns = 'team-a-web'): JsonObject => externalSecret(ns, { secretStoreRef: storeRef, dataFrom });

ruleTester(rule, {
  valid: [
    ...['aws-sm', 'aws-ps', 'gcp', 'openbao', 'team-a-vault'].map((name) => ({ name: `${name}: find.path under the prefix is a boundary`, object: es(css(name), [find('teams/team-a/')]), ...base })),
    { name: 'SecretStore with a vault provider (kind defaults to SecretStore)', object: es({ name: 'ns-vault' }, [find('apps/team-a-web/')]), ...base },
    { name: 'gitlab rejects find.path: nothing is fetched; a path under the prefix passes', object: es(css('gitlab'), [find('teams/team-a/')]), ...base },
    { name: 'a store not in the view: the path is judged (externalsecret-store-access reports the store)', object: es(css('ghost'), [find('teams/team-a/')]), ...base },
    { name: 'ns-azure exists only in team-a-web: from team-a-api the store is unknown', object: es({ name: 'ns-azure' }, [find('teams/team-a/')], 'team-a-api'), ...base },
    { name: 'extract on a provider that ignores find.path is a single key', object: es(css('azure-kv'), [{ extract: { key: 'teams/team-a/db' } }]), ...base },
  ],
  invalid: [
    {
      name: 'Azure Key Vault ignores find.path: the find reaches the whole vault',
      object: es(css('azure-kv'), [find('teams/team-a/')]),
      ...base,
      errors: [{ messageId: 'findPathIgnored' as const, action: 'deny', field: '/spec/dataFrom/0/find/path', messageIncludes: ['ClusterSecretStore azure-kv', 'provider azurekv', 'team-a-web', 'teams/team-a/'] }],
    },
    ...(
      [
        ['k8s', 'kubernetes'],
        ['bitwarden', 'bitwardensecretsmanager'],
        ['newcloud', 'newcloudsecrets'],
        ['two', '(none or several)'],
        ['empty', '(none or several)'],
        ['aws-none', 'aws/'],
      ] as const
    ).map(([name, provider]) => ({
      name: `${name}: ${provider} gives no path boundary`,
      object: es(css(name), [find('teams/team-a/')]),
      ...base,
      errors: [{ messageId: 'findPathIgnored' as const, action: 'deny' as const, field: '/spec/dataFrom/0/find/path', messageIncludes: [`ClusterSecretStore ${name}`, `provider ${provider}`] }],
    })),
    {
      name: 'a namespaced SecretStore on Azure, by the top-level secretStoreRef',
      object: es({ name: 'ns-azure', kind: 'SecretStore' }, [find('apps/team-a-web/')]),
      ...base,
      errors: [{ messageId: 'findPathIgnored' as const, action: 'deny', field: '/spec/dataFrom/0/find/path', messageIncludes: ['SecretStore ns-azure'] }],
    },
    {
      name: 'a per-entry sourceRef.storeRef overrides a store that honours the path',
      object: es(css('team-a-vault'), [find('teams/team-a/'), { ...find('teams/team-a/'), sourceRef: { storeRef: css('azure-kv') } }]),
      ...base,
      errors: [{ messageId: 'findPathIgnored' as const, action: 'deny', field: '/spec/dataFrom/1/find/path', messageIncludes: ['azure-kv'] }],
    },
    {
      name: 'without a path it is the plain findWithoutPath, whatever the provider',
      object: es(css('azure-kv'), [find()]),
      ...base,
      errors: [{ messageId: 'findWithoutPath' as const, action: 'deny', field: '/spec/dataFrom/0/find' }],
    },
    {
      name: 'gitlab: a path outside the prefix is still judged',
      object: es(css('gitlab'), [find('teams/team-b/')]),
      ...base,
      errors: [{ messageId: 'keyOutsidePrefix' as const, action: 'deny', field: '/spec/dataFrom/0/find/path' }],
    },
    {
      name: 'ClusterExternalSecret: judged per target namespace, the SecretStore exists in one of them',
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'all-of-team-a' },
        spec: { namespaces: ['team-a-web', 'team-a-api'], externalSecretSpec: { secretStoreRef: { name: 'ns-azure' }, dataFrom: [find('teams/team-a/')] } },
      },
      ...base,
      errors: [{ messageId: 'findPathIgnored' as const, action: 'deny', field: '/spec/externalSecretSpec/dataFrom/0/find/path', messageIncludes: ['team-a-web'] }],
    },
  ],
});
