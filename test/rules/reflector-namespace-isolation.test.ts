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
const ESC = 'reflector.v1.k8s.emberstack.com~1reflection-allowed-namespaces';
const SF = '/metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed-namespaces-selector';
const certificate = (annotations: Record<string, string>, namespace = 'team-a-web'): JsonObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'tls', namespace },
  spec: { secretName: 'tls', dnsNames: ['a.example.com'], issuerRef: { name: 'ca', kind: 'ClusterIssuer' }, secretTemplate: { annotations } },
});
const externalSecret = (annotations: Record<string, string>, namespace = 'team-a-web'): JsonObject => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ExternalSecret',
  metadata: { name: 'db', namespace },
  spec: { secretStoreRef: { kind: 'SecretStore', name: 's' }, target: { name: 'db', template: { metadata: { annotations } } }, data: [{ secretKey: 'k', remoteRef: { key: 'teams/team-a/k' } }] },
});
const clusterExternalSecret = (annotations: Record<string, string>, namespaces: string[]): JsonObject => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterExternalSecret',
  metadata: { name: 'db' },
  spec: { namespaces, externalSecretSpec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'shared-vault' }, target: { name: 'db', template: { metadata: { annotations } } }, data: [{ secretKey: 'k', remoteRef: { key: 'teams/team-a/k' } }] } },
});

