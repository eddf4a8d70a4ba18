import type { JsonValue } from '../../src/k8s/json.js';
import rule from '../../src/rules/clustersecretstore-conditions.js';
import { ARGOCD, ruleTester } from '../rule-tester.js';
import { VAULT_BACKEND, clusterStore } from './fixtures-eso.js';

ruleTester(rule, {
  valid: [
    { name: 'conditions by namespace names', object: clusterStore('a', [{ namespaces: ['team-a-web'] }]) },
    { name: 'conditions by label selector', object: clusterStore('b', [{ namespaceSelector: { matchLabels: { team: 'b' } } }]) },
    { name: 'anchored regex', object: clusterStore('c', [{ namespaceRegexes: ['^team-a-.*$', '^(prod|stage)$'] }]) },
    { name: 'a selector with a positive requirement besides negative ones', object: clusterStore('p', [{ namespaceSelector: { matchLabels: { team: 'b' }, matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }]) },
    { name: 'Exists on a label namespaces must be given', object: clusterStore('q', [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }, { key: 'env', operator: 'NotIn', values: ['dev'] }] } }]) },
    { name: 'In on the namespace name', object: clusterStore('n', [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a-web'] }] } }]) },
    { name: 'a shared store listed in options', object: VAULT_BACKEND, options: { sharedStores: ['vault-backend'] } },
    { name: 'DELETE is not checked', object: null, oldObject: VAULT_BACKEND, operation: 'DELETE' },
    { name: 'wrong types never throw', object: { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'x' }, spec: { conditions: [5, 'x', null, { namespaceRegexes: [7] , namespaces: ['a'] }] } } },
  ],
  invalid: [
    {
      name: "the seeds' vault-backend has no conditions",
      object: VAULT_BACKEND,
      requester: ARGOCD,
      errors: [{ messageId: 'noConditions' as const, action: 'deny', field: '/spec', messageIncludes: ['vault-backend'] }],
    },
    { name: 'empty conditions list', object: clusterStore('e', []), errors: [{ messageId: 'noConditions' as const, action: 'deny', field: '/spec' }] },
    {
      name: 'namespaceSelector {} matches every namespace',
      object: clusterStore('s', [{ namespaces: ['a'] }, { namespaceSelector: {} }]),
      errors: [{ messageId: 'selectsEveryNamespace' as const, action: 'deny', field: '/spec/conditions/1/namespaceSelector' }],
    },
    ...['^.*$', '^[\\s\\S]*$', '.*', '', '.', '^(team-a|.*)$', '^team-a$|.*', '^[a-z0-9-]+$', '\\w', '^(?:.*)$'].map((regex) => ({
      name: `a namespaceRegex admitting every namespace: ${JSON.stringify(regex)}`,
      object: clusterStore('all', [{ namespaceRegexes: ['^team-a-web$', regex] }]),
      errors: [{ messageId: 'regexAdmitsAll' as const, action: 'deny' as const, field: '/spec/conditions/0/namespaceRegexes/1', messageIncludes: ['as open as one without conditions'] }],
    })),
    ...([
      ['Exists on kubernetes.io/metadata.name', [{ key: 'kubernetes.io/metadata.name', operator: 'Exists' }]],
      ['DoesNotExist on a key new namespaces lack', [{ key: 'quarantined', operator: 'DoesNotExist' }]],
      ['NotIn only', [{ key: 'env', operator: 'NotIn', values: ['dev'] }]],
      ['NotIn on the namespace name', [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }]],
      ['only negative requirements', [{ key: 'a', operator: 'DoesNotExist' }, { key: 'b', operator: 'NotIn', values: ['x'] }, { key: 'kubernetes.io/metadata.name', operator: 'Exists' }]],
    ] as [string, JsonValue][]).map(([what, matchExpressions]) => ({
      name: `a namespaceSelector admitting every new namespace: ${what}`,
      object: clusterStore('sel', [{ namespaceSelector: { matchExpressions } }]),
      errors: [{ messageId: 'selectorAdmitsAll' as const, action: 'deny' as const, field: '/spec/conditions/0/namespaceSelector', messageIncludes: ['also one created later'] }],
    })),
    {
      name: 'unanchored regexes: prod admits preprod',
      object: clusterStore('r', [{ namespaceRegexes: ['prod', '^team-a', 'team-b$', '^a|b$'] }]),
      errors: [
        { messageId: 'regexUnanchored' as const, action: 'deny', field: '/spec/conditions/0/namespaceRegexes/0', messageIncludes: ['preprod'] },
        { messageId: 'regexUnanchored' as const, action: 'deny', field: '/spec/conditions/0/namespaceRegexes/1' },
        { messageId: 'regexUnanchored' as const, action: 'deny', field: '/spec/conditions/0/namespaceRegexes/2' },
        { messageId: 'regexUnanchored' as const, action: 'deny', field: '/spec/conditions/0/namespaceRegexes/3' },
      ],
    },
    {
      name: 'a regex that does not compile',
      object: clusterStore('bad', [{ namespaceRegexes: ['^team-(a$'] }]),
      errors: [{ messageId: 'regexInvalid' as const, action: 'deny', field: '/spec/conditions/0/namespaceRegexes/0' }],
    },
    {
      name: 'a condition written {} is a warning',
      object: clusterStore('empty', [{ namespaces: ['a'] }, {}]),
      errors: [{ messageId: 'emptyCondition' as const, action: 'warn', field: '/spec/conditions/1' }],
    },
    {
      name: 'an unknown version is not checked',
      object: clusterStore('v', undefined, {}, 'v2alpha9'),
      errors: [{ messageId: 'unknownVersion' as const, action: 'warn', field: '/apiVersion' }],
    },
    {
      name: 'object annotations cannot exempt an isolation rule',
      object: { ...VAULT_BACKEND, metadata: { name: 'vault-backend', annotations: { 'secretguard.io/exempt': 'clustersecretstore-conditions', 'secretguard.io/exempt-reason': 'x' } } },
      errors: [
        { messageId: 'exemptionNotHonoured' as const, action: 'warn', field: '/metadata/annotations/secretguard.io~1exempt', messageIncludes: ['tenant isolation'] },
        { messageId: 'noConditions' as const, action: 'deny', field: '/spec' },
      ],
    },
  ],
});
