import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/externalsecret-store-access.js';
import { ruleTester } from '../rule-tester.js';
import { CLUSTER, SEED_EXTERNAL_SECRET, TENANCY, externalSecret } from './fixtures-eso.js';

const css = (name: string): JsonObject => ({ name, kind: 'ClusterSecretStore' });
const es = (ns: string, spec: JsonObject, version = 'v1'): JsonObject => externalSecret(ns, { refreshInterval: '1h', ...spec }, version);
const base = { cluster: CLUSTER, config: TENANCY };
const pushSecret = (ns: string, spec: JsonObject): JsonObject => ({
  apiVersion: 'external-secrets.io/v1alpha1',
  kind: 'PushSecret',
  metadata: { name: 'push', namespace: ns },
  spec: { selector: { secret: { name: 's' } }, data: [{ match: { secretKey: 'k', remoteRef: { remoteKey: 'teams/team-a/k' } } }], ...spec },
});

ruleTester(rule, {
  valid: [
    { name: "the seeds' ExternalSecret in an untenanted namespace (vault-backend has no conditions)", object: SEED_EXTERNAL_SECRET, ...base },
    { name: 'store admitting by namespace name', object: es('team-a-web', { secretStoreRef: css('team-a-vault') }), ...base },
    { name: 'store admitting by anchored regex', object: es('team-a-web', { secretStoreRef: css('regex-store') }), ...base },
    { name: 'store admitting by label selector (tenant label)', object: es('team-b-preprod', { secretStoreRef: css('team-b-vault') }), ...base },
    { name: 'kind defaults to SecretStore, which is always same-namespace', object: es('team-a-web', { secretStoreRef: { name: 'team-b-vault' } }), ...base },
    { name: 'v1beta1 ExternalSecret', object: es('team-a-api', { secretStoreRef: css('team-a-vault') }, 'v1beta1'), ...base },
    { name: 'PushSecret by label selector of allowed stores', object: pushSecret('team-b-web', { secretStoreRefs: [{ kind: 'ClusterSecretStore', labelSelector: { matchLabels: { team: 'b' } } }] }), ...base },
    // ESO's GetSecretStores lists the selected stores whenever labelSelector is set and never reads the name.
    {
      name: 'PushSecret with a forbidden name and a selector that matches no store pushes nowhere',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ name: 'team-b-vault', kind: 'ClusterSecretStore', labelSelector: { matchLabels: { team: 'nobody' } } }] }),
      ...base,
    },
    {
      name: 'PushSecret with a forbidden name and a matchExpressions selector of allowed stores',
      object: pushSecret('team-a-web', {
        secretStoreRefs: [{ name: 'team-b-vault', kind: 'ClusterSecretStore', labelSelector: { matchExpressions: [{ key: 'shared', operator: 'In', values: ['true'] }] } }],
      }),
      ...base,
    },
    {
      name: 'PushSecret selector of kind SecretStore lists only same-namespace stores',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ name: 'team-b-vault', kind: 'SecretStore', labelSelector: {} }, { labelSelector: { matchLabels: { team: 'b' } } }] }),
      ...base,
    },
    {
      name: 'PushSecret with labelSelector null is a reference by name',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ name: 'team-a-vault', kind: 'ClusterSecretStore', labelSelector: null }] }),
      ...base,
    },
    { name: 'unknown store can be ignored', object: es('team-a-web', { secretStoreRef: css('team-a-new') }), cluster: CLUSTER, config: { tenancy: { tenants: {} } }, options: { unknownStore: 'ignore' } },
    { name: 'wrong types', object: es('team-a-web', { secretStoreRef: 'x', data: [3, { sourceRef: 7 }], dataFrom: 'no' }), ...base },
  ],
  invalid: [
    {
      name: "the seeds' ExternalSecret moved into team-b (vault-backend not in its list)",
      object: { ...SEED_EXTERNAL_SECRET, metadata: { name: 'db-credentials', namespace: 'team-b-web' } },
      ...base,
      errors: [{ messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRef/name', messageIncludes: ['vault-backend', 'team-b'] }],
    },
    {
      name: "another team's store: tenant policy and conditions",
      object: es('team-a-web', { secretStoreRef: css('team-b-vault') }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRef/name' },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRef/name', messageIncludes: ['team-b-vault', 'team-a-web'] },
      ],
    },
    {
      name: 'regex store from a namespace outside the regex',
      object: es('team-a-api', { secretStoreRef: css('regex-store') }),
      ...base,
      errors: [{ messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRef/name' }],
    },
    {
      name: 'label-selector store from a namespace without the label',
      object: es('team-b-preprod', { secretStoreRef: css('label-store') }),
      ...base,
      errors: [{ messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRef/name' }],
    },
    {
      name: 'per-entry sourceRef bypass attempts',
      object: es('team-a-web', {
        secretStoreRef: css('team-a-vault'),
        data: [
          { secretKey: 'ok', remoteRef: { key: 'teams/team-a/x' } },
          { secretKey: 'steal', remoteRef: { key: 'teams/team-b/x' }, sourceRef: { storeRef: css('team-b-vault') } },
        ],
        dataFrom: [{ extract: { key: 'teams/team-b/y' }, sourceRef: { storeRef: css('team-b-vault') } }],
      }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/data/1/sourceRef/storeRef/name' },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/data/1/sourceRef/storeRef/name' },
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/dataFrom/0/sourceRef/storeRef/name' },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/dataFrom/0/sourceRef/storeRef/name' },
      ],
    },
    {
      name: 'PushSecret by label selector picks up a foreign store',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ kind: 'ClusterSecretStore', labelSelector: { matchLabels: { team: 'b' } } }] }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['label-store'] },
      ],
    },
    {
      name: 'PushSecret with an allowed name and a selector: the selector picks a foreign store',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ name: 'team-a-vault', kind: 'ClusterSecretStore', labelSelector: { matchLabels: { team: 'b' } } }] }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['label-store'] },
      ],
    },
    {
      name: 'PushSecret with an allowed name and an empty selector: every ClusterSecretStore, one of them forbidden',
      object: pushSecret('team-a-web', { secretStoreRefs: [{ name: 'shared-vault', kind: 'ClusterSecretStore', labelSelector: {} }] }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault', 'team-a-web'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/0/labelSelector', messageIncludes: ['label-store'] },
      ],
    },
    {
      name: 'PushSecret with an allowed name and a matchExpressions selector that reaches a forbidden store',
      object: pushSecret('team-a-web', {
        secretStoreRefs: [
          { name: 'team-a-vault', kind: 'ClusterSecretStore' },
          { name: 'team-a-vault', kind: 'ClusterSecretStore', labelSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }, { key: 'push', operator: 'DoesNotExist' }] } },
        ],
      }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/secretStoreRefs/1/labelSelector', messageIncludes: ['team-b-vault'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/secretStoreRefs/1/labelSelector', messageIncludes: ['team-b-vault'] },
      ],
    },
    {
      name: 'ClusterPushSecret with an allowed name and a selector of foreign stores',
      object: {
        apiVersion: 'external-secrets.io/v1alpha1',
        kind: 'ClusterPushSecret',
        metadata: { name: 'cps' },
        spec: {
          namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'team-a-api' } }],
          pushSecretSpec: { secretStoreRefs: [{ name: 'team-a-vault', kind: 'ClusterSecretStore', labelSelector: { matchLabels: { push: 'yes' } } }], selector: { secret: { name: 's' } } },
        },
      },
      cluster: CLUSTER.map((o) => (o['kind'] === 'Namespace' && (o['metadata'] as JsonObject)['name'] === 'team-a-api' ? { ...o, metadata: { name: 'team-a-api', labels: { 'kubernetes.io/metadata.name': 'team-a-api' } } } : o)),
      config: TENANCY,
      errors: [{ messageId: 'conditionsReject', action: 'deny', field: '/spec/pushSecretSpec/secretStoreRefs/0/labelSelector', messageIncludes: ['label-store', 'team-a-api'] }],
    },
    {
      name: 'PushSecret dataTo storeRef by name',
      object: pushSecret('team-a-web', { secretStoreRefs: [css('team-a-vault')], dataTo: [{ storeRef: css('team-b-vault') }] }),
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/dataTo/0/storeRef/name' },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/dataTo/0/storeRef/name' },
      ],
    },
    {
      name: 'ClusterExternalSecret spanning two tenants',
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'everyone' },
        spec: {
          namespaceSelectors: [{ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a-web', 'team-b-web'] }] }],
          externalSecretSpec: { secretStoreRef: css('team-a-vault'), data: [{ secretKey: 'k', remoteRef: { key: 'teams/team-a/k' } }] },
        },
      },
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/externalSecretSpec/secretStoreRef/name', messageIncludes: ['team-b-web'] },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/externalSecretSpec/secretStoreRef/name', messageIncludes: ['team-b-web'] },
      ],
    },
    {
      name: 'ClusterExternalSecret with the deprecated namespaces field',
      object: {
        apiVersion: 'external-secrets.io/v1beta1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'old' },
        spec: { namespaces: ['team-a-api'], externalSecretSpec: { secretStoreRef: css('regex-store') } },
      },
      ...base,
      errors: [{ messageId: 'conditionsReject', action: 'deny', field: '/spec/externalSecretSpec/secretStoreRef/name', messageIncludes: ['team-a-api'] }],
    },
    {
      name: 'ClusterPushSecret by namespaceSelectors',
      object: {
        apiVersion: 'external-secrets.io/v1alpha1',
        kind: 'ClusterPushSecret',
        metadata: { name: 'cps' },
        spec: { namespaceSelectors: [{ matchLabels: { env: 'prod' } }], pushSecretSpec: { secretStoreRefs: [css('team-a-vault')], selector: { secret: { name: 's' } } } },
      },
      ...base,
      errors: [
        { messageId: 'tenantNotAllowed', action: 'deny', field: '/spec/pushSecretSpec/secretStoreRefs/0/name' },
        { messageId: 'conditionsReject', action: 'deny', field: '/spec/pushSecretSpec/secretStoreRefs/0/name' },
      ],
    },
    {
      name: 'unknown store: a warning by default',
      object: es('team-a-web', { secretStoreRef: css('team-a-new') }),
      cluster: CLUSTER,
      errors: [{ messageId: 'unknownStore', action: 'warn', field: '/spec/secretStoreRef/name' }],
    },
    {
      name: 'unknown store: denied when configured',
      object: es('team-a-web', { secretStoreRef: css('team-a-new') }),
      cluster: CLUSTER,
      options: { unknownStore: 'deny' },
      errors: [{ messageId: 'unknownStoreDenied', action: 'deny', field: '/spec/secretStoreRef/name' }],
    },
    {
      name: 'cluster view not synced',
      object: es('team-a-web', { secretStoreRef: css('team-a-vault') }),
      ...base,
      clusterSynced: false,
      errors: [{ messageId: 'clusterStateMissing', action: 'error', field: '' }],
    },
    {
      name: 'unknown version',
      object: es('team-a-web', { secretStoreRef: css('team-a-vault') }, 'v2'),
      ...base,
      errors: [{ messageId: 'unknownVersion', action: 'warn', field: '/apiVersion' }],
    },
  ],
});