ruleTester(rule, {
  valid: [
    { name: 'reflection inside the tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api, team-a-web', [`${P}reflection-auto-enabled`]: 'true' }), ...base },
    { name: 'regex inside the tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-.*' }), ...base },
    { name: 'reflection not allowed', object: secret({ [`${P}reflection-allowed`]: 'false', [`${P}reflection-auto-enabled`]: 'true' }), ...base },
    { name: 'label-derived tenant', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-b-preprod' }, 'team-b-web'), ...base },
    { name: 'no tenancy: a list of plain names is not judged', object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-b-web, other' }), cluster: CLUSTER },
    { name: 'no tenancy: reflection not allowed', object: secret({ [`${P}reflection-allowed`]: 'false' }), cluster: CLUSTER },
    { name: "the tenant's own anchored pattern, written with its anchors", object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '^team-a-.*$' }), ...base },
    ...['secretguard.io/tenant=team-b', 'secretguard.io/tenant==team-b', 'secretguard.io/tenant in (team-b)', 'env=prod,secretguard.io/tenant=team-b'].map((selector) => ({
      name: `a selector requiring the tenant label: ${selector}`,
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces-selector`]: selector }, 'team-b-web'),
      ...base,
    })),
    { name: 'a Certificate whose secretTemplate stays in the tenant', object: certificate({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api' }), ...base },
    { name: 'a Certificate without Reflector annotations', object: certificate({ 'example.com/x': 'y' }), cluster: CLUSTER },
    { name: 'an ExternalSecret template reflecting inside the tenant', object: externalSecret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-.*' }), ...base },
  ],
  invalid: [
    {
      name: 'empty list means all namespaces',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '', [`${P}reflection-auto-enabled`]: 'true' }),
      ...base,
      errors: [{ messageId: 'allNamespaces' as const, action: 'deny', field: F, messageIncludes: ['auto reflection'] }],
      canaries: ['a2V5LWNhbmFyeQ=='],
    },
    {
      name: 'absent list means all namespaces',
      object: secret({ [`${P}reflection-allowed`]: 'True' }),
      ...base,
      errors: [{ messageId: 'allNamespaces' as const, action: 'deny', field: '/metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed' }],
    },
    {
      name: "a namespace of another tenant",
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api,team-b-web' }),
      ...base,
      errors: [{ messageId: 'foreignNamespace' as const, action: 'deny', field: F, messageIncludes: ['team-b-web', 'team-b'] }],
    },
    {
      name: 'a regex reaching another tenant',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '.*-web' }),
      ...base,
      errors: [{ messageId: 'foreignPattern' as const, action: 'deny', field: F, messageIncludes: ['.*-web', 'outside tenant team-a', 'created later'] }],
    },
    ...['team-a-x.*|other', 'team-a-web|zzz-not-yet-created', '.*', 'team-a-[a-z]+', '(team-a-.*)', 'team-.*'].map((pattern) => ({
      name: `with tenancy, a pattern that can match outside the tenant is denied even when no such namespace exists: ${pattern}`,
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: pattern }),
      ...base,
      errors: [{ messageId: 'foreignPattern' as const, action: 'deny' as const, field: F, messageIncludes: [pattern] }],
    })),
    {
      name: 'no tenancy: an absent list is unbounded',
      object: secret({ [`${P}reflection-allowed`]: 'true' }),
      cluster: CLUSTER,
      errors: [{ messageId: 'allNamespaces' as const, action: 'deny', field: '/metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed', messageIncludes: ['created later'] }],
    },
    {
      name: 'no tenancy: an empty list is unbounded',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: ' , ' }),
      cluster: CLUSTER,
      errors: [{ messageId: 'allNamespaces' as const, action: 'deny', field: F }],
    },
    ...['team-.*', '.*', 'team-a|team-b', 'web[0-9]', 'a.b'].map((pattern) => ({
      name: `no tenancy: a pattern that is not a plain name is unbounded: ${pattern}`,
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: `team-a-api,${pattern}` }),
      cluster: CLUSTER,
      errors: [{ messageId: 'unboundedPattern' as const, action: 'deny' as const, field: F, messageIncludes: [pattern, 'no tenancy config'] }],
    })),
    {
      name: 'no tenancy: a selector is unbounded (ORed with the names, current Reflector)',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api', [`${P}reflection-allowed-namespaces-selector`]: 'env=prod' }),
      cluster: CLUSTER,
      errors: [{ messageId: 'unboundedSelector' as const, action: 'deny', field: SF, messageIncludes: ['no tenancy config'] }],
    },
    {
      name: 'no tenancy: a pattern RE2 cannot run cannot be verified',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '(?!kube-).*' }),
      cluster: CLUSTER,
      errors: [{ messageId: 'cannotVerify' as const, action: 'deny', field: F, messageIncludes: ['pattern 0', 'not valid RE2 syntax'] }],
    },
    ...['env=prod', 'secretguard.io/tenant in (team-a,team-b)', 'secretguard.io/tenant!=team-a', '!secretguard.io/tenant', 'secretguard.io/tenant'].map((selector) => ({
      name: `with tenancy, a selector not requiring tenant label = own tenant: ${selector}`,
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces-selector`]: selector }, 'team-b-web'),
      ...base,
      errors: [{ messageId: 'unboundedSelector' as const, action: 'deny' as const, field: SF, messageIncludes: ['secretguard.io/tenant=team-b'] }],
    })),
    {
      name: 'a bounded selector does not excuse a foreign name in the list (ORed)',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-web', [`${P}reflection-allowed-namespaces-selector`]: 'secretguard.io/tenant=team-b' }, 'team-b-web'),
      ...base,
      errors: [{ messageId: 'foreignNamespace' as const, action: 'deny', field: F, messageIncludes: ['team-a-web'] }],
    },
    {
      name: "a Certificate's secretTemplate reflecting into another tenant",
      object: certificate({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-b-web' }),
      ...base,
      errors: [{ messageId: 'foreignNamespace' as const, action: 'deny', field: `/spec/secretTemplate/annotations/${ESC}`, messageIncludes: ['Certificate (spec.secretTemplate) tls', 'team-b-web'] }],
    },
    {
      name: "a Certificate's secretTemplate with an absent list, no tenancy",
      object: certificate({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-auto-enabled`]: 'true' }),
      cluster: CLUSTER,
      errors: [{ messageId: 'allNamespaces' as const, action: 'deny', field: '/spec/secretTemplate/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed', messageIncludes: ['auto reflection'] }],
    },
    {
      name: "an ExternalSecret's target template reflecting everywhere",
      object: externalSecret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: '.*' }),
      ...base,
      errors: [{ messageId: 'foreignPattern' as const, action: 'deny', field: `/spec/target/template/metadata/annotations/${ESC}`, messageIncludes: ['ExternalSecret (target template)'] }],
    },
    {
      name: 'a ClusterExternalSecret is judged for the tenant of every namespace it targets',
      object: clusterExternalSecret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'team-a-api' }, ['team-a-web', 'team-b-web']),
      ...base,
      errors: [{ messageId: 'foreignNamespace' as const, action: 'deny', field: `/spec/externalSecretSpec/target/template/metadata/annotations/${ESC}`, messageIncludes: ['team-a-api', 'not team-b'] }],
    },
    {
      name: 'an untenanted namespace is its own tenant',
      object: secret({ [`${P}reflection-allowed`]: 'true', [`${P}reflection-allowed-namespaces`]: 'my-app' }),
      ...base,
      errors: [{ messageId: 'foreignNamespace' as const, action: 'deny', field: F }],
    },
  ],
});
