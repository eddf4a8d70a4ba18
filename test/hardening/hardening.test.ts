// Hardening (issue 12): TLS 1.2+ with AEAD/ECDHE suites only (also after a certificate reload), no
// admission traffic on plain HTTP, no decorative headers; object exemptions cannot bypass isolation
// rules, and a tenant cannot claim an identity through object content.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { resolveConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import type { Subject } from '../../src/engine/types.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';
import { startServer } from '../../src/server/serve.js';
import { ManualLag } from '../server/helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-hardening-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
writeFileSync(path.join(dir, 'tls.key'), certs.key);
writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }));
const server = await startServer({ tlsCert: path.join(dir, 'tls.crt'), tlsKey: path.join(dir, 'tls.key'), port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [path.join(dir, 'state.json')], shutdownDelayMs: 0, lagSource: new ManualLag() });
t.teardown(() => server.close());

function handshake(options: ConnectionOptions): Promise<{ ok: boolean; protocol?: string; cipher?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ...options }, () => {
      resolve({ ok: true, protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().name });
      socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => { resolve({ ok: false, error: e.code ?? e.message }); });
  });
}

/** [passed, description] for every TLS expectation against the certificate signed by `ca`. */
async function checkTls(when: string, ca: string): Promise<[boolean, string][]> {
  const results: [boolean, string][] = [];
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const r = await handshake({ ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
    results.push([!r.ok, `${when}: ${version} refused (${r.error ?? ''})`]);
  }
  for (const cipher of ['AES128-SHA', 'AES256-SHA256', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'DHE-RSA-AES128-GCM-SHA256']) {
    const r = await handshake({ ca, maxVersion: 'TLSv1.2', ciphers: cipher });
    results.push([!r.ok, `${when}: TLS 1.2 with ${cipher} refused`]);
  }
  for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    const r = await handshake({ ca, maxVersion: 'TLSv1.2', ciphers: cipher });
    results.push([r.ok, `${when}: TLS 1.2 with ${cipher} accepted`]);
  }
  const r13 = await handshake({ ca, minVersion: 'TLSv1.3' });
  results.push([r13.protocol === 'TLSv1.3', `${when}: TLS 1.3 accepted (${r13.cipher ?? ''})`]);
  return results;
}

t.test('TLS: 1.2+ only, ECDHE + AEAD suites only, before and after a certificate reload', async (t) => {
  for (const [ok, what] of await checkTls('initial certificate', certs.caCert)) t.ok(ok, what);
  const next = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(path.join(dir, 'tls.crt'), next.cert);
  writeFileSync(path.join(dir, 'tls.key'), next.key);
  t.ok(server.tls.reload(), 'new certificate loaded');
  for (const [ok, what] of await checkTls('reloaded certificate', next.caCert)) t.ok(ok, what);
  writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
  writeFileSync(path.join(dir, 'tls.key'), certs.key);
  t.ok(server.tls.reload(), 'first certificate back');
});

t.test('no admission traffic on plain HTTP; no decorative headers on JSON answers', async (t) => {
  const plain = await new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/validate', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', (e: NodeJS.ErrnoException) => { resolve({ error: e.code ?? e.message }); });
    req.end('{}');
  });
  t.ok('error' in plain || !plain.body.includes('AdmissionReview'), `plain HTTP on the admission port gets no admission answer (${JSON.stringify(plain).slice(0, 80)})`);
  const probe = await new Promise<number>((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: server.metricsPort, path: '/validate', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end('{}');
  });
  t.equal(probe, 404, 'the plain-HTTP probe port has no /validate');
  const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
    httpsRequest({ host: '127.0.0.1', port: server.port, path: '/validate', method: 'POST', ca: certs.caCert, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.headers);
    })
      .on('error', reject)
      .end('{}');
  });
  t.same(Object.keys(headers).filter((h) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(h)), [], 'only the headers a JSON API needs (no x-powered-by, CSP, frame options)');
});

