// CLI benchmark: `secretguard scan --format json` over a generated GitOps repository of 50,000
// resources, and the start-up time of a single-file scan. The corpus is cached under .cache/bench.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import type { JsonObject } from '../src/k8s/json.js';
import {
  benchConfigYaml,
  clusterExternalSecret,
  clusterSecretStore,
  configMap,
  deployment,
  externalSecret,
  namespaceName,
  namespaceObject,
  rng,
  sealedSecret,
  secretWithKeys,
  secretWithLargeValue,
  TENANTS,
  tenantOf,
} from './fixtures.js';
import { benchPeer, peerArgs, timedRun, type BenchPeer } from './peers.js';
import { CACHE_DIR, log, median, round, ROOT, run, toMiB } from './util.js';

const CORPUS_VERSION = 1;
export const CORPUS_RESOURCES = 50_000;

export interface CliOptions {
  quick: boolean;
  runs: number;
  startupRuns: number;
  /** Build and run kubeconform and gitleaks beside secretguard. */
  peers: boolean;
}

export interface PeerResult {
  name: BenchPeer;
  version: string;
  command: string;
  wallMs: number;
  wallRuns: number[];
  peakRssMiB: number | undefined;
}

export interface CorpusInfo {
  dir: string;
  files: number;
  resources: number;
  bytes: number;
  byKind: Record<string, number>;
  /** Resources planted to have findings. */
  planted: number;
}

export interface CliResult {
  corpus: Omit<CorpusInfo, 'dir'>;
  command: string;
  wallMs: number;
  wallRuns: number[];
  /** CPU time (user + system) of the scan process, median: steadier than wall time on a busy machine. */
  cpuMs: number;
  resourcesPerSecond: number;
  /** Resources per second of CPU time. */
  resourcesPerCpuSecond: number;
  peakRssMiB: number;
  findings: number;
  summary: Record<string, number>;
  startup: { command: string; wallMs: number; cpuMs: number; runs: number[] };
  /** The same corpus scanned in one thread (SECRETGUARD_WORKERS=1), interleaved with the default runs. */
  oneThread: { wallMs: number; wallRuns: number[]; peakRssMiB: number };
  /** One large CRD written as JSON, as generated CRDs and `kubectl get -o json` are. */
  largeJson: { bytes: number; wallMs: number; runs: number[]; megabytesPerSecond: number };
  peers: PeerResult[];
}

