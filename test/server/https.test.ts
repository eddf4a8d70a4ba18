// The server over a real HTTPS listener: certificates from `generateCertificates` (what
// `secretguard cert` writes), Node's TLS client, files laid out like a Kubernetes Secret mount.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import t from 'tap';
import { generateCertificates, type GeneratedCertificates } from '../../src/certs/generate.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { fixture, LogSink, ManualLag } from './helpers.js';

interface Answer {
  status: number;
  body: string;
  serial: string;
}

function post(port: number, ca: string[], body: string, agent?: Agent, extra: Record<string, unknown> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        ca,
        servername: 'localhost',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        ...(agent ? { agent } : { agent: false }),
        ...extra,
      },
      (res) => {
        const socket = res.socket;
        const serial = socket instanceof TLSSocket ? socket.getPeerCertificate().serialNumber : '';
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), serial });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
    })
      .on('error', reject)
      .end();
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A Secret volume: files are symlinks through `..data`, which is swapped atomically on update. */
class SecretMount {
  private generation = 0;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  write(files: Record<string, string>): void {
    const versioned = path.join(this.dir, `..gen_${++this.generation}`);
    mkdirSync(versioned);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(versioned, name), text);
    const tmp = path.join(this.dir, '..data_tmp');
    symlinkSync(path.basename(versioned), tmp);
    renameSync(tmp, path.join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(path.join('..data', name), path.join(this.dir, name));
      } catch {
        // already linked through ..data
      }
    }
  }
}

const serialOf = (pem: string): string => new X509Certificate(pem).serialNumber;

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-https-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const first = generateCertificates({ service: 'secretguard', namespace: 'secretguard-system', hosts: ['localhost', '127.0.0.1'] });
const mount = new SecretMount(path.join(dir, 'tls'));
mount.write({ 'tls.crt': first.cert, 'tls.key': first.key });
const configFile = path.join(dir, 'config.yaml');
writeFileSync(configFile, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n');
mkdirSync(path.join(dir, 'state'));
writeFileSync(path.join(dir, 'state', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
const sink = new LogSink();
const server: RunningServer = await startServer({
  config: configFile,
  tlsCert: path.join(mount.dir, 'tls.crt'),
  tlsKey: path.join(mount.dir, 'tls.key'),
  port: 0,
  metricsPort: 0,
  host: '127.0.0.1',
  clusterState: [path.join(dir, 'state')],
  logDestination: sink,
  lagSource: new ManualLag(),
});
t.teardown(() => server.close());
const reviewBody = JSON.stringify(fixture('create'));
const trusted = [first.caCert];

t.test('validate over TLS with the generated CA; TLS below 1.2 is refused', async (t) => {
  const answer = await post(server.port, [first.caCert], reviewBody);
  t.equal(answer.status, 200);
  // The real rules decide; the answer's shape and uid are what this test is about.
  t.match(JSON.parse(answer.body), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: String, allowed: Boolean } });
  t.equal(answer.serial, serialOf(first.cert));
  await t.rejects(post(server.port, [first.caCert], reviewBody, undefined, { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }), 'TLS 1.1 refused');
  const other = generateCertificates({ service: 'x', namespace: 'y' });
  await t.rejects(post(server.port, [other.caCert], reviewBody), 'untrusted CA refused by the client');
});

t.test('probes and metrics on the plain-HTTP port only', async (t) => {
  t.equal((await get(server.metricsPort, '/healthz')).status, 200);
  const ready = await get(server.metricsPort, '/readyz');
  t.equal(ready.status, 200);
  t.match(JSON.parse(ready.body), { status: 'ready' });
  const metrics = (await get(server.metricsPort, '/metrics')).body;
  t.match(metrics, /secretguard_certificate_expiry_timestamp_seconds \d+/);
  t.match(metrics, /secretguard_cluster_view_synced 1/);
  t.match(metrics, /secretguard_cluster_view_objects\{kind="namespaces"\} 1/);
  t.match(metrics, /secretguard_admission_requests_total\{endpoint="validate",kind="Secret",operation="CREATE",decision="\w+"\}/);
  t.match(metrics, /secretguard_admission_duration_seconds_bucket/);
  t.equal((await get(server.metricsPort, '/validate')).status, 404);
});

t.test('latency of a single validate request over TLS (keep-alive), informational', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    const answer = await post(server.port, [first.caCert], reviewBody, agent);
    times.push(performance.now() - started);
    if (answer.status !== 200) t.fail('request failed');
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const p = (q: number) => (times[Math.floor(q * (times.length - 1))] ?? 0).toFixed(2);
  t.comment(`validate over TLS, keep-alive, 200 sequential: p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, p99 ${p(0.99)} ms`);
  const fresh: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    await post(server.port, [first.caCert], reviewBody);
    fresh.push(performance.now() - started);
  }
  fresh.sort((a, b) => a - b);
  t.comment(`validate over TLS with a new handshake each: p50 ${(fresh[15] ?? 0).toFixed(2)} ms`);
  t.pass('measured');
});

