// Issue 15, "nothing the requester writes can switch a rule off": producer claims (ESO labels, owner
// references, cert-manager annotation, token and Helm types) count only from the producer's own identity
// and never beside a file signal; Helm release storage is known by its shape; no map key can hide.
// Through the real HTTPS server (real certificates) and through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { startServer } from '../../src/server/serve.js';
import { runCli } from '../helpers/cli.js';

const PASSWORD = 'Qv8rT3nW6yB1kZ5m';
const ENCODED = Buffer.from(PASSWORD).toString('base64');

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-claims-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
writeFileSync(path.join(dir, 'tls.key'), certs.key);
writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'my-app' } }));
writeFileSync(
  path.join(dir, 'config.yaml'),
  'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-plaintext-secret:\n    options: {requireControllerManaged: true}\n',
);
const server = await startServer({
  tlsCert: path.join(dir, 'tls.crt'),
  tlsKey: path.join(dir, 'tls.key'),
  config: path.join(dir, 'config.yaml'),
  port: 0,
  metricsPort: 0,
  host: '127.0.0.1',
  clusterState: [path.join(dir, 'state.json')],
  shutdownDelayMs: 0,
});
t.teardown(() => server.close());

interface Answer {
  status: number;
  response: { uid: string; allowed: boolean; status?: { code: number; message: string } };
  text: string;
}

function validate(object: JsonObject, username: string, operation = 'CREATE'): Promise<Answer> {
  const metadata = object['metadata'] as JsonObject;
  const kind = object['kind'] as string;
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'claims-1',
      kind: { group: '', version: 'v1', kind },
      resource: { group: '', version: 'v1', resource: kind === 'Secret' ? 'secrets' : 'configmaps' },
      name: metadata['name'],
      namespace: metadata['namespace'],
      operation,
      userInfo: { username, groups: ['system:authenticated'] },
      object,
      oldObject: operation === 'UPDATE' ? object : null,
      dryRun: false,
    },
  };
  // Serialized by hand so that a `__proto__` key goes out as an ordinary key, as the API server sends it.
  const body = JSON.stringify(review);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: server.port, path: '/validate', method: 'POST', ca: certs.caCert, servername: 'localhost', headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { response: Answer['response'] };
          resolve({ status: res.statusCode ?? 0, response: parsed.response, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const PERSON = 'alice';
const ESO = 'system:serviceaccount:external-secrets:external-secrets';
const SEALED = 'system:serviceaccount:kube-system:sealed-secrets-controller';
const CERT_MANAGER = 'system:serviceaccount:cert-manager:cert-manager';
const KUSTOMIZE = 'system:serviceaccount:flux-system:kustomize-controller';
const HELM_CONTROLLER = 'system:serviceaccount:flux-system:helm-controller';
const ARGOCD = 'system:serviceaccount:argocd:argocd-application-controller';
const FLUX_TENANT = 'system:serviceaccount:team-a:flux-reconciler';

const secret = (metadata: JsonObject, body: JsonObject = { data: { password: ENCODED } }): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db', namespace: 'my-app', ...metadata },
  type: 'Opaque',
  ...body,
});

const claims: [string, JsonObject, JsonObject?][] = [
  ['ESO managed label', { labels: { 'reconcile.external-secrets.io/managed': 'true' } }],
  ['ESO created-by label', { labels: { 'reconcile.external-secrets.io/created-by': 'abc' } }],
  ['ESO data-hash annotation', { annotations: { 'reconcile.external-secrets.io/data-hash': 'abc' } }],
  ['ExternalSecret owner', { ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'db', uid: 'u1', controller: true }] }],
  ['SealedSecret owner', { ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'db', uid: 'u2', controller: true }] }],
  ['cert-manager annotation', { annotations: { 'cert-manager.io/certificate-name': 'web' } }],
  ['service-account-token type', { annotations: { 'kubernetes.io/service-account.name': 'default' } }, { type: 'kubernetes.io/service-account-token', data: { token: ENCODED } }],
  ['helm.sh/release.v1 type', { labels: { owner: 'helm' } }, { type: 'helm.sh/release.v1', data: { release: ENCODED } }],
];

