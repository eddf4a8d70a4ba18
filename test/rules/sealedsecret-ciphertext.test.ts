import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rule from '../../src/rules/sealedsecret-ciphertext.js';
import { ruleTester, type ExpectedFinding, type MessageIdOf } from '../rule-tester.js';
import { fakeCiphertext, fakeCiphertextBytes, sealedSecret, sealingCert } from '../sealedsecret/fixtures.js';

const PLAINTEXT_CANARY = 'S3cr3t-Passw0rd-canary-Zq7';
const URL_CANARY = 'postgres://app:pl41n-canary-9xk@db:5432/app';
const cert2048 = sealingCert(2048);
const cert4096 = sealingCert(4096);
const dir = mkdtempSync(join(tmpdir(), 'sg-ciphertext-'));
const cert4096File = join(dir, 'prod-east.pem');
writeFileSync(cert4096File, cert4096.certPem);
const cert2048File = join(dir, 'dev.pem');
writeFileSync(cert2048File, cert2048.certPem);
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).publicKey;

const v4096 = fakeCiphertext(512, 24);
const v2048 = fakeCiphertext(256, 24);
const field = (key: string): string => `/spec/encryptedData/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
const deny = (messageId: MessageIdOf<typeof rule>, key: string, messageIncludes?: string[]): ExpectedFinding<MessageIdOf<typeof rule>> => ({
  messageId,
  action: 'deny',
  field: field(key),
  ...(messageIncludes !== undefined ? { messageIncludes } : {}),
});
// A value whose URL-safe form differs from the standard one (it has + or /).
function withUrlUnsafeChars(rsaLength: number): string {
  for (;;) {
    const v = fakeCiphertext(rsaLength, 30);
    if (/[+/]/.test(v)) return v;
  }
}
const urlValue = withUrlUnsafeChars(512).replaceAll('+', '-').replaceAll('/', '_');
// 2 + 512 + 16 + 1 = 531 bytes: 531 % 3 = 0, so pick a value length that needs padding.
const padded = fakeCiphertext(512, 2);

ruleTester(rule, {
  valid: [
    { name: '4096-bit ciphertexts, several lengths', object: sealedSecret({ password: v4096, empty: fakeCiphertext(512, 0), big: fakeCiphertext(512, 5000) }) },
    { name: '2048- and 3072-bit ciphertexts without configured certificates', object: sealedSecret({ a: v2048, b: fakeCiphertext(384, 3) }) },
    { name: 'line breaks inside a value are skipped like Go does', object: sealedSecret({ a: v4096.replace(/(.{76})/g, '$1\n') }) },
    { name: 'matches the configured certificate (PEM)', object: sealedSecret({ a: v4096 }), options: { certificates: [cert4096.certPem] } },
    { name: 'matches a configured public key (PEM)', object: sealedSecret({ a: v2048 }), options: { certificates: [cert2048.publicKeyPem] } },
    { name: 'matches one of several accepted certificates (files)', object: sealedSecret({ a: v2048, b: v4096 }), options: { certificates: [cert4096File, cert2048File] } },
    {
      name: 'the CLI picks the spoke by path',
      object: sealedSecret({ a: v2048 }),
      source: 'cli',
      options: {
        certificates: [
          { name: 'prod-east', certificates: [cert4096File], paths: ['clusters/prod-east'] },
          { name: 'dev', certificates: [cert2048File], paths: ['clusters/dev'] },
        ],
      },
    },
    { name: 'a legacy spec.data SealedSecret is left to sealedsecret-template-plaintext', object: sealedSecret(undefined, { spec: { data: 'AgA=' } }) },
    { name: 'DELETE is not checked', object: null, oldObject: sealedSecret({ a: 'nope' }), operation: 'DELETE' },
  ],
  invalid: [
    {
      name: "the seeds' placeholder",
      object: sealedSecret({ 'stripe-key': 'AgBxJ7tT... (encrypted)', 'sendgrid-key': 'AgAaK9mP... (encrypted)' }),
      errors: [deny('notBase64', 'stripe-key', ['not base64', 'placeholder']), deny('notBase64', 'sendgrid-key', ['not base64'])],
    },
    {
      name: 'plaintext pasted into encryptedData',
      object: sealedSecret({ password: PLAINTEXT_CANARY, url: URL_CANARY, short: 'hunter22' }),
      errors: [deny('notBase64', 'password'), deny('notBase64', 'url'), deny('invalidKeySize', 'short', ['RSA block length', 'is not a valid key size'])],
      canaries: [PLAINTEXT_CANARY, URL_CANARY, 'hunter22', 'pl41n'],
    },
    {
      name: 'plaintext that happens to be base64 of something',
      object: sealedSecret({ token: Buffer.from(PLAINTEXT_CANARY).toString('base64') }),
      errors: [deny('invalidKeySize', 'token', ['not a valid key size'])],
      canaries: [PLAINTEXT_CANARY, Buffer.from(PLAINTEXT_CANARY).toString('base64')],
    },
    { name: 'an empty map', object: sealedSecret({}), errors: [{ messageId: 'noEncryptedData' as const, action: 'deny', field: '/spec/encryptedData', messageIncludes: ['db-credentials'] }] },
    { name: 'no encryptedData at all', object: sealedSecret(undefined), errors: [{ messageId: 'noEncryptedData' as const, action: 'deny', field: '/spec/encryptedData' }] },
    { name: 'a value that is not a string', object: sealedSecret({ a: 42, b: null }), errors: [deny('notString', 'a'), deny('notString', 'b')] },
    { name: 'an empty value', object: sealedSecret({ a: '' }), errors: [deny('notBase64', 'a', ['empty'])] },
    { name: 'base64url instead of standard', object: sealedSecret({ a: urlValue }), errors: [deny('notBase64', 'a', ['URL-safe'])] },
    { name: 'stripped padding', object: sealedSecret({ a: padded.replace(/=+$/, '') }), errors: [deny('notBase64', 'a', ['padding'])] },
    { name: 'padding in the middle', object: sealedSecret({ a: 'AgA=' + v4096 }), errors: [deny('notBase64', 'a', ['padding'])] },
    { name: 'too short to hold the header', object: sealedSecret({ a: 'AA==' }), errors: [deny('noHeader', 'a', ['1 bytes'])] },
    {
      name: 'RSA block length 300',
      object: sealedSecret({ a: fakeCiphertext(300, 10) }),
      errors: [deny('invalidKeySize', 'a', ['RSA block length 300 is not a valid key size'])],
    },
    {
      name: 'cut inside the RSA block',
      object: sealedSecret({ a: fakeCiphertextBytes(512, 10).subarray(0, 300).toString('base64') }),
      errors: [deny('tooShort', 'a', ['too short for a 4096-bit key', '300 bytes', 'at least 530'])],
    },
    {
      name: 'shorter than 2 + L + 16',
      object: sealedSecret({ a: fakeCiphertextBytes(256, 0).subarray(0, 2 + 256 + 15).toString('base64') }),
      errors: [deny('tooShort', 'a', ['too short for a 2048-bit key'])],
    },
    {
      name: 'sealed for a 2048-bit key where the configured certificate is 4096-bit',
      object: sealedSecret({ a: v2048, b: v4096 }),
      options: { certificates: [cert4096.certPem] },
      errors: [deny('wrongKeySize', 'a', ['2048-bit key', 'the configured sealing certificates are 4096-bit'])],
    },
    {
      name: 'the CLI picks the spoke by path, and the value was sealed for the other spoke',
      object: sealedSecret({ a: v2048 }),
      source: 'cli',
      options: {
        certificates: [
          { name: 'prod-east', certificates: [cert4096File], paths: ['test.yaml'] },
          { name: 'dev', certificates: [cert2048File], paths: ['clusters/dev'] },
        ],
      },
      errors: [deny('wrongKeySize', 'a', ["spoke prod-east's sealing certificates are 4096-bit"])],
    },
    {
      name: 'a missing certificate file becomes an error finding after the checks',
      object: sealedSecret({ a: v4096, b: 'not-base64!' }),
      options: { certificates: [join(dir, 'missing.pem')] },
      errors: [deny('notBase64', 'b'), { messageId: 'unusableCertificate' as const, action: 'error', field: '', messageIncludes: ['ENOENT', 'missing.pem'] }],
    },
    {
      name: 'a configured certificate that is not PEM',
      object: sealedSecret({ a: v4096 }),
      options: { certificates: ['-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n'] },
      errors: [{ messageId: 'unusableCertificate' as const, action: 'error', field: '', messageIncludes: ['options.certificates[0]', 'not a PEM certificate'] }],
    },
    {
      name: 'a configured key that is not RSA',
      object: sealedSecret({ a: v4096 }),
      options: { certificates: [ecKey] },
      errors: [{ messageId: 'unusableCertificate' as const, action: 'error', field: '', messageIncludes: ['not an RSA key'] }],
    },
    {
      name: 'keys are escaped in field pointers',
      object: sealedSecret({ 'a/b~c': 'nope nope' }),
      errors: [deny('notBase64', 'a/b~c')],
    },
    {
      name: 'the action can be lowered by config',
      object: sealedSecret({ a: 'AgBxJ7tT...' }),
      config: { rules: { 'sealedsecret-ciphertext': 'warn' } },
      errors: [{ messageId: 'notBase64', action: 'warn', field: field('a') }],
    },
  ],
});
