import rule from '../../src/rules/sealedsecret-template-metadata.js';
import { ruleTester } from '../rule-tester.js';
import { fakeCiphertext, sealedSecret } from '../sealedsecret/fixtures.js';

const c = (): string => fakeCiphertext(512, 20);
const typeField = '/spec/template/type';

ruleTester(rule, {
  valid: [
    { name: 'no template', object: sealedSecret({ a: c() }) },
    {
      name: 'kubeseal output: the template repeats the SealedSecret\'s own name and namespace',
      object: sealedSecret({ a: c() }, { template: { metadata: { name: 'db-credentials', namespace: 'team-a' }, type: 'Opaque' } }),
    },
    { name: 'empty template name and namespace', object: sealedSecret({ a: c() }, { template: { metadata: { name: '', namespace: '' } } }) },
    {
      name: 'a manifest without namespace in the CLI: nothing to compare',
      object: { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'x' }, spec: { encryptedData: { a: c() }, template: { metadata: { namespace: 'team-b' } } } },
      source: 'cli',
    },
    { name: 'tls with both keys sealed', object: sealedSecret({ 'tls.crt': c(), 'tls.key': c() }, { template: { type: 'kubernetes.io/tls' } }) },
    { name: 'tls with the certificate in template.data', object: sealedSecret({ 'tls.key': c() }, { template: { type: 'kubernetes.io/tls', data: { 'tls.crt': '-----BEGIN CERTIFICATE-----' } } }) },
    { name: 'basic-auth with only a password', object: sealedSecret({ password: c() }, { template: { type: 'kubernetes.io/basic-auth' } }) },
    { name: 'dockerconfigjson', object: sealedSecret({ '.dockerconfigjson': c() }, { template: { type: 'kubernetes.io/dockerconfigjson' } }) },
    { name: 'dockercfg', object: sealedSecret({ '.dockercfg': c() }, { template: { type: 'kubernetes.io/dockercfg' } }) },
    { name: 'ssh-auth', object: sealedSecret({ 'ssh-privatekey': c() }, { template: { type: 'kubernetes.io/ssh-auth' } }) },
    { name: 'an unknown type requires nothing', object: sealedSecret({ a: c() }, { template: { type: 'example.com/custom' } }) },
    { name: 'a legacy spec.data blob hides its keys', object: sealedSecret(undefined, { spec: { data: 'AgA=' }, template: { type: 'kubernetes.io/tls' } }) },
    { name: 'DELETE is not checked', object: null, oldObject: sealedSecret({}, { template: { type: 'kubernetes.io/tls' } }), operation: 'DELETE' },
  ],
  invalid: [
    {
      name: 'a template name that differs',
      object: sealedSecret({ a: c() }, { template: { metadata: { name: 'other-secret' } } }),
      errors: [{ messageId: 'templateName', action: 'warn', field: '/spec/template/metadata/name', messageIncludes: ['other-secret', 'Secret db-credentials'] }],
    },
    {
      name: 'a template namespace that differs (webhook)',
      object: sealedSecret({ a: c() }, { template: { metadata: { namespace: 'team-b' } } }),
      errors: [{ messageId: 'templateNamespace', action: 'warn', field: '/spec/template/metadata/namespace', messageIncludes: ['team-b', 'namespace team-a'] }],
    },
    {
      name: 'a template namespace that differs from the request namespace when metadata has none',
      object: { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'x' }, spec: { encryptedData: { a: c() }, template: { metadata: { namespace: 'team-b' } } } },
      errors: [{ messageId: 'templateNamespace', action: 'warn', field: '/spec/template/metadata/namespace', messageIncludes: ['namespace default'] }],
    },
    {
      name: 'both differ',
      object: sealedSecret({ a: c() }, { template: { metadata: { name: 'y', namespace: 'team-b' } } }),
      source: 'cli',
      errors: [
        { messageId: 'templateName', action: 'warn', field: '/spec/template/metadata/name' },
        { messageId: 'templateNamespace', action: 'warn', field: '/spec/template/metadata/namespace' },
      ],
    },
    {
      name: 'tls without a key',
      object: sealedSecret({ 'tls.crt': c() }, { template: { type: 'kubernetes.io/tls' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['kubernetes.io/tls requires tls.key'] }],
    },
    {
      name: 'tls with nothing',
      object: sealedSecret({}, { template: { type: 'kubernetes.io/tls' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['requires tls.crt and tls.key'] }],
    },
    {
      name: 'dockerconfigjson with the key under another name',
      object: sealedSecret({ 'config.json': c() }, { template: { type: 'kubernetes.io/dockerconfigjson' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['.dockerconfigjson'] }],
    },
    {
      name: 'dockercfg',
      object: sealedSecret({ a: c() }, { template: { type: 'kubernetes.io/dockercfg' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['.dockercfg'] }],
    },
    {
      name: 'basic-auth with neither username nor password',
      object: sealedSecret({ user: c(), pass: c() }, { template: { type: 'kubernetes.io/basic-auth' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['username or password'] }],
    },
    {
      name: 'ssh-auth without the private key',
      object: sealedSecret({ 'id_rsa': c() }, { template: { type: 'kubernetes.io/ssh-auth' } }),
      errors: [{ messageId: 'missingKeys', action: 'deny', field: typeField, messageIncludes: ['ssh-privatekey'] }],
    },
    {
      name: 'a config action applies to every message',
      object: sealedSecret({ 'tls.crt': c() }, { template: { type: 'kubernetes.io/tls', metadata: { name: 'z' } } }),
      config: { rules: { 'sealedsecret-template-metadata': 'audit' } },
      errors: [
        { messageId: 'templateName', action: 'audit', field: '/spec/template/metadata/name' },
        { messageId: 'missingKeys', action: 'audit', field: typeField },
      ],
    },
  ],
});
