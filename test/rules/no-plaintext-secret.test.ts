import rule from '../../src/rules/no-plaintext-secret.js';
import { canariesIn, b64, DB_PASSWORD, GITHUB_CLASSIC, RSA_KEY, SA_TOKEN } from '../detectors/fixtures.js';
import { ARGOCD, PERSON, ruleTester } from '../rule-tester.js';

const ESO = { username: 'system:serviceaccount:external-secrets:external-secrets', groups: [] };
const SEALED = { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: [] };
const PASSWORD = 'Zq7Kp2Vw9Lm4';

const secret = (extra: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-password', namespace: 'my-app', ...metadata },
  type: 'Opaque',
  ...extra,
});

// `kubectl create secret generic db-password --from-literal=password=mysecret --dry-run=client -o yaml` (seed 000).
const kubectlCreateOutput = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { creationTimestamp: null, name: 'db-password' },
  data: { password: b64('mysecret') },
};
// stringData in plain YAML, the Argo CD cluster Secret of seed 000 with a real-looking token.
const prodCluster = secret(
  {
    stringData: {
      name: 'prod-cluster',
      server: 'https://prod-cluster.example.com',
      config: JSON.stringify({ bearerToken: SA_TOKEN, tlsClientConfig: { insecure: false, caData: '<base64-ca-cert>' } }),
    },
  },
  { name: 'prod-cluster', namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster', env: 'production' } },
);
const tls = secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), 'tls.key': b64(RSA_KEY) } }, { name: 'web-tls' });
const mixed = secret({ data: { password: b64(PASSWORD), 'tls.key': b64(RSA_KEY) } });

const eso = secret(
  { data: { password: b64(PASSWORD) } },
  {
    labels: { 'reconcile.external-secrets.io/managed': 'true', 'reconcile.external-secrets.io/created-by': 'a1b2c3' },
    annotations: { 'reconcile.external-secrets.io/data-hash': 'abc', 'argocd.argoproj.io/tracking-id': 'x' },
    ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'db-credentials', uid: 'u', controller: true }],
  },
);
const sealed = secret(
  { data: { password: b64(PASSWORD) } },
  { ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'db-password', uid: 'u', controller: true }] },
);
const certManager = secret({ type: 'kubernetes.io/tls', data: { 'tls.key': b64(RSA_KEY), 'tls.crt': 'Y2VydA==' } }, { annotations: { 'cert-manager.io/certificate-name': 'web' } });
const helmRelease = secret({ type: 'helm.sh/release.v1', data: { release: 'H4sIAAAAAAAC/+xYW2/bNhTe8ysE7tVySKc' } }, { name: 'sh.helm.release.v1.api.v3', labels: { owner: 'helm' } });
const saToken = secret({ type: 'kubernetes.io/service-account-token', data: { token: b64(SA_TOKEN), 'ca.crt': 'Y2E=' } }, { annotations: { 'kubernetes.io/service-account.name': 'argocd-manager' } });
const bootstrap = secret({ type: 'bootstrap.kubernetes.io/token', data: { 'token-id': b64('abcdef'), 'token-secret': b64('0123456789abcdef') } }, { name: 'bootstrap-token-abcdef', namespace: 'kube-system' });
const lastApplied = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };

const field = '/data/password';

