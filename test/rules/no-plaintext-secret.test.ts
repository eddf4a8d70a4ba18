import rule from '../../src/rules/no-plaintext-secret.js';
import { canariesIn, b64, DB_PASSWORD, GITHUB_CLASSIC, RSA_KEY, SA_TOKEN } from '../detectors/fixtures.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { ARGOCD, PERSON, ruleTester } from '../rule-tester.js';

const ESO = { username: 'system:serviceaccount:external-secrets:external-secrets', groups: [] };
const SEALED = { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: [] };
const PASSWORD = 'Zq7Kp2Vw9Lm4';

const secret = (extra: Record<string, unknown>, metadata: Record<string, unknown> = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-password', namespace: 'my-app', ...(metadata as JsonObject) },
  type: 'Opaque',
  ...(extra as JsonObject),
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
const CERT_MANAGER = { username: 'system:serviceaccount:cert-manager:cert-manager', groups: [] };
const TOKEN_CONTROLLER = { username: 'system:kube-controller-manager', groups: [] };
const HELM_CONTROLLER = { username: 'system:serviceaccount:flux-system:helm-controller', groups: [] };
const KUSTOMIZE_CONTROLLER = { username: 'system:serviceaccount:flux-system:kustomize-controller', groups: [] };
// Flux applying a tenant's Kustomization with spec.serviceAccountName: the request comes from the tenant's account.
const FLUX_TENANT = { username: 'system:serviceaccount:team-a:flux-reconciler', groups: [] };
const fluxLabels = { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' };

/** The same metadata, with what a GitOps tool or kubectl adds on the way from a file. */
type SecretObject = JsonObject;
function applied(object: SecretObject, metadata: Record<string, unknown>): SecretObject {
  const base = object['metadata'] as JsonObject;
  const merge = (key: string) => ({ ...(base[key] as JsonObject | undefined), ...(metadata[key] as JsonObject | undefined) });
  return { ...object, metadata: { ...base, ...(metadata as JsonObject), labels: merge('labels'), annotations: merge('annotations') } };
}
const DATA_FIELDS = { 'f:data': { '.': {}, 'f:password': {} } };
const viaKubectlApply = (object: SecretObject) => applied(object, { annotations: lastApplied, managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }] });
const helmRelease2 = (data: Record<string, string>, metadata: Record<string, unknown> = {}): SecretObject =>
  secret({ type: 'helm.sh/release.v1', data }, { name: 'sh.helm.release.v1.api.v3', labels: { owner: 'helm', name: 'api', version: '3', status: 'deployed' }, ...metadata });
