// SIGTERM with a request in flight: the request (whose body is still arriving when the signal
// lands) is answered, new connections are refused, and the process exits 0 within the grace period.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { fixture } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-sigterm-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1'] });
writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
writeFileSync(path.join(dir, 'tls.key'), certs.key);
mkdirSync(path.join(dir, 'state'));

t.test('SIGTERM: in-flight request finishes, then the process exits within the grace period', async (t) => {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'serve-child.js'), path.join(dir, 'tls.crt'), path.join(dir, 'tls.key'), path.join(dir, 'state'), '5000'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  const lines = createInterface({ input: child.stdout });
  const logs: string[] = [];
  const ports = await new Promise<{ port: number }>((resolve) => {
    lines.on('line', (line) => {
      logs.push(line);
      if (line.includes('"port"') && !line.includes('"level"')) resolve(JSON.parse(line) as { port: number });
    });
  });

  const body = JSON.stringify(fixture('create'));
  const half = Math.floor(body.length / 2);
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: ports.port,
        path: '/validate',
        method: 'POST',
        ca: certs.caCert,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, text }); });
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
    setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => req.end(body.slice(half)), 300);
    }, 200);
  });
  const started = Date.now();
  const result = await answer;
  t.equal(result.status, 200, 'in-flight request answered');
  t.match(JSON.parse(result.text), { response: { uid: String, allowed: Boolean } });
  const code = await exited;
  t.equal(code, 0, 'clean exit');
  t.ok(Date.now() - started < 5000, 'within the grace period');
  t.ok(logs.some((l) => l.includes('signal received; shutting down')));
  t.ok(logs.some((l) => l.includes('"msg":"stopped"')));
});
