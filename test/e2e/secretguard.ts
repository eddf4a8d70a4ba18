// secretguard as the API server sees it in the e2e tier: the real CLI as a child process
// (`secretguard serve`), its certificates from `secretguard cert`, and the webhook
// configurations the chart ships (webhook-config/*.yaml) pointed at it by clientConfig.url.
//
//   const certs = await makeCertificates(dir);                 // secretguard cert
//   const sg = await SecretGuard.start({ dir, kubeconfig, tlsCert, tlsKey });
//   await cluster.kubectl('admin', ['apply', '-f', '-'], toYaml(webhookConfigurations(sg.baseUrl, caBundle)));
//   await sg.stop(); await sg.start();                          // same ports
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort, Proc, runProcess, type Cluster, type KubectlResult, type RunOptions } from './cluster.js';
import { repoRoot } from './peers.js';

export const CLI = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
export const CRD_DIR = path.join(repoRoot, 'test', 'e2e', 'crds');
export const WEBHOOK_CONFIG_DIR = path.join(repoRoot, 'webhook-config');

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30000, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

export type RunResult = KubectlResult;

/** Runs a binary to completion from the repository root (never throws on a non-zero exit). */
export function run(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess(bin, args, { cwd: repoRoot, ...opts });
}

/** `node dist/src/cli/main.js <args>` */
export function secretguardCli(args: readonly string[], opts: { stdin?: string } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], opts);
}

export interface Certificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
}

/** A CA and a serving certificate for 127.0.0.1 and localhost, made by `secretguard cert`. */
export async function makeCertificates(dir: string): Promise<Certificates> {
  const r = await secretguardCli(['cert', '--out-dir', dir, '--service', 'secretguard', '--namespace', 'secretguard', '--host', '127.0.0.1', '--host', 'localhost']);
  if (r.code !== 0) throw new Error(`secretguard cert failed (${r.code}): ${r.stderr}`);
  const caFile = path.join(dir, 'ca.crt');
  return { dir, caFile, certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key'), caPem: await readFile(caFile, 'utf8') };
}

/** base64 of the concatenated CA certificates, for clientConfig.caBundle. */
export function caBundleOf(...cas: readonly Certificates[]): string {
  return Buffer.from(cas.map((c) => c.caPem.trim()).join('\n') + '\n').toString('base64');
}

/**
 * Installs a key and certificate where a server watches them, the way a Secret volume rotates: each file is
 * written beside its target and renamed over it (key first, so a half-done rotation is a mismatch the server refuses).
 */
export async function installServingPair(from: Certificates, certFile: string, keyFile: string): Promise<void> {
  await mkdir(path.dirname(certFile), { recursive: true });
  for (const [src, dest] of [
    [from.keyFile, keyFile],
    [from.certFile, certFile],
  ] as const) {
    const tmp = `${dest}.tmp`;
    await copyFile(src, tmp);
    await rename(tmp, dest);
  }
}

type Json = Record<string, unknown>;

type Webhook = { clientConfig: { service?: { path?: string }; url?: string; caBundle?: string } };

/**
 * ValidatingWebhookConfiguration and MutatingWebhookConfiguration exactly as shipped in webhook-config/*.yaml
 * (the chart's own output: rules, failurePolicy, namespaceSelector excluding kube-system and secretguard,
 * clientConfig.service secretguard/secretguard), without a caBundle.
 */
export function shippedWebhookConfigurations(): Json[] {
  const out: Json[] = [];
  for (const file of ['validating-webhook-configuration.yaml', 'mutating-webhook-configuration.yaml']) {
    const text = readFileSync(path.join(WEBHOOK_CONFIG_DIR, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as Json | null;
      if (object === null) continue;
      for (const webhook of object.webhooks as Webhook[]) delete webhook.clientConfig.caBundle;
      out.push(object);
    }
  }
  return out;
}

/**
 * The shipped webhook configurations with clientConfig.url = `${baseUrl}${service.path}` instead of the Service
 * (which needs kube-proxy), the given caBundle, and metadata.name = `name` (so the chart's own objects can be
 * dry-run applied beside them).
 */
export function webhookConfigurations(baseUrl: string, caBundle: string, name = 'secretguard'): Json[] {
  const out = shippedWebhookConfigurations();
  for (const object of out) {
    (object.metadata as Json).name = name;
    for (const webhook of object.webhooks as Webhook[]) {
      webhook.clientConfig = { url: `${baseUrl}${webhook.clientConfig.service?.path ?? '/'}`, caBundle };
    }
  }
  return out;
}

/** A kubectl-readable stream of objects (JSON documents separated by ---). */
export function manifest(...objects: readonly unknown[]): string {
  return objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n') + '\n';
}

/** Installs test/e2e/crds/*.yaml and waits until every CRD is Established. */
export async function installCrds(cluster: Cluster): Promise<void> {
  const applied = await cluster.kubectl('admin', ['apply', '--server-side', '-f', CRD_DIR]);
  if (applied.code !== 0) throw new Error(`installing CRDs failed: ${applied.stderr}`);
  const waited = await cluster.kubectl('admin', ['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  if (waited.code !== 0) throw new Error(`CRDs not established: ${waited.stderr}`);
}

/** Status of GET http://<host>:<port><path>, 0 when there is no answer. */
export function httpStatus(host: string, port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host, port, path: urlPath, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
    });
    req.on('error', () => {
      resolve(0);
    });
    req.end();
  });
}

