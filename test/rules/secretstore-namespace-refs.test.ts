import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/secretstore-namespace-refs.js';
import { ruleTester } from '../rule-tester.js';

function store(provider: JsonObject, namespace = 'team-a-web', version = 'v1'): JsonObject {
  return { apiVersion: `external-secrets.io/${version}`, kind: 'SecretStore', metadata: { name: 'store', namespace }, spec: { provider } };
}

ruleTester(rule, {
  valid: [
    { name: 'vault without namespaces (the Vault namespace is not a Kubernetes one)', object: store({ vault: { server: 's', namespace: 'admin/team', auth: { namespace: 'admin', kubernetes: { role: 'r', serviceAccountRef: { name: 'sa' } } } } }) },
    { name: 'same namespace is fine', object: store({ aws: { service: 'SecretsManager', auth: { jwt: { serviceAccountRef: { name: 'sa', namespace: 'team-a-web' } } } } }) },
    { name: 'kubernetes provider reading its own namespace', object: store({ kubernetes: { remoteNamespace: 'team-a-web', auth: { serviceAccount: { name: 'sa' } }, server: { caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.crt' } } } }) },
    { name: 'v1beta1 still checked, and clean', object: store({ gcpsm: { projectID: 'p', auth: { secretRef: { secretAccessKeySecretRef: { name: 'gcp', key: 'k' } } } } }, 'team-a-web', 'v1beta1') },
    { name: 'wrong types', object: store({ vault: 'nope' }) },
  ],
  invalid: [
    {
      name: 'vault serviceAccountRef in another namespace',
      object: store({ vault: { server: 's', auth: { kubernetes: { role: 'r', serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets' } } } } }),
      errors: [{ messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/vault/auth/kubernetes/serviceAccountRef/namespace', messageIncludes: ['external-secrets', 'team-a-web'] }],
    },
    {
      name: 'vault tokenSecretRef and caProvider',
      object: store({ vault: { server: 's', caProvider: { type: 'Secret', name: 'ca', key: 'ca', namespace: 'vault' }, auth: { tokenSecretRef: { name: 't', key: 'token', namespace: 'team-b-web' } } } }),
      errors: [
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/vault/caProvider/namespace' },
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/vault/auth/tokenSecretRef/namespace' },
      ],
    },
    {
      name: 'aws secretRef keys',
      object: store({ aws: { service: 'SecretsManager', auth: { secretRef: { accessKeyIDSecretRef: { name: 'aws', key: 'id', namespace: 'team-b-web' }, secretAccessKeySecretRef: { name: 'aws', key: 'secret', namespace: 'team-b-web' } } } } }),
      errors: [
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/aws/auth/secretRef/accessKeyIDSecretRef/namespace' },
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/aws/auth/secretRef/secretAccessKeySecretRef/namespace' },
      ],
    },
    {
      name: 'gcpsm workload identity serviceAccountRef',
      object: store({ gcpsm: { projectID: 'p', auth: { workloadIdentity: { clusterLocation: 'l', clusterName: 'c', serviceAccountRef: { name: 'sa', namespace: 'kube-system' } } } } }, 'team-a-web', 'v1beta1'),
      errors: [{ messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/gcpsm/auth/workloadIdentity/serviceAccountRef/namespace' }],
    },
    {
      name: 'azurekv authSecretRef',
      object: store({ azurekv: { vaultUrl: 'u', authSecretRef: { clientId: { name: 'az', key: 'id', namespace: 'team-b-web' }, clientSecret: { name: 'az', key: 's', namespace: 'team-b-web' } } } }),
      errors: [
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/azurekv/authSecretRef/clientId/namespace' },
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/azurekv/authSecretRef/clientSecret/namespace' },
      ],
    },
    {
      name: 'kubernetes provider serviceAccount and caProvider',
      object: store({ kubernetes: { remoteNamespace: 'team-a-web', server: { caProvider: { type: 'ConfigMap', name: 'ca', key: 'ca.crt', namespace: 'kube-system' } }, auth: { serviceAccount: { name: 'sa', namespace: 'team-b-web' } } } }),
      errors: [
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/kubernetes/server/caProvider/namespace' },
        { messageId: 'foreignNamespace', action: 'deny', field: '/spec/provider/kubernetes/auth/serviceAccount/namespace' },
      ],
    },
    {
      name: 'unknown version',
      object: store({ vault: {} }, 'team-a-web', 'v1alpha1'),
      errors: [{ messageId: 'unknownVersion', action: 'warn', field: '/apiVersion' }],
    },
  ],
});
