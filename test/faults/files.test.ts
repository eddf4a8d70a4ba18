// Certificate and config files replaced with garbage under traffic (issue 12): every kind of garbage
// (random bytes, empty, truncated PEM, a key for another certificate, a deleted file, invalid YAML,
// a config naming unknown rules) is refused; the old certificate and config stay in force; the
// refusal is logged and exported; no request fails meanwhile; a good file afterwards is taken.
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { startServer } from '../../src/server/serve.js';
import { LogSink, ManualLag } from '../server/helpers.js';
import { getText, metric, postReview } from './load.js';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-garbage-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
const other = generateCertificates({ service: 'other', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
const certFile = path.join(dir, 'tls.crt');
const keyFile = path.join(dir, 'tls.key');
const configFile = path.join(dir, 'config.yaml');
writeFileSync(certFile, certs.cert);
writeFileSync(keyFile, certs.key);
writeFileSync(configFile, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-plaintext-secret: warn\n');
writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }));
const review = readFileSync(path.join(import.meta.dirname, '../../../test/fixtures/admission/create.json'), 'utf8');
const serial = new X509Certificate(certs.cert).serialNumber;

t.test('garbage certificate and config files under traffic', async (t) => {
  const sink = new LogSink();
  const server = await startServer({ config: configFile, tlsCert: certFile, tlsKey: keyFile, port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [path.join(dir, 'state.json')], logDestination: sink, pollMs: 200, lagSource: new ManualLag() });
  t.teardown(() => server.close());
  let sent = 0;
  let failed = 0;
  const state = { stop: false };
  const agent = new Agent({ keepAlive: false });
  const traffic = (async () => {
    while (!state.stop) {
      const answer = await postReview(server.port, certs.caCert, review, agent);
      sent++;
      if (answer.status !== 200 || !answer.body.includes('"uid":"6f7634c6')) failed++;
    }
  })();
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const certGarbage: [string, () => void][] = [
    ['random bytes', () => { writeFileSync(certFile, randomBytes(2048)); }],
    ['empty file', () => { writeFileSync(certFile, ''); }],
    ['truncated PEM', () => { writeFileSync(certFile, certs.cert.slice(0, certs.cert.length / 2)); }],
    ['a certificate for another key', () => { writeFileSync(certFile, other.cert); }],
    ['deleted certificate', () => { unlinkSync(certFile); }],
    ['garbage key', () => { writeFileSync(certFile, certs.cert); writeFileSync(keyFile, randomBytes(512)); }],
  ];
  let survived = 0;
  for (const [name, apply] of certGarbage) {
    const before = metric((await getText(server.metricsPort, '/metrics')).body, 'secretguard_tls_reloads_total', 'result="failure"') ?? 0;
    apply();
    t.equal(server.tls.reload(), false, `${name}: refused`);
    await wait(250);
    const metrics = (await getText(server.metricsPort, '/metrics')).body;
    t.ok((metric(metrics, 'secretguard_tls_reloads_total', 'result="failure"') ?? 0) > before, `${name}: failure exported`);
    t.equal(new X509Certificate(server.tls.certificate.cert).serialNumber, serial, `${name}: old certificate in force`);
    survived++;
  }
  writeFileSync(keyFile, certs.key);
  writeFileSync(certFile, certs.cert);
  t.ok(sink.records.filter((r) => r['msg'] === 'serving certificate reload refused; the previous certificate stays in force').length >= certGarbage.length, 'each refusal logged');

  const action = () => server.policy.get().config.rules.get('no-plaintext-secret')?.action;
  const configGarbage: [string, string | Buffer][] = [
    ['random bytes', randomBytes(1024)],
    ['empty file', ''],
    ['invalid YAML', 'rules: [\n  - {'],
    ['unknown rule', 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-such-rule: deny\n'],
    ['wrong kind', 'apiVersion: v1\nkind: ConfigMap\n'],
    ['alias bomb', `a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`],
  ];
  for (const [name, text] of configGarbage) {
    writeFileSync(configFile, text);
    server.policy.reload();
    await wait(250);
    t.equal(action(), 'warn', `${name}: last good config in force`);
    t.ok(server.policy.lastReloadFailed || name === 'empty file', `${name}: refusal recorded`);
    survived++;
  }
  const metrics = (await getText(server.metricsPort, '/metrics')).body;
  t.ok((metric(metrics, 'secretguard_config_reloads_total', 'result="failure"') ?? 0) >= configGarbage.length - 1, 'config refusals exported');
  t.equal((await getText(server.metricsPort, '/readyz')).status, 200, 'still ready');
  writeFileSync(configFile, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-plaintext-secret: audit\n');
  server.policy.reload();
  t.equal(action(), 'audit', 'a good config afterwards is taken');
  state.stop = true;
  await traffic;
  t.comment(`faults survived (garbage files): ${survived}; requests during the faults: ${sent}, failed: ${failed}`);
  t.ok(sent > 10, 'traffic flowed');
  t.equal(failed, 0, 'requests lost: 0');
});