export interface SecretGuardOptions {
  /** Directory for the log file (secretguard.log). */
  dir: string;
  kubeconfig: string;
  tlsCert: string;
  tlsKey: string;
  config?: string;
  /** Extra `serve` flags, e.g. the --cert-* flags of self-managed mode. */
  extraArgs?: readonly string[];
  /** HTTPS port (default: a free one). */
  port?: number;
  /** Address both servers listen on (default 127.0.0.1). */
  host?: string;
  /** Start within this long (ms, default 60000): /readyz answers 200. */
  readyTimeoutMs?: number;
}

/** `secretguard serve` as a child process on 127.0.0.1, on the same two ports across stop() and start(). */
export class SecretGuard {
  readonly port: number;
  readonly metricsPort: number;
  readonly logFile: string;
  private proc: Proc | undefined;
  /** Milliseconds the last start took until /readyz answered 200. */
  startMs = 0;

  private constructor(
    private readonly opts: SecretGuardOptions,
    ports: { port: number; metricsPort: number },
  ) {
    this.port = ports.port;
    this.metricsPort = ports.metricsPort;
    this.logFile = path.join(opts.dir, 'secretguard.log');
  }

  static async start(opts: SecretGuardOptions): Promise<SecretGuard> {
    const sg = new SecretGuard(opts, { port: opts.port ?? (await freePort()), metricsPort: await freePort() });
    await sg.start();
    return sg;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  /** https://<host>:<port> */
  get baseUrl(): string {
    return `https://${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('secretguard already running');
    const args = [
      CLI,
      'serve',
      '--host',
      this.host,
      '--port',
      String(this.port),
      '--metrics-port',
      String(this.metricsPort),
      '--tls-cert',
      this.opts.tlsCert,
      '--tls-key',
      this.opts.tlsKey,
      '--kubeconfig',
      this.opts.kubeconfig,
      '--grace-period',
      '5000',
      ...(this.opts.config !== undefined ? ['--config', this.opts.config] : []),
      ...(this.opts.extraArgs ?? []),
    ];
    const t0 = Date.now();
    const proc = new Proc(process.execPath, args, this.logFile);
    this.proc = proc;
    const ready = await waitUntil(async () => !proc.running || (await httpStatus(this.host, this.metricsPort, '/readyz')) === 200, this.opts.readyTimeoutMs ?? 60000, 200);
    if (!proc.running) throw new Error(`secretguard exited with code ${String(proc.exitCode)} before it was ready; log tail:\n${this.logTail()}`);
    if (!ready) {
      await proc.stop(2000);
      throw new Error(`secretguard not ready; log tail:\n${this.logTail()}`);
    }
    this.startMs = Date.now() - t0;
  }

  /** SIGTERM (graceful shutdown), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** The whole log; secretguard never logs secret values, and the tests check that. */
  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 30): string {
    return this.log().split('\n').slice(-lines).join('\n');
  }
}

/** Writes a SecretGuardConfig (JSON is YAML) and returns its path. */
export async function writeConfig(dir: string, config: Json): Promise<string> {
  const file = path.join(dir, 'secretguard-config.yaml');
  await writeFile(file, JSON.stringify({ apiVersion: 'secretguard.io/v1alpha1', kind: 'SecretGuardConfig', ...config }, null, 2) + '\n');
  return file;
}
