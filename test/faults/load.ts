// An open-loop HTTPS load generator and a serve child, shared by test/faults and bench/. Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { generateCertificates } from '../../src/certs/generate.js';

export interface ServeChild {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  dir: string;
  ca: string;
  logs: string[];
  exited: Promise<number | null>;
}

/** Start `secretguard serve` in a child process with fresh certificates in a temp dir. */
export async function startServeChild(options: { config?: string; state?: string; graceMs?: number; dir?: string } = {}): Promise<ServeChild> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'secretguard-faults-'));
  const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
  writeFileSync(path.join(dir, 'tls.key'), certs.key);
  let state = options.state;
  if (state === undefined) {
    state = path.join(dir, 'state.json');
    writeFileSync(state, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }));
  }
  const script = path.join(import.meta.dirname, 'serve-child.js');
  const child = spawn(process.execPath, [script, path.join(dir, 'tls.crt'), path.join(dir, 'tls.key'), options.config ?? '-', state, String(options.graceMs ?? 5000)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  const logs: string[] = [];
  child.stderr.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  const ports = await new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    lines.on('line', (line) => {
      logs.push(line);
      if (line.startsWith('{"port"')) resolve(JSON.parse(line) as { port: number; metricsPort: number });
    });
    void exited.then((code) => { reject(new Error(`serve exited with ${String(code)}: ${logs.join('\n')}`)); });
  });
  return { child, ...ports, dir, ca: certs.caCert, logs, exited };
}

export interface Answer {
  status: number;
  body: string;
  ms: number;
  error?: string;
}

export function postReview(port: number, ca: string, body: string, agent: Agent | false): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, servername: 'localhost', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }); });
        res.on('error', (e) => { resolve({ status: 0, body: '', ms: performance.now() - started, error: (e as NodeJS.ErrnoException).code ?? e.message }); });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => { resolve({ status: 0, body: '', ms: performance.now() - started, error: (e as NodeJS.ErrnoException).code ?? e.message }); });
    req.end(body);
  });
}

export function getText(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
    })
      .on('error', reject)
      .end();
  });
}

/** A gauge or counter value from Prometheus text (first matching sample). */
export function metric(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(name + (labels === '' ? '' : `{${labels}`)) && (labels !== '' || line[name.length] === ' ' || line[name.length] === '{')) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

/** A Secret review whose evaluation is costly (many credential-looking keys), so the engine dominates. */
export function heavyReview(uid: string, keys = 300): string {
  const data: Record<string, string> = {};
  for (let i = 0; i < keys; i++) data[`password_${i}`] = Buffer.from(`Zq8vN2mXw4Lp7Rt9-${i}-postgres://u:p${i}@h/db`).toString('base64');
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Secret' },
      resource: { group: '', version: 'v1', resource: 'secrets' },
      name: 'db',
      namespace: 'team-a',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
      object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'team-a', annotations: { 'argocd.argoproj.io/tracking-id': 'a:/Secret:team-a/db' } }, data },
    },
  });
}

export interface LoadResult {
  sent: number;
  answers: Answer[];
  durationMs: number;
}

/** Closed loop: `concurrency` requests in flight for `ms`; returns answers per second. */
export async function saturation(port: number, ca: string, body: (i: number) => string, concurrency: number, ms: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = performance.now() + ms;
  let done = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await postReview(port, ca, body(i++), agent);
        done++;
      }
    }),
  );
  agent.destroy();
  return (done / ms) * 1000;
}

/** Open loop: `rate` requests per second for `ms`, whatever the answers' latency. */
export async function openLoop(port: number, ca: string, body: (i: number) => string, rate: number, ms: number, maxSockets = 512): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const started = performance.now();
  const pending: Promise<Answer>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor((ms / 1000) * rate));
      while (sent < due) pending.push(postReview(port, ca, body(sent++), agent));
      if (elapsed >= ms) {
        clearInterval(tick);
        resolve();
      }
    }, 5);
  });
  const answers = await Promise.all(pending);
  agent.destroy();
  return { sent, answers, durationMs: performance.now() - started };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