const esoUntracked = applied(eso, { annotations: { 'reconcile.external-secrets.io/data-hash': 'abc' } });
delete ((esoUntracked['metadata'] as JsonObject)['annotations'] as JsonObject)['argocd.argoproj.io/tracking-id'];
// base64 of a base64 gzip stream, as Helm's Secret driver stores a release.
const HELM_RELEASE_VALUE = b64('H4sIAAAAAAAC/+xYW2/bNhTe8ysE7tVySKc');
const withProto = (map: 'data' | 'stringData', value: string) =>
  ({ ...secret({}), [map]: JSON.parse(`{"__proto__": ${JSON.stringify(value)}}`) as Record<string, string> });

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
    { name: 'service account token filled by the token controller', object: saToken, requester: TOKEN_CONTROLLER },
    { name: 'the token controller fills a token Secret that was applied from git without data', object: viaKubectlApply(saToken), requester: TOKEN_CONTROLLER, operation: 'UPDATE', options: { requireControllerManaged: true } },
    { name: 'ESO, with a tracking id and Flux labels copied from its ExternalSecret', object: applied(eso, { labels: fluxLabels }), requester: ESO, options: { requireControllerManaged: true } },
    { name: 'ESO under a configured identity', object: eso, requester: { username: 'system:serviceaccount:secrets:eso', groups: [] }, config: { controllers: { externalSecrets: ['system:serviceaccount:secrets:eso'] } }, options: { requireControllerManaged: true } },
    { name: 'sealed-secrets under its Helm chart name', object: sealed, requester: { username: 'system:serviceaccount:kube-system:sealed-secrets', groups: [] }, options: { requireControllerManaged: true } },
    { name: 'cert-manager under requireControllerManaged', object: certManager, requester: CERT_MANAGER, options: { requireControllerManaged: true } },
    { name: 'Helm release storage written by Flux helm-controller', object: applied(helmRelease2({ release: HELM_RELEASE_VALUE }), { managedFields: [{ manager: 'helm-controller', operation: 'Update' }] }), requester: HELM_CONTROLLER },
    { name: 'Helm release storage written by a person running helm', object: helmRelease2({ release: HELM_RELEASE_VALUE }), requester: PERSON, options: { requireControllerManaged: true } },
    {
      name: 'the sealed-secrets controller generates its sealing key',
      object: secret({ type: 'kubernetes.io/tls', data: { 'tls.key': b64(RSA_KEY), 'tls.crt': 'Y2VydA==' } }, { name: 'sealed-secrets-keyabcde', namespace: 'kube-system', labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } }),
      requester: SEALED,
      options: { requireControllerManaged: true },
    },
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
      errors: [{ messageId: 'placeholdersOnly' as const, action: 'warn' as const, field: at as string, messageIncludes: ['placeholders only', 'SealedSecret', 'ExternalSecret'] }],
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
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny' as const, field: at as string }],
    })),
    {
      name: 'kubectl create secret --dry-run=client -o yaml output committed (seed 000)',
      object: kubectlCreateOutput,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['db-password', 'key `password`: generic password', 'manifest file', 'kubeseal', 'ExternalSecret'] }],
      canaries: ['mysecret', b64('mysecret')],
    },
    {
      name: 'the prod-cluster Argo CD Secret in stringData (seed 000), synced by Argo CD',
      object: prodCluster,
      requester: ARGOCD,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/stringData/name', messageIncludes: ['key `config`: Kubernetes service account token (bearerToken)', 'requester system:serviceaccount:argocd'] }],
      canaries: canariesIn(SA_TOKEN),
    },
    {
      name: 'keys are named with what leaked',
      object: mixed,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['key `password`: generic password; key `tls.key`: PEM private key'] }],
      canaries: [...canariesIn(RSA_KEY), PASSWORD, b64(PASSWORD)],
    },
    {
      name: 'TLS Secret applied with kubectl apply -f',
      object: applied(tls, { annotations: lastApplied }),
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/data/tls.crt', messageIncludes: ['last-applied-configuration', 'key `tls.crt`: unclassified value; key `tls.key`: PEM private key'] }],
      canaries: canariesIn(RSA_KEY),
    },
    {
      name: 'Flux kustomize label',
      object: secret({ stringData: { DATABASE_URL: `postgres://app:${DB_PASSWORD}@db:5432/app` } }, { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }),
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/stringData/DATABASE_URL', messageIncludes: ['database URL with a password', 'label kustomize.toolkit.fluxcd.io/name'] }],
      canaries: [DB_PASSWORD],
    },
    {
      name: 'Argo CD field manager (server-side apply)',
      object: secret({ data: { token: b64(GITHUB_CLASSIC) } }, { managedFields: [{ manager: 'argocd-controller', operation: 'Apply' }] }),
      requester: { username: 'system:serviceaccount:argocd:custom-controller', groups: [] },
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/data/token', messageIncludes: ['GitHub token', 'field manager argocd-controller'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    },
    {
      name: 'configurable GitOps requester',
      object: kubectlCreateOutput,
      requester: { username: 'system:serviceaccount:gitops:deployer', groups: [] },
      config: { gitops: { requesters: ['system:serviceaccount:gitops:deployer'] } },
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field }],
    },
    {
      name: 'controller metadata copied into git does not exempt: the values are in the file',
      object: eso,
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field }],
      canaries: [PASSWORD],
    },
    {
      name: 'Argo CD applying a Secret that merely carries ESO labels',
      object: eso,
      requester: ARGOCD,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field }],
    },
    {
      name: 'the key backup List item that is not a sealing key is still plaintext',
      object: secret({ stringData: { password: PASSWORD } }),
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/stringData/password' }],
    },
    {
      name: 'invalid base64 and binary values are described, not decoded into the message',
      object: secret({ data: { 'tls.key': '<base64-key>', 'keystore.p12': Buffer.from([0x30, 0x82, 0x00, 0xff, 0x00, 0x01]).toString('base64') } }),
      source: 'cli',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/data/tls.key', messageIncludes: ['not valid base64', 'binary data (6 bytes)'] }],
    },
    {
      name: 'kubectl apply -f of a Secret with copied ESO labels, annotation and owner',
      object: viaKubectlApply(esoUntracked),
      requester: PERSON,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['last-applied-configuration'] }],
      canaries: [PASSWORD, b64(PASSWORD)],
    },
    ...(
      [
        ['only the reconcile.external-secrets.io/managed label', { labels: { 'reconcile.external-secrets.io/managed': 'true' } }],
        ['only the created-by label', { labels: { 'reconcile.external-secrets.io/created-by': 'x' } }],
        ['only the data-hash annotation', { annotations: { 'reconcile.external-secrets.io/data-hash': 'x' } }],
        ['an ExternalSecret owner', { ownerReferences: [{ apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', name: 'x', uid: 'u' }] }],
        ['a SealedSecret owner', { ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'x', uid: 'u', controller: true }] }],
        ['the cert-manager annotation', { annotations: { 'cert-manager.io/certificate-name': 'web' } }],
      ] as const
    ).flatMap(([claim, metadata]) => [
      {
        name: `kubectl apply -f with a forged claim: ${claim}`,
        object: viaKubectlApply(applied(secret({ data: { password: b64(PASSWORD) } }), metadata)),
        requester: PERSON,
        errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny' as const, field }],
        canaries: [PASSWORD],
      },
      {
        name: `Flux kustomize-controller applies a forged claim: ${claim}`,
        object: applied(secret({ stringData: { password: PASSWORD } }), { ...metadata, labels: { ...fluxLabels, ...('labels' in metadata ? metadata.labels : {}) } }),
        requester: KUSTOMIZE_CONTROLLER,
        errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny' as const, field: '/stringData/password', messageIncludes: ['requester system:serviceaccount:flux-system:kustomize-controller'] }],
      },
      {
        name: `Flux impersonating a tenant service account applies a forged claim: ${claim}`,
        object: applied(secret({ data: { password: b64(PASSWORD) } }), { ...metadata, labels: { ...fluxLabels, ...('labels' in metadata ? metadata.labels : {}) }, managedFields: [{ manager: 'kustomize-controller', operation: 'Apply' }] }),
        requester: FLUX_TENANT,
        errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny' as const, field }],
      },
      {
        name: `a person with requireControllerManaged and a forged claim: ${claim}`,
        object: applied(secret({ data: { password: b64(PASSWORD) } }), metadata),
        requester: PERSON,
        options: { requireControllerManaged: true },
        errors: [{ messageId: 'notControllerManaged' as const, action: 'deny' as const, field }],
      },
    ]),
    {
      name: 'a forged service-account-token type applied with kubectl',
      object: viaKubectlApply(saToken),
      requester: PERSON,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/data/token' }],
      canaries: canariesIn(SA_TOKEN),
    },
    {
      name: 'the real ESO identity does not clean a Secret whose fields Argo CD applied',
      object: applied(esoUntracked, { managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsV1: DATA_FIELDS }, { manager: 'external-secrets', operation: 'Update' }] }),
      requester: ESO,
      operation: 'UPDATE',
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['field manager argocd-controller'] }],
    },
    {
      name: 'the ESO identity writing a Secret that carries a configured GitOps requester is judged as that',
      object: esoUntracked,
      requester: ESO,
      config: { gitops: { requesters: [ESO.username] } },
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['requester system:serviceaccount:external-secrets:external-secrets'] }],
    },
    {
      name: 'the ESO identity cannot vouch for a cert-manager claim',
      object: viaKubectlApply(certManager),
      requester: ESO,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field: '/data/tls.key' }],
    },
    ...(
      [
        ['no owner label', helmRelease2({ release: HELM_RELEASE_VALUE }, { labels: { name: 'api' } })],
        ['a name that is not sh.helm.release.v1.<release>.v<N>', helmRelease2({ release: HELM_RELEASE_VALUE }, { name: 'db-password' })],
        ['a second key', helmRelease2({ release: HELM_RELEASE_VALUE, password: b64(PASSWORD) })],
        ['a release that is not gzip', helmRelease2({ release: b64(PASSWORD) })],
        ['stringData beside it', { ...helmRelease2({ release: HELM_RELEASE_VALUE }), stringData: { password: PASSWORD } } as SecretObject],
        ['the real shape, applied with kubectl', viaKubectlApply(helmRelease2({ release: HELM_RELEASE_VALUE }))],
      ] as const
    ).map(([what, object]) => ({
      name: `type helm.sh/release.v1 with ${what} is not Helm release storage`,
      object,
      requester: PERSON,
      options: { requireControllerManaged: true },
      errors: [{ messageId: what.includes('kubectl') ? ('plaintextFromGit' as const) : ('notControllerManaged' as const), action: 'deny' as const, field: '/data/release' }],
      canaries: [PASSWORD],
    })),
    {
      name: 'kubectl replace -f counts as from a file',
      object: applied(esoUntracked, { managedFields: [{ manager: 'kubectl-replace', operation: 'Update' }] }),
      requester: PERSON,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['field manager kubectl-replace'] }],
    },
    {
      name: 'extra field managers from the config count as from a file, beside the defaults',
      object: applied(secret({ data: { password: b64(PASSWORD) } }), { managedFields: [{ manager: 'pulumi-kubernetes', operation: 'Apply' }] }),
      requester: PERSON,
      config: { gitops: { extraFieldManagers: ['pulumi-kubernetes'] } },
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny', field, messageIncludes: ['field manager pulumi-kubernetes'] }],
    },
    {
      name: 'a forged sealing-key label does not lift requireControllerManaged',
      object: secret({ data: { password: b64(PASSWORD) } }, { labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } }),
      requester: PERSON,
      options: { requireControllerManaged: true },
      errors: [{ messageId: 'notControllerManaged' as const, action: 'deny', field }],
      canaries: [PASSWORD],
    },
    ...(['data', 'stringData'] as const).map((map) => ({
      name: `a ${map} key named __proto__ is read like any other`,
      object: withProto(map, map === 'data' ? b64(PASSWORD) : PASSWORD),
      source: 'cli' as const,
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'deny' as const, field: `/${map}/__proto__`, messageIncludes: ['key `__proto__`'] }],
      canaries: [PASSWORD],
    })),
    {
      name: 'requireControllerManaged: a person creating a Secret by hand',
      object: mixed,
      requester: PERSON,
      options: { requireControllerManaged: true },
      errors: [{ messageId: 'notControllerManaged' as const, action: 'deny', field, messageIncludes: ['alice', 'kubeseal'] }],
      canaries: [PASSWORD],
    },
    {
      name: 'action lowered by config',
      object: kubectlCreateOutput,
      source: 'cli',
      config: { rules: { 'no-plaintext-secret': 'warn' } },
      errors: [{ messageId: 'plaintextFromGit' as const, action: 'warn', field }],
    },
  ],
});