/** How the object got to the API server: who sends it, and what the tool leaves in its metadata. */
const routes: [string, string, (metadata: JsonObject) => JsonObject][] = [
  ['kubectl apply -f', PERSON, (m) => ({ ...m, annotations: { ...(m['annotations'] as JsonObject | undefined), 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }] })],
  ['kubectl replace -f', PERSON, (m) => ({ ...m, managedFields: [{ manager: 'kubectl-replace', operation: 'Update' }] })],
  ['kubectl apply --server-side', PERSON, (m) => ({ ...m, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] })],
  ['Argo CD sync', ARGOCD, (m) => ({ ...m, annotations: { ...(m['annotations'] as JsonObject | undefined), 'argocd.argoproj.io/tracking-id': 'app:/Secret:my-app/db' } })],
  ['Flux kustomize-controller', KUSTOMIZE, (m) => ({ ...m, labels: { ...(m['labels'] as JsonObject | undefined), 'kustomize.toolkit.fluxcd.io/name': 'apps' } })],
  ['Flux impersonating a tenant service account', FLUX_TENANT, (m) => ({ ...m, labels: { ...(m['labels'] as JsonObject | undefined), 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'team-a' }, managedFields: [{ manager: 'kustomize-controller', operation: 'Apply' }] })],
  ['a person with no file signal (requireControllerManaged)', PERSON, (m) => m],
];

t.test('a forged producer claim is denied on every route from a file, and from a person', async (t) => {
  for (const [claim, metadata, body] of claims) {
    for (const [route, username, via] of routes) {
      const answer = await validate(secret(via(metadata), body), username);
      t.equal(answer.status, 200, `${claim} via ${route}: HTTP 200`);
      t.equal(answer.response.allowed, false, `${claim} via ${route}: denied`);
      t.equal(answer.response.status?.code, 403, `${claim} via ${route}: 403`);
      t.match(answer.response.status?.message ?? '', /\[no-plaintext-secret\]/, `${claim} via ${route}: names the rule`);
      t.notOk(answer.text.includes(PASSWORD) || answer.text.includes(ENCODED), `${claim} via ${route}: the value never comes back`);
    }
  }
});

const HELM_VALUE = Buffer.from('H4sIAAAAAAAC/+xYW2/bNhTe8ysE7tVySKc').toString('base64');
const helmStorage = (extra: JsonObject = {}): JsonObject =>
  secret({ name: 'sh.helm.release.v1.podinfo.v7', labels: { owner: 'helm', name: 'podinfo', status: 'deployed', version: '7' }, ...extra }, { type: 'helm.sh/release.v1', data: { release: HELM_VALUE } });

