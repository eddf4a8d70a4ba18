// Objects with canaries planted in every place the issue lists: Secrets (data, stringData, the
// last-applied annotation), ConfigMaps (data, binaryData), env values, SealedSecret templates and
// annotations, ExternalSecret templates, Argo CD cluster and repository Secrets. Not a test file.
import type { JsonObject } from '../../src/k8s/json.js';
import { b64, CANARIES as C, pemKey } from './canaries.js';

const gitops = { 'argocd.argoproj.io/tracking-id': 'app:/Secret:team-a/x' };

function secret(name: string, extra: JsonObject): JsonObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'team-a', annotations: { ...gitops } }, type: 'Opaque', ...extra };
}

const podSpec = (): JsonObject => ({
  containers: [
    {
      name: 'app',
      image: 'example/app:1',
      env: [
        { name: 'GITHUB_TOKEN', value: C.githubToken },
        { name: 'AWS_ACCESS_KEY_ID', value: C.awsAccessKeyId },
        { name: 'AWS_SECRET_ACCESS_KEY', value: C.awsSecretAccessKey },
        { name: 'DATABASE_URL', value: `postgres://app:${C.databasePassword}@db:5432/app` },
        { name: 'DB_PASSWORD', value: C.password },
      ],
    },
  ],
});

export function plantedObjects(): JsonObject[] {
  const plain = { password: C.password, token: C.githubToken, 'tls.key': pemKey(), url: `postgres://app:${C.databasePassword}@db/app` };
  const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied', namespace: 'team-a' }, stringData: plain });
  return [
    secret('db', { data: Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, b64(v)])) }),
    secret('db-string', { stringData: { ...plain, slack: C.slackToken } }),
    secret('applied', { metadata: { name: 'applied', namespace: 'team-a', annotations: { ...gitops, 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, data: { password: b64(C.password) } }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'team-a', annotations: { ...gitops } },
      data: {
        'application.properties': `spring.datasource.password=${C.password}\naws.secret=${C.awsSecretAccessKey}\n`,
        DATABASE_URL: `mysql://root:${C.databasePassword}@mysql:3306/db`,
        SLACK_TOKEN: C.slackToken,
        'config.json': JSON.stringify({ auth: { token: C.bearerToken }, aws_access_key_id: C.awsAccessKeyId }),
      },
      binaryData: { 'key.pem': b64(pemKey()) },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a', annotations: { ...gitops } }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: podSpec() } } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'job', namespace: 'team-a' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: podSpec() } } } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'team-a' }, spec: podSpec() },
    {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'sealed', namespace: 'team-a', annotations: { 'example.com/token': C.githubToken } },
      spec: {
        encryptedData: { password: C.sealedTemplateValue },
        data: b64(C.password),
        template: {
          metadata: { name: 'sealed', namespace: 'team-a', annotations: { 'example.com/password': C.password } },
          type: 'Opaque',
          data: { 'config.yaml': `password: ${C.sealedTemplateValue}\ntoken: ${C.githubToken}\n`, url: `postgres://u:${C.databasePassword}@h/db` },
        },
      },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'templated', namespace: 'team-a' },
      spec: {
        secretStoreRef: { name: 'vault', kind: 'SecretStore' },
        target: {
          name: 'templated',
          template: {
            data: { 'config.yaml': `password: ${C.password}\ntoken: ${C.githubToken}\n`, url: `postgres://u:${C.databasePassword}@h/db` },
            templateFrom: [{ literal: `aws_secret_access_key: ${C.awsSecretAccessKey}\n` }],
          },
        },
        data: [{ secretKey: 'password', remoteRef: { key: 'team-a/db', property: 'password' } }],
      },
    },
    secret('prod-cluster', {
      metadata: { name: 'prod-cluster', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster' }, annotations: { ...gitops } },
      stringData: { name: 'prod', server: 'https://prod.example.com', config: JSON.stringify({ bearerToken: C.bearerToken, tlsClientConfig: { insecure: false, keyData: b64(pemKey()) } }) },
    }),
    secret('repo', {
      metadata: { name: 'repo', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repository' }, annotations: { ...gitops } },
      stringData: { url: 'https://github.com/example/repo', username: 'git', password: C.githubToken, sshPrivateKey: pemKey() },
    }),
    secret('repo-creds', {
      metadata: { name: 'repo-creds', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'repo-creds' } },
      data: { url: b64('https://github.com/example'), password: b64(C.bearerToken) },
    }),
    secret('sealing-key', {
      metadata: { name: 'sealed-secrets-keyabcde', namespace: 'kube-system', labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.key': b64(pemKey()), 'tls.crt': b64('not a cert') },
    }),
  ];
}

/** Broken inputs whose parser errors sit right next to a canary. */
export const BROKEN_YAML = [
  `apiVersion: v1\nkind: Secret\nmetadata: {name: broken}\nstringData:\n  password: "${C.password}\n`,
  `apiVersion: v1\nkind: Secret\nmetadata: {name: broken}\nstringData: {token: ${C.githubToken}: x}\n`,
  `apiVersion: v1\nkind: Secret\nstringData:\n  a: &x ${C.bearerToken}\n  b: *y\n`,
  `apiVersion: v1\nkind: Secret\nstringData:\n\t${C.slackToken}: [\n`,
  `${C.awsSecretAccessKey}\n`,
  `- ${C.password}\n`,
];