const TENANT = { username: 'tenant', groups: ['tenants', 'system:authenticated'] };

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function subject(object: JsonObject, requester = TENANT): Subject {
  const apiVersion = str(object['apiVersion']);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const metadata = object['metadata'] as JsonObject;
  return {
    gvk: { group: group ?? '', version: version ?? 'v1', kind: str(object['kind']) },
    object,
    oldObject: null,
    operation: 'CREATE',
    requester,
    namespace: str(metadata['namespace']),
    name: str(metadata['name']),
    dryRun: false,
    source: 'webhook',
    origin: { kind: 'webhook', uid: 'h' },
  };
}

const reflected: JsonObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'shared',
    namespace: 'team-a',
    annotations: {
      'reflector.v1.k8s.emberstack.com/reflection-allowed': 'true',
      'reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces': 'team-b',
      'secretguard.io/exempt': 'reflector-namespace-isolation,no-plaintext-secret',
      'secretguard.io/exempt-reason': 'trust me',
      'argocd.argoproj.io/tracking-id': 'app:/Secret:team-a/shared',
    },
    managedFields: [{ manager: 'argocd-controller', operation: 'Apply' }],
  },
  stringData: { password: 'Zq8vN2mXw4Lp7Rt9Ks3H' },
};
const config = (extra: Record<string, unknown>) =>
  resolveConfig(
    {
      apiVersion: 'secretguard.io/v1alpha1',
      kind: 'SecretGuardConfig',
      tenancy: { tenants: { 'team-a': { namespaces: ['team-a'] }, 'team-b': { namespaces: ['team-b'] } } },
      ...extra,
    },
    'hardening',
    allRules,
    allMutators,
  );
const view = new ClusterIndex();
for (const name of ['team-a', 'team-b']) view.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
view.synced = true;

t.test("a tenant's exemption annotation is ignored unless the config allows it, and never for isolation rules", async (t) => {
  const strict = new Engine(allRules, allMutators, config({}));
  const findings = strict.evaluate(subject(reflected), view);
  const ids = (action: string) => findings.filter((f) => f.action === action).map((f) => `${f.ruleId}/${f.messageId}`);
  t.ok(ids('deny').some((id) => id.startsWith('reflector-namespace-isolation/')), 'isolation rule still denies');
  t.ok(ids('deny').some((id) => id.startsWith('no-plaintext-secret/')), 'a rule not in allowedRules still denies');
  t.same(ids('warn').filter((id) => id.endsWith('/exemptionNotHonoured')).sort(), ['no-plaintext-secret/exemptionNotHonoured', 'reflector-namespace-isolation/exemptionNotHonoured'], 'each ignored exemption is named');

  t.throws(() => config({ objectExemptions: { allowedRules: ['no-plaintext-secret', 'reflector-namespace-isolation'] } }), /allowedRules\/1: reflector-namespace-isolation is a tenant isolation rule/, 'listing an isolation rule is a config error');
  const lenient = new Engine(allRules, allMutators, config({ objectExemptions: { allowedRules: ['no-plaintext-secret'] } }));
  const after = lenient.evaluate(subject(reflected), view);
  t.notOk(after.some((f) => f.ruleId === 'no-plaintext-secret' && f.action === 'deny'), 'allowed rule exempted when the config allows it');
  t.ok(after.some((f) => f.ruleId === 'reflector-namespace-isolation' && f.action === 'deny'), 'isolation rule never exempted');
});

t.test('identity comes from userInfo, never from object content', async (t) => {
  const engine = new Engine(allRules, allMutators, config({ exemptions: [{ rules: ['no-plaintext-secret'], serviceAccounts: ['argocd/argocd-application-controller'], reason: 'controller' }] }));
  const asTenant = engine.evaluate(subject(reflected), view);
  t.ok(asTenant.some((f) => f.ruleId === 'no-plaintext-secret' && f.action === 'deny'), 'Argo CD annotations and field managers in the object do not make a tenant the controller');
  const asController = engine.evaluate(subject(reflected, { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts'] }), view);
  t.notOk(asController.some((f) => f.ruleId === 'no-plaintext-secret' && f.action === 'deny'), 'the exemption applies to the real service account from userInfo');
});
