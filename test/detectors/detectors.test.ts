import t from 'tap';
import { allDetectors, describeHits, detectCredentials } from '../../src/detectors/detect.js';
import { isPlaceholder, shannonEntropy } from '../../src/detectors/text.js';
import * as F from './fixtures.js';

interface Case {
  key: string;
  value: string;
}

/** Per detector: values it must flag (true positives) and near misses it must not (true negatives). */
const table: Record<string, { positive: Case[]; negative: Case[] }> = {
  'aws-access-key-id': {
    positive: [{ key: 'AWS_ACCESS_KEY_ID', value: F.AWS_KEY_ID }, { key: 'credentials', value: `[default]\naws_access_key_id = ${F.AWS_KEY_ID}\n` }],
    negative: [{ key: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' }, { key: 'x', value: 'AKIAAAAAAAAAAAAAAAAA' }, { key: 'x', value: `X${F.AWS_KEY_ID}` }],
  },
  'aws-secret-access-key': {
    positive: [{ key: 'AWS_SECRET_ACCESS_KEY', value: F.AWS_SECRET }, { key: 'aws_secret_access_key', value: `"${F.AWS_SECRET}"` }],
    negative: [
      { key: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      { key: 'CHECKSUM', value: F.AWS_SECRET },
      { key: 'AWS_SECRET_ACCESS_KEY', value: 'short' },
    ],
  },
  'github-token': {
    positive: [{ key: 'GITHUB_TOKEN', value: F.GITHUB_CLASSIC }, { key: 'x', value: F.GITHUB_FINE }, { key: 'url', value: `https://x-access-token:${F.GITHUB_CLASSIC}@github.com/org/repo` }],
    negative: [{ key: 'GITHUB_TOKEN', value: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }, { key: 'x', value: 'ghp_short' }, { key: 'x', value: `a${F.GITHUB_CLASSIC}` }],
  },
  'gitlab-token': {
    positive: [{ key: 'token', value: F.GITLAB }],
    negative: [{ key: 'token', value: 'glpat-xxxxxxxxxxxxxxxxxxxx' }, { key: 'x', value: 'glpat-short' }],
  },
  'slack-token': {
    positive: [{ key: 'SLACK_BOT_TOKEN', value: F.SLACK_BOT }],
    negative: [{ key: 'x', value: 'xoxb-your-token-here' }, { key: 'x', value: 'xoxb-' }],
  },
  'slack-webhook': {
    positive: [{ key: 'SLACK_WEBHOOK', value: F.SLACK_HOOK }, { key: 'alertmanager.yml', value: `receivers:\n- name: ops\n  slack_configs:\n  - api_url: ${F.SLACK_HOOK}\n` }],
    negative: [{ key: 'docs', value: 'https://api.slack.com/messaging/webhooks' }, { key: 'x', value: 'https://hooks.slack.com/services/<your-webhook>' }],
  },
  'stripe-key': {
    positive: [{ key: 'STRIPE_KEY', value: F.STRIPE_LIVE }, { key: 'stripe-key', value: F.STRIPE_TEST_SEED }],
    negative: [{ key: 'STRIPE_PUBLISHABLE', value: 'pk_live_51Hq7Vw2Lk9Zr4Xn8Tb1Mc6Pd3' }, { key: 'x', value: 'sk_live_xxxxxxxxxxxxxxxx' }],
  },
  'sendgrid-api-key': {
    positive: [{ key: 'SENDGRID_API_KEY', value: F.SENDGRID }],
    negative: [{ key: 'sendgrid-key', value: 'SG.abc123' }],
  },
  'google-api-key': {
    positive: [{ key: 'MAPS_KEY', value: F.GOOGLE_API }],
    negative: [{ key: 'x', value: 'AIzaShort' }],
  },
  'gcp-service-account-key': {
    positive: [{ key: 'key.json', value: F.GCP_SA_JSON }, { key: 'gcpServiceAccountKey', value: F.GCP_SA_JSON }],
    negative: [{ key: 'sa.json', value: '{"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com"}' }],
  },
  'azure-connection-string': {
    positive: [{ key: 'AZURE_STORAGE_CONNECTION_STRING', value: F.AZURE_CONN }, { key: 'sb', value: `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${F.AZURE_KEY.slice(0, 44)}` }],
    negative: [{ key: 'x', value: 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=<key>;EndpointSuffix=core.windows.net' }],
  },
  'azure-storage-key': {
    positive: [{ key: 'azurestorageaccountkey', value: F.AZURE_KEY }],
    negative: [{ key: 'ca.crt', value: F.AZURE_KEY }],
  },
  'npm-token': {
    positive: [{ key: 'NPM_TOKEN', value: F.NPM }, { key: '.npmrc', value: F.NPMRC }],
    negative: [{ key: '.npmrc', value: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' }],
  },
  'private-key': {
    positive: [
      { key: 'tls.key', value: F.RSA_KEY },
      { key: 'ec.key', value: F.EC_KEY },
      { key: 'id_ed25519', value: F.OPENSSH_KEY },
      { key: 'key.pem', value: F.PKCS8_KEY },
      { key: 'key.pem', value: F.ENCRYPTED_PKCS8_KEY },
      { key: 'legacy.pem', value: F.ENCRYPTED_RSA_KEY },
    ],
    negative: [
      { key: 'tls.key', value: '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n' },
      { key: 'ca.crt', value: F.PUBLIC_CERT },
      { key: 'pub', value: '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----\n' },
    ],
  },
  'kubernetes-service-account-token': {
    positive: [{ key: 'token', value: F.SA_TOKEN }, { key: 'config', value: JSON.stringify({ bearerToken: F.SA_TOKEN }) }],
    negative: [{ key: 'token', value: F.JWT }],
  },
  jwt: {
    positive: [{ key: 'ID_TOKEN', value: F.JWT }, { key: 'Authorization', value: `Bearer ${F.JWT}` }],
    negative: [{ key: 'x', value: 'eyJhbGciOiJIUzI1NiJ9' }, { key: 'token', value: F.SA_TOKEN }],
  },
  'kubeconfig-credentials': {
    positive: [{ key: 'kubeconfig', value: F.KUBECONFIG }],
    negative: [{ key: 'kubeconfig', value: F.KUBECONFIG.replace(/token: .*/, 'exec: {command: aws}') }],
  },
  'database-url-password': {
    positive: [{ key: 'DATABASE_URL', value: F.DB_URL }, { key: 'x', value: 'mongodb+srv://svc:Qn8Rw2Lk9@cluster0.mongodb.net/app' }, { key: 'x', value: 'jdbc:mysql://app:Zr4Xn8Tb@db:3306/app' }],
    negative: [
      { key: 'DATABASE_URL', value: 'postgres://app@db.internal:5432/app' },
      { key: 'DATABASE_URL', value: 'postgres://app:${DB_PASSWORD}@db:5432/app' },
      { key: 'DATABASE_URL', value: 'postgres://user:password@localhost/db' },
      { key: 'DATABASE_URL', value: 'postgres://db.internal:5432/app' },
    ],
  },
  'basic-auth-url': {
    positive: [{ key: 'REPO', value: F.BASIC_AUTH_URL }],
    negative: [{ key: 'REPO', value: 'https://git.example.com/org/repo.git' }, { key: 'x', value: 'https://user:<password>@host' }],
  },
  'generic-secret': {
    positive: [
      { key: 'password', value: 'mysecret' },
      { key: 'DB_PASSWORD', value: F.DB_PASSWORD },
      { key: 'client_secret', value: 'Qn8Rw2Lk9Zr4' },
      { key: 'mySecret', value: 'Qn8Rw2Lk9Zr4' },
      { key: 'GITHUB_TOKEN', value: 'Qn8Rw2Lk9Zr4' },
      { key: 'db_credentials', value: 'Qn8Rw2Lk9Zr4' },
      { key: 'api-key', value: 'b7e1c9d2' },
      { key: 'application.properties', value: `spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=${F.DB_PASSWORD}\n` },
      { key: '.env', value: `export API_TOKEN="${F.DB_PASSWORD}"\nDEBUG=1\n` },
      { key: 'config.json', value: JSON.stringify({ db: { host: 'db', password: F.DB_PASSWORD } }) },
    ],
    negative: [
      { key: 'password', value: 'changeme' },
      { key: 'password', value: '<password>' },
      { key: 'password', value: '${DB_PASSWORD}' },
      { key: 'password', value: '{{ .Values.db.password }}' },
      { key: 'password', value: 'REPLACE_ME' },
      { key: 'password', value: 'xxxxxxxx' },
      { key: 'password', value: '' },
      { key: 'PASSWORD_FILE', value: '/run/secrets/db' },
      { key: 'secretName', value: 'db-credentials' },
      { key: 'token_ttl', value: '3600' },
      { key: 'PWD', value: '/app' },
      { key: 'existingSecret', value: 'my-secret' },
      { key: 'clientSecret', value: '$dex.github.clientSecret' },
      { key: 'password_hint', value: 'ask the team lead please' },
      // Found by scanning our own Helm chart: words that merely contain "secret" or "token", and config words.
      { key: 'SECRETGUARD_LOG_LEVEL', value: 'debug-verbose' },
      { key: 'tokenizer', value: 'wordpiece-v2' },
      { key: 'no-plaintext-secret', value: 'warn' },
      { key: 'secret', value: 'disabled' },
    ],
  },
  'high-entropy-string': {
    positive: [{ key: 'SESSION', value: F.HIGH_ENTROPY }, { key: 'X_SIGNING', value: 'q7Vw2Lk9Zr4Xn8Tb1Mc6Pd3Hs0Fj5Gy2U' }],
    negative: [
      { key: 'REQUEST_ID', value: '6f1c3c7e-2b9a-4f3e-9d5a-0a1b2c3d4e5f' },
      { key: 'IMAGE', value: 'ghcr.io/acme/api@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31' },
      { key: 'GIT_SHA', value: '9fceb02d0ae598e95dc970b74767f19372d61af8' },
      { key: 'SERVICE_HOST', value: 'payments-api.payments.svc.cluster.local' },
      { key: 'JAVA_OPTS', value: '-Xms256m -Xmx1024m -XX:+UseG1GC' },
      { key: 'CA_BUNDLE', value: F.b64(F.PUBLIC_CERT) },
    ],
  },
};

t.test('every detector has a table, an id and a description', async (t) => {
  t.same(Object.keys(table).sort(), allDetectors.map((d) => d.id).sort(), 'one table per detector');
  t.equal(new Set(allDetectors.map((d) => d.id)).size, allDetectors.length, 'unique ids');
  for (const detector of allDetectors) {
    t.match(detector.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${detector.id} is kebab-case`);
    t.ok(detector.description.length > 3, `${detector.id} has a description`);
  }
});

for (const detector of allDetectors) {
  const cases = table[detector.id];
  if (cases === undefined) continue;
  t.test(detector.id, async (t) => {
    for (const { key, value } of cases.positive) {
      const hits = detectCredentials(key, value);
      t.ok(hits.some((h) => h.detectorId === detector.id), `${detector.id} flags ${key}`, { hits });
      const output = JSON.stringify(hits) + describeHits(hits);
      for (const part of F.canariesIn(value)) {
        if (output.includes(part)) t.fail(`${detector.id}: output for ${key} contains a 5-character slice of the value`, { output, part });
      }
    }
    for (const { key, value } of cases.negative) {
      const hits = detectCredentials(key, value);
      t.notOk(hits.some((h) => h.detectorId === detector.id), `${detector.id} ignores ${key}`, { hits });
    }
  });
}

const BENIGN: Case[] = [
  { key: 'ca.crt', value: F.PUBLIC_CERT },
  { key: 'ca-bundle.crt', value: F.PUBLIC_CERT + F.PUBLIC_CERT },
  { key: 'caBundle', value: F.b64(F.PUBLIC_CERT) },
  { key: 'image', value: 'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31' },
  { key: 'IMAGE_DIGEST', value: 'sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31' },
  { key: 'uid', value: '6f1c3c7e-2b9a-4f3e-9d5a-0a1b2c3d4e5f' },
  { key: 'TENANT_ID', value: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  { key: 'values.yaml', value: 'db:\n  password: {{ .Values.db.password }}\n  user: app\nimage:\n  tag: 1.4.2\n' },
  { key: 'DB_PASSWORD', value: '{{ .Values.db.password | quote }}' },
  { key: 'application.properties', value: 'server.port=8080\nspring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.username=app\nspring.datasource.password=${DB_PASSWORD}\nlogging.level.root=INFO\n' },
  { key: 'nginx.conf', value: 'server {\n  listen 80;\n  location / {\n    proxy_pass http://api:8080;\n    proxy_set_header Host $host;\n  }\n}\n' },
  { key: 'prometheus.yml', value: 'global:\n  scrape_interval: 15s\nscrape_configs:\n- job_name: k8s\n  kubernetes_sd_configs:\n  - role: pod\n  bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token\n' },
  { key: 'dex.config', value: 'connectors:\n- type: github\n  id: github\n  name: GitHub\n  config:\n    clientID: 7c9e4a1b2d3f\n    clientSecret: $dex.github.clientSecret\n    orgs:\n    - name: acme\n' },
  { key: 'ssh_known_hosts', value: 'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\ngitlab.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFSMqzJeV9rUzU4kWitGjeR4PWSa29SPqJ1fVkhtj3Hw9xjLVXVYrU9QlYWrOLXBpQ6KWjbjTDTdDkoohFzgbEY=\n' },
  { key: 'feature-flags.json', value: JSON.stringify({ checkout: { enabled: true, rollout: 25 }, build: { commit: '9fceb02d0ae598e95dc970b74767f19372d61af8', date: '2026-11-02T10:00:00Z' } }) },
  { key: 'policy.json', value: JSON.stringify({ tokenTtl: '1h', passwordMinLength: 12, secretStore: 'vault-backend', secretName: 'db-credentials', requireToken: true }) },
  { key: 'LOG_LEVEL', value: 'info' },
  { key: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc:4317' },
  { key: 'DATABASE_HOST', value: 'postgres-primary.db.svc.cluster.local' },
  { key: 'JAVA_TOOL_OPTIONS', value: '-XX:MaxRAMPercentage=75.0 -Dfile.encoding=UTF-8' },
  { key: 'TZ', value: 'Europe/Berlin' },
  { key: 'KUBECONFIG', value: '/etc/kube/config' },
  { key: 'kubeconfig', value: 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://k.example.com\n    certificate-authority-data: ' + F.b64(F.PUBLIC_CERT) + '\nusers:\n- name: u\n  user:\n    exec:\n      command: aws\n      args: [eks, get-token]\n' },
  { key: 'checksum/config', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { key: 'argocd-cm url', value: 'https://argocd.example.com' },
  { key: 'repositories', value: '- url: https://github.com/org/gitops-repo\n  passwordSecret:\n    name: repo-creds\n    key: password\n' },
  { key: 'secretKeyRef', value: 'db-credentials' },
  { key: 'ESO remoteRef', value: 'myapp/db' },
  { key: 'tracking-id', value: 'my-app:apps/Deployment:my-app/api' },
  { key: 'public.pem', value: '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrqCxIXZgDVwYPqBuR0nL6Ru4of\n-----END PUBLIC KEY-----\n' },
  { key: 'id_ed25519.pub', value: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@acme' },
  { key: 'sealed', value: 'AgBxJ7tT... (encrypted)' },
  { key: 'VERSION', value: 'v1.27.3-eks-2f008fe' },
  { key: 'HELM_CHART', value: 'oci://ghcr.io/acme/charts/api:1.4.2' },
  { key: 'aws-auth', value: JSON.stringify({ awsAuthConfig: { clusterName: 'prod', roleARN: 'arn:aws:iam::123456789012:role/argocd-deployer' } }) },
];

t.test('benign corpus: zero findings', async (t) => {
  for (const { key, value } of BENIGN) {
    t.same(detectCredentials(key, value), [], `${key} is not a credential`);
  }
});

t.test('hits say where inside structured content, and never carry the value', async (t) => {
  const config = JSON.stringify({ db: { host: 'db', password: F.DB_PASSWORD }, github: { token: F.GITHUB_CLASSIC } });
  const hits = detectCredentials('config.json', config);
  t.same(
    hits.map((h) => [h.detectorId, h.path]),
    [
      ['generic-secret', 'db.password'],
      ['github-token', 'github.token'],
    ],
  );
  t.equal(describeHits(hits), 'generic password (db.password), GitHub token (github.token)');
  const nested = detectCredentials('.dockerconfigjson', JSON.stringify({ auths: { 'ghcr.io': { auth: F.b64(`bot:${F.GITHUB_CLASSIC}`) } } }));
  t.ok(nested.some((h) => h.detectorId === 'github-token' && h.path === 'auths.ghcr.io.auth > base64'), 'one level of base64 inside a JSON value');
  const wrapped = detectCredentials('blob', F.b64(`DB_PASSWORD=${F.DB_PASSWORD}\n`));
  t.same(wrapped.map((h) => [h.detectorId, h.path]), [['generic-secret', 'base64 > DB_PASSWORD']], 'base64 of a .env file');
  const twice = detectCredentials('blob', F.b64(F.b64(F.GITHUB_CLASSIC)));
  t.same(twice, [], 'only one level of base64');
  const tokenKey = detectCredentials('x.json', JSON.stringify({ [F.GITHUB_CLASSIC]: 'user' }));
  t.notOk(JSON.stringify(tokenKey).includes(F.GITHUB_CLASSIC.slice(4, 12)), 'a key name that is itself a token is masked');
});

t.test('shape safety and bounds', async (t) => {
  t.same(detectCredentials('k', ''), []);
  t.same(detectCredentials('', 'x'), []);
  t.same(detectCredentials('k', '{not json'), []);
  t.same(detectCredentials('k', '['.repeat(100000)), []);
  t.same(detectCredentials('k', '\u0000\uFFFD\uD800'), []);
  const big = 'a '.repeat(100 * 1024) + F.GITHUB_CLASSIC;
  t.same(detectCredentials('k', big).map((h) => h.detectorId), ['github-token'], 'a value is scanned past 64 KiB, to its end');
  const huge = 'a '.repeat(600 * 1024) + F.GITHUB_CLASSIC;
  t.same(detectCredentials('k', huge), [{ detectorId: 'not-fully-scanned', description: 'not fully scanned (longer than 1 MiB)' }], 'past 1 MiB the value is said to be not fully scanned');
  t.ok(detectCredentials('k', 'a '.repeat(1000) + F.GITHUB_CLASSIC).length > 0);
});

t.test('placeholders and entropy helpers', async (t) => {
  for (const p of ['', 'changeme', '<token>', '${X}', '$X', '{{ .Values.x }}', 'REPLACE_ME', 'xxxxxx', '********', 'AgBxJ7tT...', '<path:secret/data/x#token>', 'ref+vault://x']) {
    t.ok(isPlaceholder(p), `placeholder: ${p}`);
  }
  for (const p of ['mysecret', F.DB_PASSWORD, 'hunter2hunter2']) t.notOk(isPlaceholder(p), `not a placeholder: ${p}`);
  t.equal(shannonEntropy('aaaa'), 0);
  t.equal(shannonEntropy('abcd'), 2);
});
