import rule from '../../src/rules/clustersecretstore-conditions.js';
import { ARGOCD, ruleTester } from '../rule-tester.js';
import { VAULT_BACKEND, clusterStore } from './fixtures-eso.js';

ruleTester(rule, {
  valid: [
    { name: 'conditions by namespace names', object: clusterStore('a', [{ namespaces: ['team-a-web'] }]) },
    { name: 'conditions by label selector', object: clusterStore('b', [{ namespaceSelector: { matchLabels: { team: 'b' } } }]) },
    { name: 'anchored regex', object: clusterStore('c', [{ namespaceRegexes: ['^team-a-.*$', '^(prod|stage)$'] }]) },
    { name: 'a shared store listed in options', object: VAULT_BACKEND, options: { sharedStores: ['vault-backend'] } },
    { name: 'DELETE is not checked', object: null, oldObject: VAULT_BACKEND, operation: 'DELETE' },
    { name: 'wrong types never throw', object: { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'x' }, spec: { conditions: [5, 'x', null, { namespaceRegexes: [7] , namespaces: ['a'] }] } } },
  ],
  invalid: [
    {
      name: "the seeds' vault-backend has no conditions",
      object: VAULT_BACKEND,
      requester: ARGOCD,
      errors: [{ messageId: 'noConditions', action: 'deny', field: '/spec', messageIncludes: ['vault-backend'] }],
    },
    { name: 'empty conditions list', object: clusterStore('e', []), errors: [{ messageId: 'noConditions', action: 'deny', field: '/spec' }] },
    {
      name: 'namespaceSelector {} matches every namespace',
      object: clusterStore('s', [{ namespaces: ['a'] }, { namespaceSelector: {} }]),
      errors: [{ messageId: 'selectsEveryNamespace', action: 'deny', field: '/spec/conditions/1/namespaceSelector' }],
    },
    {
      name: 'unanchored regexes: prod admits preprod',
      object: clusterStore('r', [{ namespaceRegexes: ['prod', '^team-a', 'team-b$', '^a|b$'] }]),
      errors: [
        { messageId: 'regexUnanchored', action: 'deny', field: '/spec/conditions/0/namespaceRegexes/0', messageIncludes: ['preprod'] },
        { messageId: 'regexUnanchored', action: 'deny', field: '/spec/conditions/0/namespaceRegexes/1' },
        { messageId: 'regexUnanchored', action: 'deny', field: '/spec/conditions/0/namespaceRegexes/2' },
        { messageId: 'regexUnanchored', action: 'deny', field: '/spec/conditions/0/namespaceRegexes/3' },
      ],
    },
    {
      name: 'a regex that does not compile',
      object: clusterStore('bad', [{ namespaceRegexes: ['^team-(a$'] }]),
      errors: [{ messageId: 'regexInvalid', action: 'deny', field: '/spec/conditions/0/namespaceRegexes/0' }],
    },
    {
      name: 'a condition written {} is a warning',
      object: clusterStore('empty', [{ namespaces: ['a'] }, {}]),
      errors: [{ messageId: 'emptyCondition', action: 'warn', field: '/spec/conditions/1' }],
    },
    {
      name: 'an unknown version is not checked',
      object: clusterStore('v', undefined, {}, 'v2alpha9'),
      errors: [{ messageId: 'unknownVersion', action: 'warn', field: '/apiVersion' }],
    },
    {
      name: 'object annotations cannot exempt an isolation rule',
      object: { ...VAULT_BACKEND, metadata: { name: 'vault-backend', annotations: { 'secretguard.io/exempt': 'clustersecretstore-conditions', 'secretguard.io/exempt-reason': 'x' } } },
      errors: [
        { messageId: 'exemptionNotHonoured', action: 'warn', field: '/metadata/annotations/secretguard.io~1exempt', messageIncludes: ['tenant isolation'] },
        { messageId: 'noConditions', action: 'deny', field: '/spec' },
      ],
    },
  ],
});
