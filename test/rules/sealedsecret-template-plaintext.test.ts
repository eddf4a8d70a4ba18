import rule from '../../src/rules/sealedsecret-template-plaintext.js';
import { ruleTester } from '../rule-tester.js';
import { fakeCiphertext, sealedSecret } from '../sealedsecret/fixtures.js';

const PASSWORD = 'Zx81kQp2LmNv7Rt-canary';
const DB_URL = 'postgres://app:S3cr3tPassw0rd9@db:5432/app';
const AWS_KEY = 'AKIAQ3EGUJ5BLZ7KMXRT';
const encryptedData = { password: fakeCiphertext(512, 20) };
const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, data: { password: Buffer.from(PASSWORD).toString('base64') } });

ruleTester(rule, {
  valid: [
    { name: 'kubeseal output: no template data, only metadata', object: sealedSecret(encryptedData, { template: { metadata: { name: 'db-credentials', namespace: 'team-a' }, type: 'Opaque' } }) },
    {
      name: 'template data that only refers to sealed keys',
      object: sealedSecret(encryptedData, {
        template: {
          data: {
            'database-url': 'postgres://app:{{ .password }}@db:5432/app',
            'config.yaml': 'db:\n  host: db\n  password: {{ .password }}\n',
            host: 'db.team-a.svc',
          },
        },
      }),
    },
    {
      name: 'harmless template annotations (scope, reloader, owner)',
      object: sealedSecret(encryptedData, {
        template: {
          metadata: {
            annotations: {
              'sealedsecrets.bitnami.com/namespace-wide': 'true',
              'reloader.stakater.com/match': 'true',
              'team.example.com/owner': 'team-a',
            },
          },
        },
      }),
    },
    {
      name: 'a last-applied annotation without data',
      object: sealedSecret(encryptedData, { template: { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Secret","metadata":{"name":"x"}}' } } } }),
    },
    { name: 'template data that is not a map is ignored', object: sealedSecret(encryptedData, { template: { data: 'nope' } }) },
    { name: 'DELETE is not checked', object: null, oldObject: sealedSecret(undefined, { spec: { data: 'AgA=' } }), operation: 'DELETE' },
  ],
  invalid: [
    {
      name: 'a password written into template data',
      object: sealedSecret(encryptedData, { template: { data: { password: PASSWORD } } }),
      errors: [{ messageId: 'templateData', action: 'deny', field: '/spec/template/data/password', messageIncludes: ['db-credentials', 'generic password', 'not encrypted', '{{ index . "password" }}'] }],
      canaries: [PASSWORD],
    },
    {
      name: 'a database URL and a structured config with credentials',
      object: sealedSecret(encryptedData, { template: { data: { 'database-url': DB_URL, 'config.yaml': `db:\n  password: ${PASSWORD}\n` } } }),
      errors: [
        { messageId: 'templateData', action: 'deny', field: '/spec/template/data/database-url', messageIncludes: ['database URL with a password'] },
        { messageId: 'templateData', action: 'deny', field: '/spec/template/data/config.yaml', messageIncludes: ['db.password'] },
      ],
      canaries: [PASSWORD, 'S3cr3tPassw0rd9'],
    },
    {
      name: 'a credential in a template annotation',
      object: sealedSecret(encryptedData, { template: { metadata: { annotations: { 'example.com/aws-key': AWS_KEY } } } }),
      errors: [{ messageId: 'templateAnnotation', action: 'deny', field: '/spec/template/metadata/annotations/example.com~1aws-key', messageIncludes: ['AWS access key id'] }],
      canaries: [AWS_KEY],
    },
    {
      name: 'a last-applied annotation carrying the Secret\'s data',
      object: sealedSecret(encryptedData, { template: { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } } }),
      errors: [{ messageId: 'lastApplied', action: 'deny', field: '/spec/template/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration' }],
      canaries: [PASSWORD, Buffer.from(PASSWORD).toString('base64')],
    },
    {
      name: 'a legacy spec.data blob gets a warning',
      object: sealedSecret(undefined, { spec: { data: fakeCiphertext(512, 300) } }),
      errors: [{ messageId: 'legacyData', action: 'warn', field: '/spec/data', messageIncludes: ['deprecated spec.data', 'Re-seal it with a current kubeseal'] }],
    },
    {
      name: 'the CLI reports the same',
      object: sealedSecret(encryptedData, { template: { data: { token: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a' } } }),
      source: 'cli',
      errors: [{ messageId: 'templateData', action: 'deny', field: '/spec/template/data/token', messageIncludes: ['GitHub token'] }],
      canaries: ['ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    },
  ],
});
