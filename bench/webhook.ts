// Webhook benchmark: (a) a bare fastify HTTPS server and (b) secretguard, side by side in one run,
// each in its own child process, loaded by autocannon from this process with the same mix.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { generateCertificates } from '../src/certs/generate.js';
import {
  admissionReview,
  benchConfigYaml,
  clusterSecretStore,
  externalSecret,
  namespaceObject,
  TENANTS,
  webhookPayloads,
  type Payload,
} from './fixtures.js';
import { log, percentile, round, ROOT, toMiB } from './util.js';

export interface WebhookOptions {
  quick: boolean;
  /** Seconds per saturation run and per fixed-rate run. */
  seconds: number;
  connections: number;
  rate: number;
}

interface Body {
  id: string;
  path: string;
  body: string;
}

interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface ServerSummary {
  /** Median over the interleaved saturation rounds. */
  saturationRps: number;
  saturationRounds: number[];
  fixedRate: LoadResult;
  errors: number;
  rssMiB: number;
  maxRssMiB: number;
  heapUsedMiB: number;
}

export interface WebhookResult {
  options: WebhookOptions;
  view: { namespaces: number; clusterSecretStores: number; externalSecrets: number };
  mix: { id: string; description: string; path: string; bytes: number; answer: string }[];
  bare: ServerSummary;
  secretguard: ServerSummary;
  /** secretguard saturation throughput / bare saturation throughput, median of the per-round ratios. */
  throughputRatio: number;
  roundRatios: number[];
  /** Per payload, saturation requests per second of each server (full runs only). */
  perPayload: { id: string; bareRps: number; secretguardRps: number; ratio: number }[];
}

interface Child {
  name: 'bare' | 'secretguard';
  process: ChildProcess;
  port: number;
  counts?: { namespaces: number; clusterSecretStores: number; externalSecrets: number };
}

function startChild(name: Child['name'], args: object): Promise<Child> {
  const child = fork(path.join(ROOT, 'dist/bench/server.js'), [JSON.stringify({ mode: name, ...args })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // SECRETGUARD_BENCH_PROFILE=<dir>: write a CPU profile of each server to <dir> (for finding hot paths).
    execArgv: process.env['SECRETGUARD_BENCH_PROFILE'] !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${process.env['SECRETGUARD_BENCH_PROFILE']}`] : [],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`${name} server exited (${code})`));
    });
    child.once('message', (message: { port: number; counts?: Child['counts'] }) => {
      resolve({ name, process: child, port: message.port, ...(message.counts ? { counts: message.counts } : {}) });
    });
  });
}

function ask<T>(child: Child, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.process.once('message', (reply: T) => {
      resolve(reply);
    });
    child.process.send(message);
  });
}

function stopChild(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.removeAllListeners('exit');
    child.process.once('exit', () => {
      resolve();
    });
    child.process.send('stop');
  });
}

/** One request to learn what secretguard answers for each payload (the mix is realistic, not all-allow). */
function post(port: number, urlPath: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function describeAnswer(text: string): string {
  const review = JSON.parse(text) as { response?: { allowed?: boolean; warnings?: string[]; patch?: string; status?: { message?: string } } };
  const response = review.response ?? {};
  const parts = [response.allowed === true ? 'allowed' : 'denied'];
  if (response.warnings !== undefined) parts.push(`${response.warnings.length} warning(s)`);
  if (response.patch !== undefined) parts.push('patched');
  if (response.allowed !== true && response.status?.message !== undefined) parts.push(`(${response.status.message.slice(0, 100)})`);
  return parts.join(', ');
}

async function load(port: number, bodies: readonly Body[], seconds: number, connections: number, rate?: number): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `https://127.0.0.1:${port}`,
        connections,
        pipelining: 1,
        duration: seconds,
        ...(rate !== undefined ? { overallRate: rate } : {}),
        requests: bodies.map((b) => ({ method: 'POST', path: b.path, headers: { 'content-type': 'application/json' }, body: b.body })),
      },
      (error, finished) => {
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(finished);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((x, y) => x - y);
  return {
    requestsPerSecond: round(result.requests.total / result.duration, 1),
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1] ?? NaN),
  };
}

function clusterStateDocuments(): string {
  const docs: object[] = [];
  for (let ns = 0; ns < 1000; ns++) docs.push(namespaceObject(ns));
  for (let t = 0; t < TENANTS; t++) docs.push(clusterSecretStore(t));
  for (let ns = 0; ns < 1000; ns++) for (let i = 0; i < 5; i++) docs.push(externalSecret(ns, `es-${ns}-${i}`, 3));
  return docs.map((d) => JSON.stringify(d)).join('\n---\n') + '\n';
}

