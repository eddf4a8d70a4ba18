import rule from '../../src/rules/no-credential-in-configmap.js';
import { b64, canariesIn, DB_PASSWORD, DB_URL, GITHUB_CLASSIC, PUBLIC_CERT, SLACK_HOOK } from '../detectors/fixtures.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { ARGOCD, ruleTester } from '../rule-tester.js';

const configMap = (data: Record<string, unknown>, extra: Record<string, unknown> = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app-config', namespace: 'my-app' },
  data,
  ...extra,
}) as JsonObject;

ruleTester(rule, {
  valid: [
    { name: 'a public CA certificate', object: configMap({ 'ca.crt': PUBLIC_CERT }), source: 'cli' },
    { name: 'Argo CD TLS certs ConfigMap', object: { ...configMap({ 'git.example.com': PUBLIC_CERT }), metadata: { name: 'argocd-tls-certs-cm', namespace: 'argocd' } }, requester: ARGOCD },
    { name: 'the kube-root-ca.crt ConfigMap', object: configMap({ 'ca.crt': PUBLIC_CERT }), requester: { username: 'system:serviceaccount:kube-system:root-ca-cert-publisher', groups: [] } },
    {
      name: 'typical configuration with references instead of values',
      object: configMap({
        'application.properties': 'spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=${DB_PASSWORD}\n',
        'values.yaml': 'db:\n  password: {{ .Values.db.password }}\n',
        LOG_LEVEL: 'info',
        DATABASE_URL: 'postgres://app@db:5432/app',
        image: 'nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
      }),
      source: 'cli',
    },
    { name: 'binaryData that is not text', object: configMap({}, { binaryData: { 'font.woff': Buffer.from([0, 1, 2, 255]).toString('base64') } }), source: 'cli' },
    { name: 'wrong shapes', object: configMap({ a: 1, b: null }, { binaryData: 'x' }), source: 'cli' },
    { name: 'DELETE', object: null, oldObject: configMap({ DATABASE_URL: DB_URL }), operation: 'DELETE' },
    // Shapes found in public GitOps repositories (docs/accuracy.md).
    { name: 'an nsswitch.conf', object: configMap({ 'nsswitch.conf': 'passwd:   compat\ngroup:    compat\nshadow:   compat\nhosts:    files dns\n' }), source: 'cli' },
    {
      name: 'Argo CD settings: a password pattern, OIDC claims, $secret:key references',
      object: { ...configMap({ passwordPattern: '^.{10,64}$', 'oidc.config': 'name: Corp\nissuer: https://id.corp.test\nclientID: argocd\nclientSecret: $corp-oidc:client-secret\nrequestedIDTokenClaims: {"groups": {"essential": true}}\n' }), metadata: { name: 'argocd-cm', namespace: 'argocd' } },
      source: 'cli',
    },
    { name: 'a dex config naming its secret env var', object: configMap({ 'config.yaml': 'issuer: http://dex.auth.svc:5556/dex\nstaticClients:\n- id: web\n  redirectURIs: ["/callback"]\n  secretEnv: WEB_CLIENT_SECRET\n' }), source: 'cli' },
    { name: 'python code reading its token', object: configMap({ 'model.py': 'class Model:\n    def __init__(self):\n        token = os.environ["HF_HUB_TOKEN"]\n        secret = load_secret(name)\n' }), source: 'cli' },
    { name: 'a long Grafana dashboard past 64 KiB', object: configMap({ 'dash.json': JSON.stringify({ panels: Array.from({ length: 900 }, (_, i) => ({ id: i, title: `panel ${i}`, expr: `sum(rate(http_requests_total{job="api-${i}"}[5m]))` })) }) }), source: 'cli' },
    {
      name: 'a value past the bounds, with reportNotFullyScanned off',
      object: configMap({ 'huge.properties': 'a=b\n'.repeat(110_000) }),
      options: { reportNotFullyScanned: false },
      source: 'cli',
    },
  ],
  invalid: [
    {
      name: 'a database URL with a password',
      object: configMap({ DATABASE_URL: DB_URL, LOG_LEVEL: 'info' }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/data/DATABASE_URL', messageIncludes: ['app-config', '`DATABASE_URL`', 'database URL with a password', 'ExternalSecret'] }],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'application.properties with a password, and an alertmanager Slack webhook',
      object: configMap({
        'application.properties': `spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.password=${DB_PASSWORD}\n`,
        'alertmanager.yml': `receivers:\n- name: ops\n  slack_configs:\n  - api_url: ${SLACK_HOOK}\n`,
      }),
      requester: ARGOCD,
      errors: [
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/application.properties', messageIncludes: ['generic password (spring.datasource.password)'] },
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/alertmanager.yml', messageIncludes: ['Slack webhook URL'] },
      ],
      canaries: [DB_PASSWORD, ...canariesIn(SLACK_HOOK)],
    },
    {
      name: 'a token in binaryData config.json',
      object: configMap({}, { binaryData: { 'config.json': b64(JSON.stringify({ github: { token: GITHUB_CLASSIC } })) } }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/binaryData/config.json', messageIncludes: ['GitHub token (github.token)'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    },
    {
      name: 'a password in a block scalar of a config file',
      object: configMap({ 'config.yaml': `s3:\n  endpoint: http://minio:9000\n  secretKey: |\n    ${DB_PASSWORD}\n  bucket: logs\n` }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/data/config.yaml', messageIncludes: ['s3.secretKey'] }],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'binaryData text padded with NUL and 0xFF bytes',
      object: configMap({}, { binaryData: { 'app.env': Buffer.concat([Buffer.from(`DB_PASSWORD=${DB_PASSWORD}\n`), Buffer.from([0, 0, 255])]).toString('base64') } }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/binaryData/app.env', messageIncludes: ['generic password (DB_PASSWORD)'] }],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'a password after thousands of blank lines, and one past 64 KiB',
      object: configMap({ 'app.env': '\n'.repeat(8000) + `DB_PASSWORD=${DB_PASSWORD}\n`, 'notes.ini': 'x = 1\n'.repeat(20_000) + `password = ${DB_PASSWORD}\n` }),
      source: 'cli',
      errors: [
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/app.env' },
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/notes.ini' },
      ],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'a value past the bounds is reported as not fully scanned',
      object: configMap({ 'huge.properties': 'a=b\n'.repeat(110_000), 'deep.json': '{"a":'.repeat(300) + '1' + '}'.repeat(300) }),
      source: 'cli',
      errors: [
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/huge.properties', messageIncludes: ['not fully scanned (more than 100000 entries)'] },
        { messageId: 'credentialInConfigMap', action: 'deny', field: '/data/deep.json', messageIncludes: ['not fully scanned (JSON nested deeper than 256 levels)'] },
      ],
    },
    {
      name: 'keys with a slash are escaped in the pointer',
      object: configMap({ 'db/password': 'Zq7Kp2Vw9Lm4' }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/data/db~1password' }],
      canaries: ['Zq7Kp2Vw9Lm4'],
    },
  ],
});
