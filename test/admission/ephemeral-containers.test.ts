// pods/ephemeralcontainers (`kubectl debug`) through the real HTTPS server with the shipped rules: the API server
// sends the whole Pod for that subresource (EphemeralContainersREST.New in kube-apiserver's
// pkg/registry/core/pod/storage returns a Pod), so no-credential-in-env judges it; every other subresource stays skipped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import type { AdmissionReviewResponse } from '../../src/admission/review.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { startServer } from '../../src/server/serve.js';
import { AWS_SECRET, canariesIn, GITHUB_CLASSIC } from '../detectors/fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-ephemeral-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
writeFileSync(path.join(dir, 'tls.key'), certs.key);
writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }));
const server = await startServer({ tlsCert: path.join(dir, 'tls.crt'), tlsKey: path.join(dir, 'tls.key'), port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [path.join(dir, 'state.json')], shutdownDelayMs: 0 });
t.teardown(() => server.close());

function post(urlPath: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    httpsRequest(
      { host: '127.0.0.1', port: server.port, path: urlPath, method: 'POST', ca: certs.caCert, servername: 'localhost', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }); });
      },
    )
      .on('error', reject)
      .end(payload);
  });
}

const pod = (ephemeralEnv: JsonObject[] | undefined, containerEnv: JsonObject[] = [{ name: 'LOG_LEVEL', value: 'info' }]): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-7d9f8', namespace: 'team-a', uid: '4c7e1b52-8a0d-4f55-9f5e-2d1f0a9b7c11', resourceVersion: '812' },
  spec: {
    containers: [{ name: 'web', image: 'ghcr.io/acme/web:2.1.0', env: containerEnv }],
    ...(ephemeralEnv !== undefined ? { ephemeralContainers: [{ name: 'debugger-q8z4m', image: 'busybox:1.37', targetContainerName: 'web', stdin: true, tty: true, env: ephemeralEnv }] } : {}),
  },
  status: { phase: 'Running' },
});

/** The AdmissionReview kube-apiserver sends for `kubectl debug` (a PATCH of pods/ephemeralcontainers is an UPDATE of the Pod). */
function review(uid: string, subResource: string, object: JsonObject, oldObject: JsonObject): JsonObject {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      subResource,
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      requestSubResource: subResource,
      name: 'web-7d9f8',
      namespace: 'team-a',
      operation: 'UPDATE',
      userInfo: { username: 'alice', uid: 'uid-alice', groups: ['system:authenticated'] },
      object,
      oldObject,
      dryRun: false,
      options: { kind: 'PatchOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'kubectl-debug' },
    },
  };
}

const REMEDY = 'put it in a Secret (from an ExternalSecret or a SealedSecret) and use env[].valueFrom.secretKeyRef instead';

t.test('validate: kubectl debug with a literal credential in the ephemeral container is denied', async (t) => {
  const cases: [string, string, string, string[]][] = [
    ['GITHUB_TOKEN', GITHUB_CLASSIC, 'GitHub token', canariesIn(GITHUB_CLASSIC)],
    ['AWS_SECRET_ACCESS_KEY', AWS_SECRET, 'AWS secret access key', canariesIn(AWS_SECRET)],
  ];
  for (const [env, value, what, canaries] of cases) {
    const uid = `uid-debug-${env}`;
    const res = await post('/validate', review(uid, 'ephemeralcontainers', pod([{ name: 'TERM', value: 'xterm' }, { name: env, value }]), pod(undefined)));
    t.equal(res.status, 200, env);
    t.same(JSON.parse(res.text), {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid,
        allowed: false,
        status: { code: 403, message: `[no-credential-in-env] Pod web-7d9f8 container \`debugger-q8z4m\` env \`${env}\` holds a literal ${what}; ${REMEDY}` },
      },
    }, env);
    for (const canary of canaries) t.notOk(res.text.includes(canary), `${env}: the value is never quoted`);
  }
});

t.test('validate: kubectl debug with clean env is allowed; mutate never judges a subresource', async (t) => {
  const clean = review('uid-clean', 'ephemeralcontainers', pod([{ name: 'TERM', value: 'xterm' }]), pod(undefined));
  t.same(JSON.parse((await post('/validate', clean)).text), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-clean', allowed: true } });
  const dirty = review('uid-mutate', 'ephemeralcontainers', pod([{ name: 'GITHUB_TOKEN', value: GITHUB_CLASSIC }]), pod(undefined));
  t.same(JSON.parse((await post('/mutate', dirty)).text), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-mutate', allowed: true } });
});

t.test('validate: other pod subresources stay skipped, whatever the Pod holds', async (t) => {
  const dirty = pod(undefined, [{ name: 'GITHUB_TOKEN', value: GITHUB_CLASSIC }]);
  for (const subResource of ['status', 'resize', 'binding']) {
    const uid = `uid-${subResource}`;
    const res = await post('/validate', review(uid, subResource, dirty, dirty));
    t.same(JSON.parse(res.text), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } }, subResource);
  }
  // The same Pod as a plain UPDATE is judged: the skip is the subresource's, not the object's.
  const plain = review('uid-plain', '', dirty, dirty);
  const response = (JSON.parse((await post('/validate', plain)).text) as AdmissionReviewResponse).response;
  t.equal(response.allowed, false);
  t.match(response.status?.message, /^\[no-credential-in-env\] Pod web-7d9f8 container `web` env `GITHUB_TOKEN` holds a literal GitHub token/);
});