export async function benchWebhook(options: WebhookOptions): Promise<WebhookResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'secretguard-bench-'));
  const children: Child[] = [];
  try {
    const certs = generateCertificates({ service: 'secretguard-bench', namespace: 'bench', hosts: ['127.0.0.1'] });
    const files = { cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key'), config: path.join(dir, 'config.yaml'), state: path.join(dir, 'state.yaml') };
    writeFileSync(files.cert, certs.cert);
    writeFileSync(files.key, certs.key);
    writeFileSync(files.config, benchConfigYaml());
    writeFileSync(files.state, clusterStateDocuments());

    const payloads: Payload[] = webhookPayloads();
    const bodies: Body[] = payloads.map((p, i) => ({ id: p.id, path: '/validate', body: JSON.stringify(admissionReview(p, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)) }));
    // The API server calls the mutating webhook too; the Deployment is the one the default mutator changes.
    const deploymentBody = bodies.find((b) => b.id === 'deployment-10x30');
    if (deploymentBody !== undefined) bodies.push({ id: 'deployment-10x30-mutate', path: '/mutate', body: deploymentBody.body });

    const bare = await startChild('bare', files);
    children.push(bare);
    const guard = await startChild('secretguard', files);
    children.push(guard);
    log(`servers up: bare :${bare.port}, secretguard :${guard.port}, view ${JSON.stringify(guard.counts)}`);

    const mix: WebhookResult['mix'] = [];
    for (const body of bodies) {
      const answer = describeAnswer(await post(guard.port, body.path, body.body));
      const payload = payloads.find((p) => body.id.startsWith(p.id));
      mix.push({ id: body.id, description: payload?.description ?? body.id, path: body.path, bytes: Buffer.byteLength(body.body), answer });
    }

    const { seconds, connections, rate } = options;
    log('warm-up');
    await load(bare.port, bodies, options.quick ? 1 : 3, connections);
    await load(guard.port, bodies, options.quick ? 1 : 3, connections);

    const rounds = options.quick ? 1 : 3;
    const saturation: Record<Child['name'], number[]> = { bare: [], secretguard: [] };
    const errors: Record<Child['name'], number> = { bare: 0, secretguard: 0 };
    const roundRatios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Interleave, alternating which goes first, so drift in the machine's load hits both.
      const order = r % 2 === 0 ? [bare, guard] : [guard, bare];
      for (const child of order) {
        const result = await load(child.port, bodies, seconds, connections);
        saturation[child.name].push(result.requestsPerSecond);
        errors[child.name] += result.errors + result.non2xx;
        log(`saturation round ${r + 1} ${child.name}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms, errors ${result.errors + result.non2xx}`);
      }
      roundRatios.push(round((saturation.secretguard[r] ?? 0) / (saturation.bare[r] ?? 1), 3));
    }

    const fixed: Partial<Record<Child['name'], LoadResult>> = {};
    for (const child of [bare, guard]) {
      const result = await load(child.port, bodies, seconds, connections, rate);
      fixed[child.name] = result;
      errors[child.name] += result.errors + result.non2xx;
      log(`fixed ${rate} req/s ${child.name}: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`);
    }

    const perPayload: WebhookResult['perPayload'] = [];
    if (!options.quick) {
      for (const body of bodies) {
        const one = [body];
        const a = await load(bare.port, one, 3, connections);
        const b = await load(guard.port, one, 3, connections);
        errors.bare += a.errors + a.non2xx;
        errors.secretguard += b.errors + b.non2xx;
        perPayload.push({ id: body.id, bareRps: a.requestsPerSecond, secretguardRps: b.requestsPerSecond, ratio: round(b.requestsPerSecond / a.requestsPerSecond, 3) });
        log(`payload ${body.id}: bare ${a.requestsPerSecond}, secretguard ${b.requestsPerSecond} req/s`);
      }
    }

    const summary = async (child: Child): Promise<ServerSummary> => {
      const memory = await ask<{ rss: number; heapUsed: number; maxRss: number }>(child, 'rss');
      const rounds = saturation[child.name];
      const fixedRate = fixed[child.name];
      if (fixedRate === undefined) throw new Error('no fixed-rate result');
      return {
        saturationRps: round([...rounds].sort((x, y) => x - y)[Math.floor(rounds.length / 2)] ?? NaN, 1),
        saturationRounds: rounds,
        fixedRate,
        errors: errors[child.name],
        rssMiB: toMiB(memory.rss),
        maxRssMiB: toMiB(memory.maxRss),
        heapUsedMiB: toMiB(memory.heapUsed),
      };
    };
    const bareSummary = await summary(bare);
    const guardSummary = await summary(guard);
    const sortedRatios = [...roundRatios].sort((x, y) => x - y);
    return {
      options,
      view: guard.counts ?? { namespaces: 0, clusterSecretStores: 0, externalSecrets: 0 },
      mix,
      bare: bareSummary,
      secretguard: guardSummary,
      throughputRatio: sortedRatios[Math.floor(sortedRatios.length / 2)] ?? NaN,
      roundRatios,
      perPayload,
    };
  } finally {
    for (const child of children) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}
