import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { repoRoot } from '../server/helpers.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');

t.test('secretguard cert writes ca.crt, tls.crt, tls.key and prints the caBundle', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-cert-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  const out = path.join(dir, 'out');
  const result = spawnSync(
    process.execPath,
    [cli, 'cert', '--out-dir', out, '--service', 'secretguard', '--namespace', 'sg-system', '--host', 'localhost', '--host', '127.0.0.1', '--validity-days', '30'],
    { encoding: 'utf8' },
  );
  t.equal(result.status, 0, result.stderr);
  const ca = readFileSync(path.join(out, 'ca.crt'), 'utf8');
  t.equal(result.stdout.trim(), Buffer.from(ca).toString('base64'), 'caBundle is base64 of ca.crt');
  const leaf = new X509Certificate(readFileSync(path.join(out, 'tls.crt')));
  const caCert = new X509Certificate(ca);
  t.ok(leaf.verify(caCert.publicKey), 'signed by the CA');
  t.ok(caCert.ca, 'CA is a CA');
  t.notOk(leaf.ca);
  t.equal(
    leaf.subjectAltName,
    'DNS:secretguard, DNS:sg-system.secretguard, DNS:secretguard.sg-system.svc, DNS:secretguard.sg-system.svc.cluster.local, DNS:localhost, IP Address:127.0.0.1'.replace(
      'DNS:sg-system.secretguard',
      'DNS:secretguard.sg-system',
    ),
  );
  const days = (new Date(leaf.validTo).getTime() - Date.now()) / 86_400_000;
  t.ok(days > 29 && days <= 30, 'validity in days');
  t.equal(statSync(path.join(out, 'tls.key')).mode & 0o777, 0o600, 'key readable by owner only');
  t.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(readFileSync(path.join(out, 'tls.key')))), 'key matches');
  const bad = spawnSync(process.execPath, [cli, 'cert', '--out-dir', out, '--service', 's', '--namespace', 'n', '--validity-days', 'x'], { encoding: 'utf8' });
  t.equal(bad.status, 2);
});

t.test('serials are random; each run is a new CA', async (t) => {
  const a = generateCertificates({ service: 's', namespace: 'n', bits: 2048 });
  const b = generateCertificates({ service: 's', namespace: 'n', bits: 2048 });
  t.not(new X509Certificate(a.cert).serialNumber, new X509Certificate(b.cert).serialNumber);
  t.not(a.caCert, b.caCert);
  t.same(new X509Certificate(a.cert).keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage serverAuth');
});
