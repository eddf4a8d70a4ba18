// A real control plane for e2e tests: etcd and kube-apiserver on loopback,
// started the way controller-runtime's envtest starts them, plus kubectl.
//
//   const cluster = await Cluster.start();
//   const r = await cluster.kubectl('admin', ['get', 'ns']);
//   await cluster.restart();   // API server down, then back on the same port
//   await cluster.stop();
//
// Users (static tokens, --token-auth-file):
//   admin  - groups system:masters
//   tenant - groups tenants (no RBAC rules: forbidden almost everywhere)
//   argocd - system:serviceaccount:argocd:argocd-application-controller with
//            the groups a real service account token carries
// Every user has a kubeconfig (kubeconfigPath(user)) and a bearer token.
// No controller-manager runs: nothing garbage-collects, no Deployment gets
// pods, namespaces are not finalized after deletion.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { peerPath, type PeerName } from './peers.js';

export const USERS = {
  admin: { name: 'admin', uid: 'uid-admin', groups: ['system:masters'] },
  tenant: { name: 'tenant', uid: 'uid-tenant', groups: ['tenants'] },
  argocd: {
    name: 'system:serviceaccount:argocd:argocd-application-controller',
    uid: 'uid-argocd-application-controller',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd'],
  },
} as const;
export type ClusterUser = keyof typeof USERS;
const USER_KEYS = Object.keys(USERS) as ClusterUser[];

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Kill kubectl after this many milliseconds (default 60000). */
  timeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface ClusterOptions {
  /** Extra kube-apiserver flags, e.g. ['--v=4']. */
  apiserverFlags?: readonly string[];
  /** Keep the temp dir (logs, kubeconfigs) after stop(). Also SECRETGUARD_E2E_KEEP=1. */
  keepDir?: boolean;
  /** How long to wait for etcd and for /readyz (ms, default 120000 each). */
  startTimeoutMs?: number;
}

/** Binaries the harness needs. */
export const CLUSTER_PEERS: readonly PeerName[] = ['etcd', 'kube-apiserver', 'kubectl'];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1 (racy by nature, as in envtest). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

function requirePeer(name: PeerName): string {
  const p = peerPath(name);
  if (p === undefined) throw new Error(`peer ${name} not built: run scripts/peers/build.sh ${name}`);
  return p;
}

interface HttpResult {
  status: number;
  body: string;
}