t.test('certificate rotation under traffic: zero failed requests, new handshakes get the new certificate', async (t) => {
  const second: GeneratedCertificates = generateCertificates({ service: 'secretguard', namespace: 'secretguard-system', hosts: ['localhost', '127.0.0.1'] });
  // During a CA rotation the caBundle holds both CAs.
  const ca = [first.caCert, second.caCert];
  trusted.push(second.caCert);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let failures = 0;
  let done = 0;
  const seen = new Set<string>();
  let stop = false;
  const worker = async (useAgent: boolean) => {
    while (!stop) {
      try {
        const answer = await post(server.port, ca, reviewBody, useAgent ? agent : undefined);
        if (answer.status !== 200) failures++;
        seen.add(answer.serial);
        done++;
      } catch {
        failures++;
      }
    }
  };
  const workers = [worker(true), worker(true), worker(false), worker(false)];
  await until('traffic', () => done > 20);
  mount.write({ 'tls.crt': second.cert, 'tls.key': second.key });
  await until('the new certificate', () => seen.has(serialOf(second.cert)));
  const afterSwap = done;
  await until('more traffic', () => done > afterSwap + 20);
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  t.equal(failures, 0, `zero failures over ${done} requests`);
  t.ok(seen.has(serialOf(first.cert)) && seen.has(serialOf(second.cert)), 'both certificates served');
  t.equal(server.tls.certificate.notAfter.getTime(), second.notAfter.getTime() - (second.notAfter.getTime() % 1000));
  const metrics = (await get(server.metricsPort, '/metrics')).body;
  t.match(metrics, /secretguard_tls_reloads_total\{result="success"\} 1/);

  // A garbage certificate is refused; the current one stays in force.
  mount.write({ 'tls.crt': 'not a certificate', 'tls.key': second.key });
  await until('refusal metric', async () => /secretguard_tls_reloads_total\{result="failure"\} [1-9]/.test((await get(server.metricsPort, '/metrics')).body));
  const still = await post(server.port, ca, reviewBody);
  t.equal(still.status, 200);
  t.equal(still.serial, serialOf(second.cert), 'old certificate still served');
  t.ok(sink.records.some((r) => r['msg'] === 'serving certificate reload refused; the previous certificate stays in force'));
  // A mismatched pair (new cert, old key) is refused too.
  mount.write({ 'tls.crt': first.cert, 'tls.key': second.key });
  await new Promise((r) => setTimeout(r, 300));
  t.equal((await post(server.port, ca, reviewBody)).serial, serialOf(second.cert));
  mount.write({ 'tls.crt': second.cert, 'tls.key': second.key });
});

t.test('config reload: a good file takes effect, a bad one is refused and the last good stays', async (t) => {
  const ruleAction = () => server.policy.get().config.rules.get('no-sealing-key-in-git')?.action;
  t.equal(ruleAction(), 'deny');
  writeFileSync(configFile, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: warn\n');
  await until('good reload', () => ruleAction() === 'warn');
  t.match((await get(server.metricsPort, '/metrics')).body, /secretguard_config_reloads_total\{result="success"\} 1/);
  writeFileSync(configFile, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-such-rule: deny\n');
  await until('refused reload', async () => /secretguard_config_reloads_total\{result="failure"\} 1/.test((await get(server.metricsPort, '/metrics')).body));
  t.equal(ruleAction(), 'warn', 'last good config in force');
  const refused = sink.records.find((r) => r['msg'] === 'config reload refused; the last good config stays in force');
  t.match(refused, { problems: [/no-such-rule: unknown rule/] });
  t.equal((await get(server.metricsPort, '/readyz')).status, 200, 'still ready on the last good config');
  t.equal((await post(server.port, trusted, reviewBody)).status, 200);
});
