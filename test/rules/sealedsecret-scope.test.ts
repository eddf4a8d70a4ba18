import rule from '../../src/rules/sealedsecret-scope.js';
import { ruleTester } from '../rule-tester.js';
import { fakeCiphertext, sealedSecret } from '../sealedsecret/fixtures.js';

const data = { password: fakeCiphertext(512, 12) };
const CLUSTER = 'sealedsecrets.bitnami.com/cluster-wide';
const NAMESPACE = 'sealedsecrets.bitnami.com/namespace-wide';
const clusterField = '/metadata/annotations/sealedsecrets.bitnami.com~1cluster-wide';
const namespaceField = '/metadata/annotations/sealedsecrets.bitnami.com~1namespace-wide';

ruleTester(rule, {
  valid: [
    { name: 'strict scope (no annotation)', object: sealedSecret(data) },
    { name: 'annotations set to "false"', object: sealedSecret(data, { annotations: { [CLUSTER]: 'false', [NAMESPACE]: 'false' } }) },
    { name: 'only the exact value "true" counts, as in the controller', object: sealedSecret(data, { annotations: { [CLUSTER]: 'True', [NAMESPACE]: 'yes' } }) },
    {
      name: 'the annotation only in the template does not change the scope (the controller reads the SealedSecret\'s own metadata)',
      object: sealedSecret(data, { template: { metadata: { annotations: { [CLUSTER]: 'true' } } } }),
    },
    {
      name: 'cluster-wide allowed for this namespace and name',
      object: sealedSecret(data, { name: 'registry-pull', namespace: 'platform', annotations: { [CLUSTER]: 'true' } }),
      options: { allow: [{ namespace: 'platform', name: 'registry-pull', scope: 'cluster-wide' }] },
    },
    {
      name: 'namespace-wide allowed for a namespace regex, any name',
      object: sealedSecret(data, { namespace: 'team-a-dev', annotations: { [NAMESPACE]: 'true' } }),
      options: { allow: [{ namespace: '^team-a-.*$', scope: 'namespace-wide' }] },
    },
    { name: 'DELETE is not checked', object: null, oldObject: sealedSecret(data, { annotations: { [CLUSTER]: 'true' } }), operation: 'DELETE' },
  ],
  invalid: [
    {
      name: 'cluster-wide',
      object: sealedSecret(data, { annotations: { [CLUSTER]: 'true' } }),
      errors: [{ messageId: 'clusterWide' as const, action: 'deny', field: clusterField, messageIncludes: ['db-credentials', 'team-a', 'any namespace', '--scope strict'] }],
    },
    {
      name: 'namespace-wide',
      object: sealedSecret(data, { annotations: { [NAMESPACE]: 'true' } }),
      errors: [{ messageId: 'namespaceWide' as const, action: 'deny', field: namespaceField, messageIncludes: ['renamed freely'] }],
    },
    {
      name: 'both: cluster-wide wins, as in the controller',
      object: sealedSecret(data, { annotations: { [CLUSTER]: 'true', [NAMESPACE]: 'true' } }),
      errors: [{ messageId: 'clusterWide' as const, action: 'deny', field: clusterField }],
    },
    {
      name: 'an allowance for another scope does not apply',
      object: sealedSecret(data, { name: 'registry-pull', namespace: 'platform', annotations: { [CLUSTER]: 'true' } }),
      options: { allow: [{ namespace: 'platform', scope: 'namespace-wide' }] },
      errors: [{ messageId: 'clusterWide' as const, action: 'deny', field: clusterField }],
    },
    {
      name: 'an allowance for another name does not apply',
      object: sealedSecret(data, { name: 'db', namespace: 'platform', annotations: { [CLUSTER]: 'true' } }),
      options: { allow: [{ namespace: 'platform', name: 'registry-pull', scope: 'cluster-wide' }] },
      errors: [{ messageId: 'clusterWide' as const, action: 'deny', field: clusterField }],
    },
    {
      name: 'an object annotation cannot exempt this isolation rule',
      object: sealedSecret(data, {
        annotations: { [CLUSTER]: 'true', 'secretguard.io/exempt': 'sealedsecret-scope', 'secretguard.io/exempt-reason': 'shared' },
      }),
      errors: [
        { messageId: 'exemptionNotHonoured' as const, action: 'warn', field: '/metadata/annotations/secretguard.io~1exempt' },
        { messageId: 'clusterWide' as const, action: 'deny', field: clusterField },
      ],
    },
    {
      name: 'the CLI checks manifests too',
      object: sealedSecret(data, { annotations: { [NAMESPACE]: 'true' } }),
      source: 'cli',
      errors: [{ messageId: 'namespaceWide' as const, action: 'deny', field: namespaceField }],
    },
  ],
});