t.test('each genuine producer is allowed: its own identity, and Helm release storage by its shape', async (t) => {
  const genuine: [string, JsonObject, string, string?][] = [
    ['ESO creates its target', secret(claims[0]![1]), ESO],
    ['ESO, with a tracking id copied from its ExternalSecret', secret({ labels: { 'reconcile.external-secrets.io/managed': 'true', 'kustomize.toolkit.fluxcd.io/name': 'apps' }, annotations: { 'argocd.argoproj.io/tracking-id': 'app:/ExternalSecret:my-app/db' } }), ESO],
    ['the sealed-secrets controller unseals', secret(claims[4]![1]), SEALED],
    ['cert-manager issues', secret(claims[5]![1], { type: 'kubernetes.io/tls', data: { 'tls.key': ENCODED, 'tls.crt': ENCODED } }), CERT_MANAGER],
    ['the token controller fills a token Secret applied from git', secret({ annotations: { 'kubernetes.io/service-account.name': 'default', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }, managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:annotations': {} }, 'f:type': {} } }] }, { type: 'kubernetes.io/service-account-token', data: { token: ENCODED } }), 'system:kube-controller-manager', 'UPDATE'],
    ['Flux helm-controller writes its release storage', helmStorage({ managedFields: [{ manager: 'helm-controller', operation: 'Update' }] }), HELM_CONTROLLER],
    ['a person runs helm upgrade', helmStorage(), PERSON],
  ];
  for (const [name, object, username, operation] of genuine) {
    const answer = await validate(object, username, operation);
    t.same(answer.response, { uid: 'claims-1', allowed: true }, name);
  }
});

t.test('Helm release storage is only what has its whole shape', async (t) => {
  const fakes: [string, JsonObject][] = [
    ['a second key', { ...helmStorage(), data: { release: HELM_VALUE, password: ENCODED } }],
    ['no owner label', { ...helmStorage(), metadata: { name: 'sh.helm.release.v1.podinfo.v7', namespace: 'my-app' } }],
    ['another name', { ...helmStorage(), metadata: { name: 'podinfo-release', namespace: 'my-app', labels: { owner: 'helm' } } }],
    ['a release that is not gzip', { ...helmStorage(), data: { release: ENCODED } }],
    ['the real shape applied by Argo CD', helmStorage({ annotations: { 'argocd.argoproj.io/tracking-id': 'x' } })],
  ];
  for (const [name, object] of fakes) {
    const answer = await validate(object, name.includes('Argo CD') ? ARGOCD : HELM_CONTROLLER);
    t.equal(answer.response.allowed, false, `${name}: denied`);
  }
});

t.test('a data key named __proto__ (or another Object.prototype name) is read like any other, in the webhook', async (t) => {
  for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const inSecret = JSON.parse(`{"${key}": "${ENCODED}"}`) as JsonObject;
    const answer = await validate(secret({ annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, { data: inSecret }), PERSON);
    t.equal(answer.response.allowed, false, `Secret data.${key}: denied`);
    t.match(answer.response.status?.message ?? '', `key \`${key}\``, `Secret data.${key}: the key is named`);
    const configMap: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'my-app' }, data: JSON.parse(`{"${key}": "password=${PASSWORD}"}`) as JsonObject };
    const cm = await validate(configMap, ARGOCD);
    t.equal(cm.response.allowed, false, `ConfigMap data.${key}: denied`);
    t.match(cm.response.status?.message ?? '', /no-credential-in-configmap/, `ConfigMap data.${key}: by no-credential-in-configmap`);
    t.notOk(cm.text.includes(PASSWORD), `ConfigMap data.${key}: the value never comes back`);
  }
});

t.test('a data key named __proto__ is read like any other, in the CLI (both YAML parsers, JSON, flow style)', async (t) => {
  const files: [string, string][] = [
    ['plain.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: app}\nstringData:\n  __proto__: ${PASSWORD}\n`],
    ['quoted.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: app}\ndata:\n  "__proto__": ${ENCODED}\n`],
    ['flow.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: app}\nstringData: {__proto__: ${PASSWORD}, other: x}\n`],
    // An alias sends the document to the `yaml` package instead of js-yaml.
    ['alias.yaml', `apiVersion: v1\nkind: Secret\nmetadata: &m {name: s, namespace: app}\nstringData:\n  __proto__: ${PASSWORD}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: &n {name: c, namespace: app}\nx-copy: *n\ndata:\n  constructor: "password=${PASSWORD}"\n`],
    ['merged.yaml', `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: app}\nx-base: &b {__proto__: ${PASSWORD}}\nstringData:\n  <<: *b\n`],
    ['secret.json', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'app' }, stringData: JSON.parse(`{"__proto__": "${PASSWORD}"}`) as JsonObject })],
  ];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const result = runCli(['scan', '--format', 'json', file]);
    t.equal(result.code, 1, `${name}: exit 1`);
    const report = JSON.parse(result.stdout) as { findings: { ruleId: string; field?: string; action: string }[] };
    const denied = report.findings.filter((f) => f.action === 'deny');
    t.ok(denied.some((f) => f.ruleId === 'no-plaintext-secret' && (f.field ?? '').endsWith('/__proto__')), `${name}: the __proto__ key is denied by no-plaintext-secret`);
    t.notOk(result.stdout.includes(PASSWORD) || result.stderr.includes(PASSWORD), `${name}: the value never comes out`);
  }
});