ruleTester(rule, {
  valid: [
    { name: 'empty data and stringData', object: secret({ data: { password: '' }, stringData: { token: '' } }), source: 'cli' },
    { name: 'no data at all (service account token request)', object: secret({ type: 'kubernetes.io/service-account-token' }), source: 'cli' },
    { name: 'a person creates a Secret by hand (no GitOps signal, option off)', object: mixed, requester: PERSON },
    { name: 'ESO creates its target Secret', object: eso, requester: ESO },
    { name: 'the sealed-secrets controller unseals into a Secret', object: sealed, requester: SEALED },
    { name: 'cert-manager issues a certificate', object: certManager, requester: { username: 'system:serviceaccount:cert-manager:cert-manager', groups: [] } },
    { name: 'Helm release storage', object: helmRelease, requester: PERSON },
    { name: 'service account token filled by the token controller', object: saToken, requester: { username: 'system:serviceaccount:kube-system:tokens-controller', groups: [] } },
    { name: 'bootstrap token', object: bootstrap, requester: { username: 'kubeadm:bootstrap', groups: [] }, options: { requireControllerManaged: true } },
    { name: 'DELETE is never checked', object: null, oldObject: mixed, operation: 'DELETE', requester: ARGOCD },
    { name: 'sealing keys are left to no-sealing-key-in-git', object: secret({ data: { 'tls.key': b64(RSA_KEY) } }, { labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } }), source: 'cli' },
    { name: 'a controller (not a person) with requireControllerManaged', object: mixed, requester: { username: 'system:serviceaccount:ops:bot', groups: [] }, options: { requireControllerManaged: true } },
    {
      name: 'requireControllerManaged outside exempt namespaces only',
      object: mixed,
      requester: PERSON,
      options: { requireControllerManaged: true },
      config: { exemptions: [{ rules: ['no-plaintext-secret'], namespaces: ['my-app'], reason: 'legacy app' }] },
    },
    { name: 'not a Secret', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { password: 'x' } }, source: 'cli' },
    { name: 'wrong shapes do not crash', object: secret({ data: ['x'], stringData: 'nope' }), source: 'cli' },
  ],
  invalid: [
    // Placeholder-only Secrets (docs/accuracy.md): a warning, every canonical form, in data and stringData.
    ...[
      [{ stringData: { username: '<db-user>', password: '<db-password>' } }, '/stringData/username'],
      [{ stringData: { password: '${DB_PASSWORD}', url: '{{ .Values.db.url }}' } }, '/stringData/password'],
      [{ data: { token: b64('CHANGEME'), other: b64('change-me') } }, '/data/token'],
      [{ data: { key: b64('REPLACE_ME') }, stringData: { secret: 'xxxxxxxxxxxx', note: '...' } }, '/data/key'],
      [{ stringData: { password: '"<password>"', empty: '' } }, '/stringData/password'],
    ].map(([values, at], index) => ({
      name: `placeholders only (${index + 1})`,
      object: secret(values as Record<string, unknown>),
      source: 'cli' as const,
      errors: [{ messageId: 'placeholdersOnly', action: 'warn' as const, field: at as string, messageIncludes: ['placeholders only', 'SealedSecret', 'ExternalSecret'] }],
    })),
    // Any other value keeps the deny, whatever it looks like.
    ...[
      [{ stringData: { username: '<db-user>', password: 'password' } }, '/stringData/username'],
      [{ stringData: { password: '<db-password>', host: 'db.internal' } }, '/stringData/password'],
      [{ stringData: { token: 'example' } }, '/stringData/token'],
      [{ stringData: { token: 'dummy' } }, '/stringData/token'],
      [{ stringData: { token: 'GITHUB_TOKEN_VAL' } }, '/stringData/token'],
      [{ data: { password: b64('<db-password>'), blob: Buffer.from([0, 1, 2, 3]).toString('base64') } }, '/data/password'],
      [{ data: { password: 'not base64!' } }, '/data/password'],
    ].map(([values, at], index) => ({
      name: `a value that is not a canonical placeholder keeps the deny (${index + 1})`,
      object: secret(values as Record<string, unknown>),
      source: 'cli' as const,
      errors: [{ messageId: 'plaintextFromGit', action: 'deny' as const, field: at as string }],
    })),
    {
      name: 'kubectl create secret --dry-run=client -o yaml output committed (seed 000)',
      object: kubectlCreateOutput,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field, messageIncludes: ['db-password', 'key `password`: generic password', 'manifest file', 'kubeseal', 'ExternalSecret'] }],
      canaries: ['mysecret', b64('mysecret')],
    },
    {
      name: 'the prod-cluster Argo CD Secret in stringData (seed 000), synced by Argo CD',
      object: prodCluster,
      requester: ARGOCD,
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/stringData/name', messageIncludes: ['key `config`: Kubernetes service account token (bearerToken)', 'requester system:serviceaccount:argocd'] }],
      canaries: canariesIn(SA_TOKEN),
    },
    {
      name: 'keys are named with what leaked',
      object: mixed,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field, messageIncludes: ['key `password`: generic password; key `tls.key`: PEM private key'] }],
      canaries: [...canariesIn(RSA_KEY), PASSWORD, b64(PASSWORD)],
    },
    {
      name: 'TLS Secret applied with kubectl apply -f',
      object: { ...tls, metadata: { ...tls.metadata, annotations: lastApplied } },
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/data/tls.crt', messageIncludes: ['last-applied-configuration', 'key `tls.crt`: unclassified value; key `tls.key`: PEM private key'] }],
      canaries: canariesIn(RSA_KEY),
    },
    {
      name: 'Flux kustomize label',
      object: secret({ stringData: { DATABASE_URL: `postgres://app:${DB_PASSWORD}@db:5432/app` } }, { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }),
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/stringData/DATABASE_URL', messageIncludes: ['database URL with a password', 'label kustomize.toolkit.fluxcd.io/name'] }],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'Argo CD field manager (server-side apply)',
      object: secret({ data: { token: b64(GITHUB_CLASSIC) } }, { managedFields: [{ manager: 'argocd-controller', operation: 'Apply' }] }),
      requester: { username: 'system:serviceaccount:argocd:custom-controller', groups: [] },
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/data/token', messageIncludes: ['GitHub token', 'field manager argocd-controller'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    },
    {
      name: 'configurable GitOps requester',
      object: kubectlCreateOutput,
      requester: { username: 'system:serviceaccount:gitops:deployer', groups: [] },
      config: { gitops: { requesters: ['system:serviceaccount:gitops:deployer'] } },
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field }],
    },
    {
      name: 'controller metadata copied into git does not exempt: the values are in the file',
      object: eso,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field }],
      canaries: [PASSWORD],
    },
    {
      name: 'Argo CD applying a Secret that merely carries ESO labels',
      object: eso,
      requester: ARGOCD,
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field }],
    },
    {
      name: 'the key backup List item that is not a sealing key is still plaintext',
      object: secret({ stringData: { password: PASSWORD } }),
      source: 'cli',
      operation: 'UPDATE',
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/stringData/password' }],
    },
    {
      name: 'invalid base64 and binary values are described, not decoded into the message',
      object: secret({ data: { 'tls.key': '<base64-key>', 'keystore.p12': Buffer.from([0x30, 0x82, 0x00, 0xff, 0x00, 0x01]).toString('base64') } }),
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit', action: 'deny', field: '/data/tls.key', messageIncludes: ['not valid base64', 'binary data (6 bytes)'] }],
    },
    {
      name: 'requireControllerManaged: a person creating a Secret by hand',
      object: mixed,
      requester: PERSON,
      options: { requireControllerManaged: true },
      errors: [{ messageId: 'notControllerManaged', action: 'deny', field, messageIncludes: ['alice', 'kubeseal'] }],
      canaries: [PASSWORD],
    },
    {
      name: 'action lowered by config',
      object: kubectlCreateOutput,
      source: 'cli',
      config: { rules: { 'no-plaintext-secret': 'warn' } },
      errors: [{ messageId: 'plaintextFromGit', action: 'warn', field }],
    },
  ],
});
