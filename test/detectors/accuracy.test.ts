import t from 'tap';
import { detectCredentials, NOT_FULLY_SCANNED } from '../../src/detectors/detect.js';
import { decodeSecretValue, isCanonicalPlaceholder, isPlaceholder } from '../../src/detectors/text.js';
import { GITHUB_CLASSIC, PUBLIC_CERT, RSA_KEY } from './fixtures.js';

/*
 * Classes found by sweeping public GitOps repositories (docs/accuracy.md). Each case is written for this
 * table, shaped like the file it stands for; none is copied.
 */

interface Case {
  name: string;
  key: string;
  value: string;
}

const credentials = (hits: ReturnType<typeof detectCredentials>): string[] => hits.filter((h) => h.detectorId !== NOT_FULLY_SCANNED).map((h) => h.detectorId);

/** Credentials each detector missed before the sweep. */
const MISSED: Case[] = [
  // Key names whose first word only starts like a switch word (min, use, auto): the words are secrets.
  { name: 'MinIO access key in a standalone Deployment', key: 'MINIO_ACCESS_KEY', value: 'storageadmin' },
  { name: 'MinIO secret key', key: 'MINIO_SECRET_KEY', value: 'storage-pw-2024' },
  { name: 'MinIO root password', key: 'MINIO_ROOT_PASSWORD', value: 'Rootpass77' },
  { name: 'an app user password', key: 'USER_PASSWORD', value: 'wintersun' },
  { name: 'an automation token', key: 'AUTOMATION_TOKEN', value: 'autom8-Qx41' },
  { name: 'camelCase minio key', key: 'minioSecretKey', value: 'storage-pw-2024' },
  { name: 'a RabbitMQ default pass', key: 'RABBITMQ_DEFAULT_PASS', value: 'password' },
  { name: 'an SMTP pass in camelCase', key: 'smtpPass', value: 'mailer9' },
  // Values that were taken for placeholders.
  { name: 'the literal password', key: 'MYSQL_PASSWORD', value: 'password' },
  { name: 'the literal password, quoted', key: 'POSTGRES_PASSWORD', value: '"password"' },
  { name: 'a two-letter password', key: 'DB_PASSWORD', value: 'pw' },
  { name: 'a four-letter root password', key: 'MYSQL_ROOT_PASSWORD', value: 'root' },
  { name: 'a five-character password', key: 'ADMIN_PASSWORD', value: 'ab12!' },
  { name: 'a digits-only password', key: 'REDIS_PASSWORD', value: '1234' },
  { name: 'a value that merely contains "example"', key: 'API_TOKEN', value: 'example-Kq83Lm' },
  { name: 'a password made of a word and digits', key: 'LDAP_ADMIN_PASSWORD', value: 'example123' },
  // YAML block scalars inside a config file.
  { name: 'password as a literal block scalar', key: 'config.yaml', value: 'storage:\n  s3:\n    accessKey: admin\n    password: |\n      Vq8mLr2Tx9\n    region: us-east-1\n' },
  { name: 'password as a folded block scalar, stripped', key: 'settings.yaml', value: 'database:\n  password: >-\n    Nw4kZp7Hc2\nother: 1\n' },
  { name: 'a PEM key as a block scalar under a neutral key', key: 'server.yaml', value: `tls:\n  key: |\n${RSA_KEY.split('\n').map((l) => `    ${l}`).join('\n')}\n` },
];

