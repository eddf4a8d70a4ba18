// `npm run bench` (after `npm run build`): runs the webhook, CLI and cluster-view benchmarks, writes
// bench/results/<scenario>.json and regenerates the results table in docs/performance.md.
//   npm run bench                 full run (about 4 minutes)
//   npm run bench -- --quick      short smoke run (about 1 minute)
//   npm run bench -- --only cli   one or more of webhook,cli,cluster (comma separated)
//   npm run bench -- --no-docs    do not touch docs/performance.md
//   npm run bench -- --no-peers   leave out kubeconform and gitleaks (built once from the Go module proxy otherwise)
//   npm run bench -- --only report   no runs: re-render the table from bench/results/*.json
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { benchCli, type CliResult } from './cli.js';
import { renderPerformanceDoc } from './report.js';
import { log, machine, RESULTS_DIR, round, ROOT, run, toMiB, writeResult, type ResultFile } from './util.js';
import { benchWebhook, type WebhookResult } from './webhook.js';

export interface ClusterResult {
  namespaces: number;
  clusterSecretStores: number;
  externalSecrets: number;
  syncMs: number;
  viewHeapMiB: number;
  processHeapMiB: number;
  processRssMiB: number;
  processMaxRssMiB: number;
}

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyIndex = argv.indexOf('--only');
const only = new Set(onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : ['webhook', 'cli', 'cluster']);
const writeDocs = !argv.includes('--no-docs');
const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;

if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}

if (only.has('cluster')) {
  log('cluster view: 10,000 namespaces, 100,000 ExternalSecrets through ClusterInformers');
  const started = machine();
  const r = await run(process.execPath, ['--expose-gc', path.join(ROOT, 'dist/bench/cluster-view.js'), '10000', '100000']);
  if (r.code !== 0) throw new Error(`cluster-view bench failed: ${r.stderr}`);
  const raw = JSON.parse(r.stdout.trim()) as {
    counts: { namespaces: number; clusterSecretStores: number; externalSecrets: number };
    syncMs: number;
    heapBytes: number;
    heapUsedBytes: number;
    rssBytes: number;
    maxRssBytes: number;
  };
  const result: ClusterResult = {
    namespaces: raw.counts.namespaces,
    clusterSecretStores: raw.counts.clusterSecretStores,
    externalSecrets: raw.counts.externalSecrets,
    syncMs: round(raw.syncMs, 0),
    viewHeapMiB: toMiB(raw.heapBytes),
    processHeapMiB: toMiB(raw.heapUsedBytes),
    processRssMiB: toMiB(raw.rssBytes),
    processMaxRssMiB: toMiB(raw.maxRssBytes),
  };
  log(`cluster view: ${JSON.stringify(result)}`);
  writeResult('cluster', `${command} (node --expose-gc dist/bench/cluster-view.js 10000 100000)`, quick, started, result);
}

if (only.has('cli')) {
  log('CLI: scan of the 50,000-resource corpus');
  const started = machine();
  const result: CliResult = await benchCli({ quick, runs: quick ? 1 : 3, startupRuns: quick ? 3 : 7, peers: !argv.includes('--no-peers') });
  log(`CLI: ${result.wallMs} ms, ${result.resourcesPerSecond} resources/s, peak RSS ${result.peakRssMiB} MiB, start-up ${result.startup.wallMs} ms`);
  writeResult('cli', `${command} (${result.command})`, quick, started, result);
}

if (only.has('webhook')) {
  log('webhook: bare fastify vs secretguard');
  const started = machine();
  const result: WebhookResult = await benchWebhook({ quick, seconds: quick ? 3 : 10, connections: 8, rate: 1000 });
  log(`webhook: ratio ${result.throughputRatio}, secretguard p99 ${result.secretguard.fixedRate.p99Ms} ms, RSS ${result.secretguard.rssMiB} MiB`);
  writeResult('webhook', command, quick, started, result);
}

const load = <T>(scenario: string): ResultFile<T> | undefined => {
  const file = path.join(RESULTS_DIR, `${scenario}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ResultFile<T>) : undefined;
};
const doc = renderPerformanceDoc({
  webhook: load<WebhookResult>('webhook'),
  cli: load<CliResult>('cli'),
  cluster: load<ClusterResult>('cluster'),
});
process.stdout.write(doc.table + '\n');
if (writeDocs) {
  doc.write();
  log('docs/performance.md updated');
}
