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
      name: 'keys with a slash are escaped in the pointer',
      object: configMap({ 'db/password': 'Zq7Kp2Vw9Lm4' }),
      source: 'cli',
      errors: [{ messageId: 'credentialInConfigMap', action: 'deny', field: '/data/db~1password' }],
      canaries: ['Zq7Kp2Vw9Lm4'],
    },
  ],
});
