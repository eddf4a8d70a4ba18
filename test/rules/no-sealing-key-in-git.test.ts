import rule from '../../src/rules/no-sealing-key-in-git.js';
import { ARGOCD, ruleTester } from '../rule-tester.js';

const KEY_CANARY = 'LS0tLS1CRUdJTi-sealing-key-canary-7Qz';

const sealingKey = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'kubernetes.io/tls',
  metadata: {
    name: 'sealed-secrets-keyx7b2n',
    namespace: 'kube-system',
    labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' },
  },
  data: { 'tls.crt': 'Y2VydA==', 'tls.key': KEY_CANARY },
};
const field = '/metadata/labels/sealedsecrets.bitnami.com~1sealed-secrets-key';

ruleTester(rule, {
  valid: [
    { name: 'the sealed-secrets controller creates its own key', object: sealingKey, requester: { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: [] } },
    { name: 'an ordinary Secret from git is not a sealing key', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', labels: { app: 'a' } } }, source: 'cli' },
    { name: 'DELETE of a key is not checked', object: null, oldObject: sealingKey, operation: 'DELETE', requester: ARGOCD },
  ],
  invalid: [
    {
      name: 'the key backup in a manifest (CLI)',
      object: sealingKey,
      source: 'cli',
      errors: [{ messageId: 'sealingKey', action: 'deny', field, messageIncludes: ['sealed-secrets-keyx7b2n', 'manifest file'] }],
      canaries: [KEY_CANARY],
    },
    {
      name: 'synced by Argo CD',
      object: sealingKey,
      requester: ARGOCD,
      errors: [{ messageId: 'sealingKey', action: 'deny', field, messageIncludes: ['requester system:serviceaccount:argocd'] }],
    },
    {
      name: 'kubectl apply from a file',
      object: { ...sealingKey, metadata: { ...sealingKey.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } },
      errors: [{ messageId: 'sealingKey', action: 'deny', field, messageIncludes: ['last-applied-configuration'] }],
    },
    {
      name: 'the action can be lowered by config',
      object: sealingKey,
      source: 'cli',
      config: { rules: { 'no-sealing-key-in-git': 'warn' } },
      errors: [{ messageId: 'sealingKey', action: 'warn', field }],
    },
  ],
});
