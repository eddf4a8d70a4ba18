import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/externalsecret-template-plaintext.js';
import { AWS_KEY_ID, canariesIn, GITHUB_CLASSIC, STRIPE_LIVE } from '../detectors/fixtures.js';
import { ruleTester } from '../rule-tester.js';
import { externalSecret } from './fixtures-eso.js';

const PASSWORD = 'Zx81kQp2LmNv7Rt-canary';
const store = { name: 'vault-backend', kind: 'ClusterSecretStore' };
const fetched = [{ secretKey: 'password', remoteRef: { key: 'teams/team-a/db', property: 'password' } }];
const withTemplate = (template: JsonObject, version = 'v1'): JsonObject =>
  externalSecret('team-a-web', { refreshInterval: '1h', secretStoreRef: store, target: { name: 'db', template }, data: fetched }, version);
const clusterExternalSecret = (template: JsonObject): JsonObject => ({
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterExternalSecret',
  metadata: { name: 'shared-db' },
  spec: { namespaceSelectors: [{ matchLabels: { env: 'prod' } }], externalSecretSpec: { secretStoreRef: store, target: { name: 'db', template }, data: fetched } },
});

ruleTester(rule, {
  valid: [
    { name: 'no template', object: externalSecret('team-a-web', { secretStoreRef: store, target: { name: 'db' }, data: fetched }) },
    {
      name: 'template data that only refers to fetched keys (Go templates, Sprig)',
      object: withTemplate({
        engineVersion: 'v2',
        type: 'Opaque',
        data: {
          'database-url': 'postgres://app:{{ .password }}@db:5432/app',
          'config.yaml': 'db:\n  host: db\n  user: app\n  password: "{{ .password | toString }}"\n',
          '.dockerconfigjson': '{"auths":{"ghcr.io":{"auth":"{{ printf "%s:%s" .user .password | b64enc }}"}}}',
          password: '{{ .password }}',
          host: 'db.team-a.svc',
        },
      }),
    },
    {
      name: 'templateFrom literal with references only, and configMap/secret sources',
      object: withTemplate({
        templateFrom: [
          { literal: 'password: "{{ .password }}"\nurl: "postgres://app:{{ .password }}@db:5432/app"\n' },
          { target: 'Annotations', literal: 'team.example.com/owner: team-a\n' },
          { configMap: { name: 'db-template', items: [{ key: 'config.yaml' }] } },
          { secret: { name: 'db-template', items: [{ key: 'tpl' }] } },
        ],
      }),
    },
    {
      name: 'ClusterExternalSecret template with references only',
      object: clusterExternalSecret({ data: { token: '{{ .token }}' }, templateFrom: [{ literal: 'token: "{{ .token }}"\n' }] }),
    },
    { name: 'wrong shapes', object: withTemplate({ data: 'x', templateFrom: [null, 3, { literal: 7 }, 'literal'] }) },
    { name: 'template is not an object', object: externalSecret('team-a-web', { target: { template: ['data'] } }) },
  ],
  invalid: [
    {
      name: 'literal password and tokens in template data (v1)',
      object: withTemplate({
        data: {
          password: PASSWORD,
          'database-url': `postgres://app:${PASSWORD}@db:5432/app`,
          'config.yaml': `github:\n  token: ${GITHUB_CLASSIC}\n`,
          fetched: '{{ .password }}',
        },
      }),
      errors: [
        { messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/password', messageIncludes: ['ExternalSecret db', 'spec.target.template.data key password', '{{ index . "password" }}'] },
        { messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/database-url', messageIncludes: ['database URL'] },
        { messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/config.yaml', messageIncludes: ['GitHub token'] },
      ],
      canaries: [PASSWORD, ...canariesIn(GITHUB_CLASSIC)],
    },
    {
      name: 'a literal next to a reference in one value (v1beta1)',
      object: withTemplate({ data: { '.env': `DB_PASSWORD={{ .password }}\nSTRIPE_KEY=${STRIPE_LIVE}\n` } }, 'v1beta1'),
      errors: [{ messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/.env', messageIncludes: ['Stripe secret key'] }],
      canaries: canariesIn(STRIPE_LIVE),
    },
    {
      name: 'templateFrom literal holding credentials, for Data and for Annotations',
      object: withTemplate({
        templateFrom: [
          { literal: 'password: "{{ .password }}"\n' },
          { literal: `aws_access_key_id: ${AWS_KEY_ID}\nuser: app\n` },
          { target: 'Annotations', literal: `example.com/api-token: ${GITHUB_CLASSIC}\n` },
        ],
      }),
      errors: [
        { messageId: 'templateLiteral', action: 'deny', field: '/spec/target/template/templateFrom/1/literal', messageIncludes: ['spec.target.template.templateFrom[1].literal', 'AWS access key id'] },
        { messageId: 'templateLiteral', action: 'deny', field: '/spec/target/template/templateFrom/2/literal', messageIncludes: ['GitHub token'] },
      ],
      canaries: [...canariesIn(AWS_KEY_ID), ...canariesIn(GITHUB_CLASSIC)],
    },
    {
      name: 'ClusterExternalSecret: spec.externalSecretSpec.target.template',
      object: clusterExternalSecret({ data: { password: PASSWORD }, templateFrom: [{ literal: `password: ${PASSWORD}\n` }] }),
      errors: [
        { messageId: 'templateData', action: 'deny', field: '/spec/externalSecretSpec/target/template/data/password', messageIncludes: ['ClusterExternalSecret shared-db', 'spec.externalSecretSpec.target.template.data key password'] },
        { messageId: 'templateLiteral', action: 'deny', field: '/spec/externalSecretSpec/target/template/templateFrom/0/literal', messageIncludes: ['generic password'] },
      ],
      canaries: [PASSWORD],
    },
    {
      name: 'a __proto__ key cannot hide a literal',
      object: JSON.parse(JSON.stringify(withTemplate({ data: {} })).replace('"data":{}', `"data":{"__proto__":"${PASSWORD}","password":"${PASSWORD}"}`)) as JsonObject,
      errors: [
        { messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/__proto__', messageIncludes: ['key __proto__'] },
        { messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/password' },
      ],
      canaries: [PASSWORD],
    },
    {
      name: 'CLI: the same literal in a manifest file',
      object: withTemplate({ data: { token: GITHUB_CLASSIC } }),
      source: 'cli',
      errors: [{ messageId: 'templateData', action: 'deny', field: '/spec/target/template/data/token', messageIncludes: ['GitHub token'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    },
    {
      name: 'unknown version',
      object: withTemplate({ data: { password: PASSWORD } }, 'v2'),
      errors: [{ messageId: 'unknownVersion', action: 'warn', field: '/apiVersion' }],
    },
  ],
});
