import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/reflector-namespace-isolation.js';
import { ruleTester } from '../rule-tester.js';
import { CLUSTER, TENANCY } from './fixtures-eso.js';

const P = 'reflector.v1.k8s.emberstack.com/';
const F = '/metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed-namespaces';
const secret = (annotations: Record<string, string>, namespace = 'team-a-web'): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'tls', namespace, annotations },
  data: { 'tls.key': 'a2V5LWNhbmFyeQ==' },
});
const base = { cluster: CLUSTER, config: TENANCY };

ruleTester(rule, {
  valid: [
    { name: 'reflection inside the tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api, team-a-web', [`${P}reflection-auto-enabled`]: 'true' }), ...base },
    { name: 'regex inside the tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-.*' }), ...base },
    { name: 'reflection not allowed', object: secret({ [`${P}reflection-allowed`]: 'false', [`${P}reflection-auto-enabled`]: 'true' }), ...base },
    { name: 'label-derived tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-b-preprod' }, 'team-b-web'), ...base },
    { name: 'no tenancy configured: nothing to isolate', object: secret({ [`${P}reflection-allowed`]: 'true' }), cluster: CLUSTER },
  ],
  invalid: [
    {
      name: 'empty list means all namespaces',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '', [`${P}reflection-auto-enabled`]: 'true' }),
      ...base,
      errors: [{ messageId: 'allNamespaces', action: 'deny', field: F, messageIncludes: ['auto reflection'] }],
      canaries: ['a2V5LWNhbmFyeQ=='],
    },
    {
      name: 'absent list means all namespaces',
      object: secret({ [`${P}reflection-allowed`]: 'True' }),
      ...base,
      errors: [{ messageId: 'allNamespaces', action: 'deny', field: '/metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed' }],
    },
    {
      name: "a namespace of another tenant",
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api,team-b-web' }),
      ...base,
      errors: [{ messageId: 'foreignNamespace', action: 'deny', field: F, messageIncludes: ['team-b-web', 'team-b'] }],
    },
    {
      name: 'a regex reaching another tenant',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '.*-web' }),
      ...base,
      errors: [{ messageId: 'foreignPattern', action: 'deny', field: F, messageIncludes: ['team-b-web'] }],
    },
    {
      name: 'an untenanted namespace is its own tenant',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'my-app' }),
      ...base,
      errors: [{ messageId: 'foreignNamespace', action: 'deny', field: F }],
    },
  ],
});