function httpGet(url: string, opts: { ca?: string; token?: string }): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`;
    const cb = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { headers, timeout: 5000, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) }, cb)
        : httpRequest(u, { headers, timeout: 5000 }, cb);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// Children still running when the test process exits or is killed by a
// signal (tap's timeout sends SIGTERM) are killed, so a crashed test never
// leaves etcd or kube-apiserver behind.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function killAll(): void {
  for (const c of liveChildren) c.kill('SIGKILL');
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
}
/** Kills `child` when the test process exits or is killed by a signal (also for helpers' own children). */
export function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        killAll();
        process.kill(process.pid, sig);
      });
    }
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** A child process logging stdout and stderr to a file; stop() sends SIGTERM, then SIGKILL after a grace period. */
export class Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;

  constructor(bin: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv) {
    const log = createWriteStream(logFile, { flags: 'a' });
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env !== undefined ? { env } : {}) });
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    track(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal !== null ? -1 : null);
        resolve(this.exitCode);
      });
      this.child.once('error', (err) => {
        log.write(`spawn error: ${err.message}\n`);
        this.exitCode = -1;
        resolve(-1);
      });
    });
    void this.exited.then(() => {
      log.end();
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  async stop(graceMs = 10000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

export class Cluster {
  /** Temp dir with data, certs, kubeconfigs and logs (etcd.log, kube-apiserver.log). */
  readonly dir: string;
  readonly apiserverPort: number;
  readonly etcdUrl: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Milliseconds the last kube-apiserver start took until /readyz said ok. */
  apiserverStartMs = 0;
  /** Milliseconds etcd took until /health said ok. */
  etcdStartMs = 0;

  private readonly tokens: Record<ClusterUser, string>;
  private readonly opts: ClusterOptions;
  private etcd: Proc | undefined;
  private apiserver: Proc | undefined;
  private readonly bins: { etcd: string; apiserver: string; kubectl: string };

  private constructor(
    dir: string,
    ports: { apiserver: number; etcdClient: number },
    bins: { etcd: string; apiserver: string; kubectl: string },
    opts: ClusterOptions,
  ) {
    this.dir = dir;
    this.apiserverPort = ports.apiserver;
    this.etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    this.server = `https://127.0.0.1:${ports.apiserver}`;
    this.bins = bins;
    this.opts = opts;
    const tokens = {} as Record<ClusterUser, string>;
    for (const u of USER_KEYS) tokens[u] = randomBytes(24).toString('hex');
    this.tokens = tokens;
  }

  /** Starts etcd and kube-apiserver; resolves once /readyz is ok. */
  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    const bins = {
      etcd: requirePeer('etcd'),
      apiserver: requirePeer('kube-apiserver'),
      kubectl: requirePeer('kubectl'),
    };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'secretguard-e2e-'));
    const [apiserver, etcdClient] = [await freePort(), await freePort()];
    const cluster = new Cluster(dir, { apiserver, etcdClient }, bins, opts);
    if (opts.keepDir !== true && process.env.SECRETGUARD_E2E_KEEP !== '1') liveDirs.add(dir);
    try {
      await cluster.writeFiles();
      await cluster.startEtcd();
      await cluster.startApiserver();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  get caFile(): string {
    return path.join(this.dir, 'certs', 'apiserver.crt');
  }

  token(user: ClusterUser): string {
    return this.tokens[user];
  }

  kubeconfigPath(user: ClusterUser): string {
    return path.join(this.dir, `kubeconfig-${user}`);
  }

  get apiserverRunning(): boolean {
    return this.apiserver?.running ?? false;
  }

  private get timeoutMs(): number {
    return this.opts.startTimeoutMs ?? 120000;
  }

  private async writeFiles(): Promise<void> {
    await mkdir(path.join(this.dir, 'certs'), { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    await writeFile(path.join(this.dir, 'sa.key'), privateKey, { mode: 0o600 });
    await writeFile(path.join(this.dir, 'sa.pub'), publicKey);
    // token,user,uid,"group1,group2"
    const lines = USER_KEYS.map((u) => {
      const { name, uid, groups } = USERS[u];
      return `${this.tokens[u]},${name},${uid},"${groups.join(',')}"`;
    });
    await writeFile(path.join(this.dir, 'tokens.csv'), lines.join('\n') + '\n', { mode: 0o600 });
  }

  private async writeKubeconfigs(): Promise<void> {
    // JSON is valid YAML, and kubectl reads it as a kubeconfig.
    for (const u of USER_KEYS) {
      const cfg = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'e2e', cluster: { server: this.server, 'certificate-authority': this.caFile } }],
        users: [{ name: u, user: { token: this.tokens[u] } }],
        contexts: [{ name: u, context: { cluster: 'e2e', user: u, namespace: 'default' } }],
        'current-context': u,
        preferences: {},
      };
      await writeFile(this.kubeconfigPath(u), JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
    }
  }

  private async startEtcd(): Promise<void> {
    const peerPort = await freePort();
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const args = [
      '--name=e2e',
      `--data-dir=${path.join(this.dir, 'etcd')}`,
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ];
    const log = path.join(this.dir, 'etcd.log');
    const t0 = Date.now();
    this.etcd = new Proc(this.bins.etcd, args, log);
    await this.waitFor('etcd', this.etcd, log, async () => {
      const r = await httpGet(`${this.etcdUrl}/health`, {});
      return r.status === 200 && r.body.includes('"health":"true"');
    });
    this.etcdStartMs = Date.now() - t0;
  }

  /** Starts kube-apiserver (again) on the same port, certs and etcd. */
  async startApiserver(): Promise<void> {
    if (this.apiserver?.running === true) throw new Error('kube-apiserver already running');
    const args = [
      `--etcd-servers=${this.etcdUrl}`,
      `--cert-dir=${path.join(this.dir, 'certs')}`,
      `--secure-port=${this.apiserverPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      `--token-auth-file=${path.join(this.dir, 'tokens.csv')}`,
      `--service-account-key-file=${path.join(this.dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(this.dir, 'sa.key')}`,
      `--service-account-issuer=${this.server}/`,
      // Needs the "default" ServiceAccount that only kube-controller-manager creates.
      '--disable-admission-plugins=ServiceAccount',
      ...(this.opts.apiserverFlags ?? []),
    ];
    const log = path.join(this.dir, 'kube-apiserver.log');
    const t0 = Date.now();
    this.apiserver = new Proc(this.bins.apiserver, args, log);
    const proc = this.apiserver;
    await this.waitFor('kube-apiserver', proc, log, async () => {
      if (!existsSync(this.caFile)) return false;
      const ca = await readFile(this.caFile, 'utf8');
      const r = await httpGet(`${this.server}/readyz`, { ca, token: this.tokens.admin });
      return r.status === 200 && r.body.trim() === 'ok';
    });
    this.apiserverStartMs = Date.now() - t0;
    await this.writeKubeconfigs();
  }

  /** Stops kube-apiserver only (etcd and the temp dir stay). */
  async stopApiserver(): Promise<void> {
    await this.apiserver?.stop();
  }

  /** Stops kube-apiserver and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stopApiserver();
    await this.startApiserver();
  }

  /** Stops everything and removes the temp dir (unless kept). */
  async stop(): Promise<void> {
    await this.apiserver?.stop();
    await this.etcd?.stop();
    const keep = this.opts.keepDir === true || process.env.SECRETGUARD_E2E_KEEP === '1';
    if (keep) {
      process.stderr.write(`e2e cluster dir kept: ${this.dir}\n`);
    } else {
      await rm(this.dir, { recursive: true, force: true });
    }
    liveDirs.delete(this.dir);
  }

  private async waitFor(what: string, proc: Proc, log: string, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (!proc.running) {
        throw new Error(`${what} exited with code ${String(proc.exitCode)} before it was ready; log tail:\n${tail(log)}`);
      }
      try {
        if (await ready()) return;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(200);
    }
    await proc.stop(2000);
    throw new Error(`${what} not ready after ${this.timeoutMs}ms (last error: ${last}); log tail:\n${tail(log)}`);
  }

  /** Runs the real kubectl as `user`. Never throws on a non-zero exit. */
  kubectl(user: ClusterUser, args: readonly string[], stdin?: string, opts: KubectlOptions = {}): Promise<KubectlResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    env.KUBECONFIG = this.kubeconfigPath(user);
    env.KUBECACHEDIR = path.join(this.dir, `kube-cache-${user}`);
    return runProcess(this.bins.kubectl, args, { env, timeoutMs: opts.timeoutMs ?? 60000, ...(stdin !== undefined ? { stdin } : {}) });
  }

}

export interface RunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Killed after this long; the note is appended to stderr. */
  timeoutMs?: number;
}

/** Runs a binary to completion with its output collected. Never throws on a non-zero exit. */
export function runProcess(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args], { env: opts.env ?? process.env, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    const timeoutMs = opts.timeoutMs ?? 120000;
    const timer = setTimeout(() => {
      stderr += `\n(${path.basename(bin)} killed after ${timeoutMs}ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal !== null ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* the process may exit before reading stdin */
    });
    child.stdin.end(opts.stdin ?? '');
  });
}