/** Values the detectors read as credentials before the sweep, and are not. */
const MISREAD: Case[] = [
  { name: 'nsswitch.conf', key: 'nsswitch.conf', value: 'passwd:     compat\ngroup:      compat\nshadow:     files\nhosts:      files dns\n' },
  { name: 'nsswitch.conf with actions', key: 'nsswitch.conf', value: 'passwd: files [NOTFOUND=return] sss\n' },
  { name: 'Argo CD password pattern', key: 'passwordPattern', value: '^.{8,32}$' },
  { name: 'Argo CD OIDC claims', key: 'oidc.config', value: 'name: SSO\nissuer: https://sso.example.net\nclientID: argo\nclientSecret: $oidc.sso.clientSecret\nrequestedIDTokenClaims: {"groups": {"essential": true}}\n' },
  { name: 'Argo CD $secret:key reference', key: 'oidc.config', value: 'clientSecret: $argocd-oidc-creds:oidc.clientSecret\n' },
  { name: 'image pull Secret names in JSON inside prose', key: '_example', value: '# the names of Secrets to pull with\n"imagePullSecrets": ["registry-secret"]\n' },
  { name: 'image pull secret names as a YAML flow list', key: 'defaults.yaml', value: 'imagePullSecrets: [regcred, ghcr-pull]\n' },
  { name: 'dex secretEnv names an env var', key: 'config.yaml', value: 'staticClients:\n- id: portal\n  name: Portal\n  secretEnv: PORTAL_CLIENT_SECRET\n' },
  { name: 'an env var whose value is its own name', key: 'HF_TOKEN', value: 'HF_TOKEN' },
  { name: 'python code reading a token', key: 'serve.py', value: 'import os\ndef load():\n    with open(path) as f:\n        token = f.read()\n    token = os.environ["HUB_TOKEN"]\n    return token\n' },
  { name: 'a placeholder name for an API key', key: 'GOOGLE_API_KEY', value: 'GOOGLE_API_KEY_VAL' },
  { name: 'a vendor prefix and a placeholder name', key: 'NGC_API_KEY', value: 'nvapi-NVKEY' },
  { name: 'an angle-bracket phrase in a longer value', key: 'AUTH_TOKEN', value: 'Bearer <your token>' },
  { name: 'a public certificate under a secret-sounding key', key: 'clientSecretCert', value: PUBLIC_CERT.trim().split('\n')[0] ?? '' },
  { name: 'an SSH public key under a key-sounding name', key: 'deployKey', value: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH7p deploy@ci' },
  { name: 'the AWS documentation access key', key: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
  { name: 'the AWS documentation secret key', key: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  {
    name: 'the Azurite development connection string',
    key: 'AZURE_STORAGE_CONNECTION_STRING',
    value:
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=' +
      ['Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2U', 'VErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='].join('') +
      ';BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;',
  },
  { name: 'a MySQL flag under a password-sounding key', key: 'MYSQL_RANDOM_ROOT_PASSWORD', value: '1' },
  { name: 'an empty-password switch', key: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: 'yes' },
  { name: 'a switch key starting with use', key: 'USE_TOKEN', value: 'enabled-always' },
  { name: 'existing secret name', key: 'existingSecret', value: 'db-creds' },
  { name: 'a bypass switch', key: 'AUTH_BYPASS', value: 'internal-only' },
  { name: 'a compass heading', key: 'COMPASS', value: 'north-west' },
];

t.test('credentials missed before the sweep are found', async (t) => {
  for (const { name, key, value } of MISSED) {
    t.ok(credentials(detectCredentials(key, value)).length > 0, name);
  }
});

t.test('values misread as credentials before the sweep are not', async (t) => {
  for (const { name, key, value } of MISREAD) {
    t.same(detectCredentials(key, value), [], name);
  }
});

t.test('a real value next to a misread shape is still found', async (t) => {
  t.ok(credentials(detectCredentials('nsswitch.conf', 'passwd: compat\nadmin_password: Tq7Lr2Vx\n')).length > 0, 'NSS file with a real password line');
  t.ok(credentials(detectCredentials('serve.py', `token = "${GITHUB_CLASSIC}"\n`)).includes('github-token'), 'a known token in code');
  t.ok(credentials(detectCredentials('secretEnv', 'Kq8vT2mZ9xLw4bN7pR1sQ')).length > 0, 'random value under an env-name key is still high-entropy');
  t.ok(credentials(detectCredentials('API_KEY', 'MONKEY')).length > 0, 'a capitals-only password without a separator');
  t.ok(credentials(detectCredentials('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLF')).length > 0, 'one character off the published key');
});

t.test('placeholders', async (t) => {
  for (const value of ['<password>', '${DB_PASSWORD}', '{{ .Values.password }}', 'CHANGEME', 'change-me', 'REPLACE_ME', 'xxxxxxxx', '...']) {
    t.ok(isCanonicalPlaceholder(value), `canonical: ${value}`);
    t.ok(isPlaceholder(value), `placeholder: ${value}`);
  }
  for (const value of ['password', 'example', 'admin', 'Bearer <token>', 'GOOGLE_API_KEY_VAL', 'dummy', 'abc...def', '${A}${B}', 'x']) {
    t.notOk(isCanonicalPlaceholder(value), `not canonical: ${value}`);
  }
  t.notOk(isPlaceholder('password'), 'the literal password is not a placeholder');
  t.notOk(isPlaceholder('example-Kq83Lm'), '"example" alone does not make a placeholder');
});

t.test('binaryData padded with NUL or 0xFF is text', async (t) => {
  const text = Buffer.from('password=Hq2Lm8Vx\n');
  for (const pad of [[0], [0, 0, 0], [0xff], [0xff, 0xff, 0, 0xff]]) {
    const decoded = decodeSecretValue(Buffer.concat([text, Buffer.from(pad)]).toString('base64'));
    t.equal(decoded.kind, 'text', `padding ${JSON.stringify(pad)}`);
    if (decoded.kind === 'text') t.ok(credentials(detectCredentials('app.env', decoded.text)).length > 0);
  }
  t.equal(decodeSecretValue(Buffer.from([0, 0, 0]).toString('base64')).kind, 'binary', 'only padding is binary');
  t.equal(decodeSecretValue(Buffer.from([1, 2, 3, 0]).toString('base64')).kind, 'binary', 'control bytes then NUL stay binary');
  t.equal(decodeSecretValue(Buffer.from('ab\u0000cd').toString('base64')).kind, 'binary', 'a NUL inside stays binary');
});

t.test('bounds: a credential far into a value is found, or the value is said to be not fully scanned', async (t) => {
  const token = ` ${GITHUB_CLASSIC}\n`;
  const cases: { name: string; key: string; value: string }[] = [
    { name: 'past 64 KiB of text', key: 'notes.txt', value: 'lorem ipsum '.repeat(7000) + token },
    { name: 'past 64 KiB of a CA bundle', key: 'bundle.pem', value: (PUBLIC_CERT + '\n').repeat(80) + `password=Hq2Lm8Vx${token}` },
    { name: 'past the 2,000th properties entry', key: 'app.properties', value: Array.from({ length: 5000 }, (_, i) => `k${i}=v${i}`).join('\n') + '\ndb.password=Hq2Lm8Vx\n' },
    { name: 'past the 2,000th JSON entry', key: 'big.json', value: JSON.stringify({ ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, `v${i}`])), password: 'Hq2Lm8Vx' }) },
    { name: 'past the 2,000th YAML entry', key: 'big.yaml', value: Array.from({ length: 3000 }, (_, i) => `k${i}: v${i}`).join('\n') + '\npassword: Hq2Lm8Vx\n' },
    { name: 'JSON 40 levels deep', key: 'deep.json', value: '{"a":'.repeat(40) + '{"password":"Hq2Lm8Vx"}' + '}'.repeat(40) },
    { name: 'after 10,000 blank lines', key: 'app.env', value: '\n'.repeat(10_000) + 'DB_PASSWORD=Hq2Lm8Vx\n' },
    { name: 'after 10,000 blank CRLF lines', key: 'app.env', value: '\r\n'.repeat(10_000) + 'DB_PASSWORD=Hq2Lm8Vx\r\n' },
  ];
  for (const { name, key, value } of cases) {
    const hits = detectCredentials(key, value);
    t.ok(credentials(hits).length > 0, `${name}: found`);
  }
  const beyond = [
    { name: 'longer than 1 MiB', key: 'blob.txt', value: 'a '.repeat(600 * 1024) + token },
    { name: 'JSON 300 levels deep', key: 'deep.json', value: '{"a":'.repeat(300) + '{"password":"Hq2Lm8Vx"}' + '}'.repeat(300) },
    { name: 'more than 100,000 entries', key: 'huge.properties', value: 'a=b\n'.repeat(110_000) + 'password=Hq2Lm8Vx\n' },
  ];
  for (const { name, key, value } of beyond) {
    const hits = detectCredentials(key, value);
    t.ok(hits.some((h) => h.detectorId === NOT_FULLY_SCANNED && h.description.startsWith('not fully scanned')), `${name}: not fully scanned`);
  }
  t.same(detectCredentials('huge.properties', 'a=b\n'.repeat(1000)), [], 'within bounds and benign: nothing');
});