function dump(objects: readonly JsonObject[]): string {
  return objects.map((o) => jsYaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}

/**
 * A GitOps repository: platform/ with the 50 ClusterSecretStores and 50 ClusterExternalSecrets, and
 * apps/ns-N/ per namespace with its Namespace, ExternalSecrets (referencing the tenant's store),
 * SealedSecrets (4096-bit), ConfigMaps, Deployments (consuming the ExternalSecrets' targets) and one
 * Secret. Sizes vary the way real ones do; 1 in 100 of each kind has the webhook bench's full size.
 * Planted findings: the Secrets (plaintext in git), 1 in 60 ConfigMaps (a database URL with a
 * password), 1 in 100 ExternalSecrets (a key outside the tenant's prefix).
 */
export function generateCorpus(): CorpusInfo {
  const base = path.join(CACHE_DIR, `corpus-v${CORPUS_VERSION}`);
  const dir = path.join(base, 'repo');
  const infoFile = path.join(base, 'corpus.json');
  if (existsSync(infoFile)) return { ...(JSON.parse(readFileSync(infoFile, 'utf8')) as Omit<CorpusInfo, 'dir'>), dir };
  rmSync(base, { recursive: true, force: true });
  log('generating the CLI corpus (cached afterwards)');
  const random = rng(11);
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const byKind: Record<string, number> = {};
  let files = 0;
  let bytes = 0;
  let resources = 0;
  let planted = 0;
  const write = (file: string, objects: readonly JsonObject[]): void => {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    const text = dump(objects);
    writeFileSync(full, text);
    files++;
    bytes += Buffer.byteLength(text);
    resources += objects.length;
    for (const o of objects) {
      const kind = typeof o['kind'] === 'string' ? o['kind'] : '?';
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
  };

  write(
    'platform/cluster-secret-stores.yaml',
    Array.from({ length: TENANTS }, (_, t) => clusterSecretStore(t)),
  );
  write(
    'platform/cluster-external-secrets.yaml',
    Array.from({ length: TENANTS }, (_, t) => clusterExternalSecret(t, `tenant-config-t${t}`, t % 10 === 0 ? 50 : between(1, 5))),
  );
  let count = 0;
  for (let ns = 0; ns < 1000; ns++) {
    const app = `apps/${namespaceName(ns)}`;
    write(`${app}/namespace.yaml`, [namespaceObject(ns)]);
    const externalSecrets: JsonObject[] = [];
    for (let i = 0; i < 12; i++) {
      count++;
      const es = externalSecret(ns, `es-${ns}-${i}`, count % 100 === 0 ? 50 : between(1, 6));
      if (count % 100 === 37) {
        // The key belongs to another tenant.
        const data = ((es['spec'] as JsonObject)['data'] as JsonObject[])[0] as JsonObject;
        data['remoteRef'] = { key: `teams/${tenantOf(ns + 1)}/stolen`, property: 'value' };
        planted++;
      }
      externalSecrets.push(es);
    }
    write(`${app}/externalsecrets.yaml`, externalSecrets);
    const targets = Array.from({ length: 12 }, (_, i) => `es-${ns}-${i}`);
    write(
      `${app}/sealedsecrets.yaml`,
      Array.from({ length: 10 }, (_, i) => sealedSecret(ns, `sealed-${ns}-${i}`, (ns * 10 + i) % 100 === 0 ? 20 : between(1, 4))),
    );
    const configMaps: JsonObject[] = [];
    for (let i = 0; i < (ns < 900 ? 14 : 13); i++) {
      count++;
      const plant = count % 60 === 11;
      if (plant) planted++;
      configMaps.push(configMap(ns, `config-${ns}-${i}`, count % 100 === 0 ? 100 : between(5, 25), plant));
    }
    write(`${app}/configmaps.yaml`, configMaps);
    write(
      `${app}/deployments.yaml`,
      Array.from({ length: 12 }, (_, i) =>
        (ns * 12 + i) % 100 === 0 ? deployment(ns, `web-${ns}-${i}`, 10, 30, targets) : deployment(ns, `web-${ns}-${i}`, between(1, 3), between(1, 6), targets),
      ),
    );
    write(`${app}/secret.yaml`, [ns % 100 === 0 ? secretWithLargeValue(ns, `bundle-${ns}`) : secretWithKeys(ns, `legacy-${ns}`, between(3, 20))]);
    planted++;
  }
  writeFileSync(path.join(base, 'secretguard.yaml'), benchConfigYaml());
  const info = { files, resources, bytes, byKind, planted };
  if (resources !== CORPUS_RESOURCES) throw new Error(`corpus has ${resources} resources, expected ${CORPUS_RESOURCES}`);
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  return { ...info, dir };
}

/** `node --import peak-rss.js …` writes the process's peak RSS to SECRETGUARD_BENCH_RSS_FILE at exit. */
async function timedScan(
  args: readonly string[],
  rssFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ wallMs: number; cpuMs: number; peakRss: number; code: number | null; stderr: string }> {
  const hook = path.join(ROOT, 'dist/bench/peak-rss.js');
  const result = await run(process.execPath, ['--import', hook, path.join(ROOT, 'dist/src/cli/main.js'), ...args], {
    env: { ...process.env, ...env, SECRETGUARD_BENCH_RSS_FILE: rssFile },
  });
  const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRss: number; cpuMs: number };
  return { wallMs: result.wallMs, cpuMs: usage.cpuMs, peakRss: usage.maxRss, code: result.code, stderr: result.stderr };
}

export async function benchCli(options: CliOptions): Promise<CliResult> {
  const corpus = generateCorpus();
  const out = path.join(CACHE_DIR, 'scan-output.json');
  const rssFile = path.join(CACHE_DIR, 'peak-rss.txt');
  const config = path.join(path.dirname(corpus.dir), 'secretguard.yaml');
  const args = ['scan', '--format', 'json', '--config', config, '--output', out, corpus.dir];
  const wallRuns: number[] = [];
  const peaks: number[] = [];
  const cpuRuns: number[] = [];
  const oneThreadRuns: number[] = [];
  const oneThreadPeaks: number[] = [];
  const peers: { name: BenchPeer; bin: string; version: string; runs: number[]; peaks: number[] }[] = [];
  for (const name of ['kubeconform', 'gitleaks'] as const) {
    const bin = options.peers ? await benchPeer(name, true) : undefined;
    if (bin !== undefined) peers.push({ name, bin, version: path.basename(path.dirname(bin)).slice(name.length + 1), runs: [], peaks: [] });
  }
  const peerReport = path.join(CACHE_DIR, 'peer-report.json');
  let report: { findings: unknown[]; summary: Record<string, number> } = { findings: [], summary: {} };
  // Every tool runs once per round, in turn, so that load on the machine falls on all of them alike.
  for (let i = 0; i < options.runs; i++) {
    const r = await timedScan(args, rssFile);
    if (r.code !== 0 && r.code !== 1) throw new Error(`scan failed (${r.code}): ${r.stderr.slice(0, 500)}`);
    wallRuns.push(round(r.wallMs, 0));
    peaks.push(r.peakRss);
    cpuRuns.push(r.cpuMs);
    report = JSON.parse(readFileSync(out, 'utf8')) as typeof report;
    log(`scan run ${i + 1}: ${round(r.wallMs, 0)} ms (CPU ${round(r.cpuMs, 0)} ms), peak RSS ${toMiB(r.peakRss)} MiB, ${report.summary['resources']} resources`);
    const one = await timedScan(args, rssFile, { SECRETGUARD_WORKERS: '1' });
    if (one.code !== 0 && one.code !== 1) throw new Error(`one-thread scan failed (${one.code}): ${one.stderr.slice(0, 500)}`);
    oneThreadRuns.push(round(one.wallMs, 0));
    oneThreadPeaks.push(one.peakRss);
    log(`scan run ${i + 1}, one thread: ${round(one.wallMs, 0)} ms, peak RSS ${toMiB(one.peakRss)} MiB`);
    for (const peer of peers) {
      const p = await timedRun(peer.bin, peerArgs(peer.name, corpus.dir, peerReport));
      if (p.code !== 0 && p.code !== 1) throw new Error(`${peer.name} failed (${p.code}): ${p.stderr.slice(0, 500)}`);
      peer.runs.push(round(p.wallMs, 0));
      if (p.peakRssKiB !== undefined) peer.peaks.push(p.peakRssKiB * 1024);
      log(`${peer.name} run ${i + 1}: ${round(p.wallMs, 0)} ms${p.peakRssKiB === undefined ? '' : `, peak RSS ${toMiB(p.peakRssKiB * 1024)} MiB`}`);
    }
  }

  // A large CRD in JSON: MB/s of a whole scan of that one file.
  const jsonFile = largeJsonCrd();
  const jsonBytes = statSync(jsonFile).size;
  const jsonRuns: number[] = [];
  for (let i = 0; i < Math.max(3, options.runs); i++) {
    const r = await timedScan(['scan', '--format', 'json', jsonFile], rssFile);
    if (r.code !== 0 && r.code !== 1) throw new Error(`JSON scan failed (${r.code}): ${r.stderr.slice(0, 500)}`);
    jsonRuns.push(round(r.wallMs, 0));
  }
  const jsonMs = median(jsonRuns);
  const wallMs = median(wallRuns);
  const resourcesScanned = report.summary['resources'] ?? 0;

  // Start-up: one small file, the way a pre-commit hook or a CI step on one manifest runs it.
  const single = path.join(corpus.dir, 'apps/ns-1/externalsecrets.yaml');
  const startupArgs = ['scan', '--format', 'json', single];
  const startupRuns: number[] = [];
  const startupCpu: number[] = [];
  for (let i = 0; i < options.startupRuns; i++) {
    const r = await timedScan(startupArgs, rssFile);
    if (r.code !== 0 && r.code !== 1) throw new Error(`single-file scan failed (${r.code}): ${r.stderr.slice(0, 500)}`);
    startupRuns.push(round(r.wallMs, 0));
    startupCpu.push(r.cpuMs);
  }
  const relative = (p: string): string => path.relative(ROOT, p);
  return {
    corpus: { files: corpus.files, resources: corpus.resources, bytes: corpus.bytes, byKind: corpus.byKind, planted: corpus.planted },
    command: `node dist/src/cli/main.js ${args.map((a) => (a.startsWith('/') ? relative(a) : a)).join(' ')}`,
    wallMs,
    wallRuns,
    cpuMs: round(median(cpuRuns), 0),
    resourcesPerSecond: round(resourcesScanned / (wallMs / 1000), 0),
    resourcesPerCpuSecond: round(resourcesScanned / (median(cpuRuns) / 1000), 0),
    peakRssMiB: toMiB(Math.max(...peaks)),
    findings: report.findings.length,
    summary: report.summary,
    startup: { command: `node dist/src/cli/main.js ${startupArgs.map((a) => (a.startsWith('/') ? relative(a) : a)).join(' ')}`, wallMs: median(startupRuns), cpuMs: round(median(startupCpu), 0), runs: startupRuns },
    oneThread: { wallMs: median(oneThreadRuns), wallRuns: oneThreadRuns, peakRssMiB: toMiB(Math.max(...oneThreadPeaks)) },
    largeJson: { bytes: jsonBytes, wallMs: jsonMs, runs: jsonRuns, megabytesPerSecond: round(jsonBytes / 1e6 / (jsonMs / 1000), 1) },
    peers: peers.map((peer) => ({
      name: peer.name,
      version: peer.version,
      command: `${peer.name} ${peerArgs(peer.name, relative(corpus.dir), relative(peerReport)).map((a) => (a.includes('{') ? `'${a}'` : a)).join(' ')}`,
      wallMs: median(peer.runs),
      wallRuns: peer.runs,
      peakRssMiB: peer.peaks.length > 0 ? toMiB(Math.max(...peer.peaks)) : undefined,
    })),
  };
}


/**
 * A CustomResourceDefinition of about 4 MB written as indented JSON: twelve versions of a deep openAPIV3Schema
 * with descriptions and patterns, the shape of the generated CRDs of large operators.
 */
function largeJsonCrd(): string {
  const file = path.join(CACHE_DIR, 'large-crd.json');
  if (existsSync(file)) return file;
  const properties = (depth: number): JsonObject => {
    const result: JsonObject = {};
    for (let j = 0; j < 8; j++) {
      result[`field${j}`] =
        depth > 0 && j < 2
          ? { type: 'object', description: `Nested object ${j} that configures one part of the resource in detail. `.repeat(2), properties: properties(depth - 1) }
          : { type: 'string', description: `Field ${j} of the resource, used for the x of y; see the documentation.`, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
    }
    return result;
  };
  const versions = Array.from({ length: 12 }, (_, v) => ({
    name: `v${v}`,
    served: true,
    storage: v === 0,
    schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: properties(6) } } } },
  }));
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.com' },
    spec: { group: 'example.com', names: { kind: 'Thing', plural: 'things' }, scope: 'Namespaced', versions },
  };
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify(crd, null, 2));
  return file;
}
