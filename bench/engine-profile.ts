// In-process cost of the engine per webhook payload: µs of CPU per engine.evaluate (and engine.mutate
// for the Deployment), with the webhook bench's payloads, config (50 tenants) and cluster view
// (1,000 namespaces, 50 ClusterSecretStores, 5,000 ExternalSecrets). CPU time (process.cpuUsage) is
// stable on a loaded machine where wall time is not. Prints a table and a digest of each answer, so a
// change that alters findings or patches shows up next to its timing.
//   node dist/bench/engine-profile.js [--ms 1500] [--json out.json] [--only id,id]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AdmissionRequest } from '../src/admission/review.js';
import { webhookSubject } from '../src/engine/subject.js';
import { ClusterIndex } from '../src/cluster/cluster-index.js';
import { allMutators } from '../src/mutators/registry.js';
import { allRules } from '../src/rules/registry.js';
import { loadConfigFile } from '../src/config/load.js';
import { Engine } from '../src/engine/engine.js';
import { admissionReview, benchConfigYaml, clusterSecretStore, externalSecret, namespaceObject, TENANTS, webhookPayloads } from './fixtures.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const budgetMs = Number(flag('--ms') ?? 1500);
const only = flag('--only')?.split(',');

function buildView(): ClusterIndex {
  const index = new ClusterIndex();
  for (let ns = 0; ns < 1000; ns++) index.upsert(namespaceObject(ns));
  for (let t = 0; t < TENANTS; t++) index.upsert(clusterSecretStore(t));
  for (let ns = 0; ns < 1000; ns++) for (let i = 0; i < 5; i++) index.upsert(externalSecret(ns, `es-${ns}-${i}`, 3));
  index.synced = true;
  return index;
}

function buildEngine(): Engine {
  const dir = mkdtempSync(path.join(tmpdir(), 'secretguard-engine-profile-'));
  try {
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, benchConfigYaml());
    return new Engine(allRules, allMutators, loadConfigFile(file, allRules, allMutators));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/** Median of 5 batches of CPU µs per call, each batch sized to about budget/5 ms. */
function measure(run: () => unknown): { median: number; batches: number[] } {
  for (let i = 0; i < 50; i++) run(); // warm up (JIT, caches)

  const start = cpuMicros();
  let n = 0;
  while (cpuMicros() - start < 20_000) {
    run();
    n++;
  }
  const per = Math.max(1, (cpuMicros() - start) / n);
  const iterations = Math.max(5, Math.round((budgetMs * 1000) / 5 / per));
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = cpuMicros();
    for (let i = 0; i < iterations; i++) run();
    batches.push((cpuMicros() - t0) / iterations);
  }
  const sorted = [...batches].sort((a, b) => a - b);
  return { median: sorted[2] ?? NaN, batches };
}

const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);

const engine = buildEngine();
const view = buildView();
const rows: { id: string; op: string; us: number; batches: number[]; digest: string; summary: string }[] = [];
for (const payload of webhookPayloads()) {
  if (only !== undefined && !only.includes(payload.id)) continue;
  // The request as the server gets it: the kube-apiserver envelope, serialized and parsed again.
  const review = JSON.parse(JSON.stringify(admissionReview(payload, '00000000-0000-4000-8000-000000000000'))) as { request: AdmissionRequest };
  const subject = webhookSubject(review.request);
  const findings = engine.evaluate(subject, view);
  const evaluate = measure(() => engine.evaluate(subject, view));
  rows.push({
    id: payload.id,
    op: 'evaluate',
    us: evaluate.median,
    batches: evaluate.batches,
    digest: digest(findings),
    summary: findings.length === 0 ? 'allowed' : findings.map((f) => `${f.action} ${f.ruleId}`).join(', '),
  });
  const mutation = engine.mutate(subject, view);
  if (mutation.patch.length > 0 || mutation.notes.length > 0) {
    const mutate = measure(() => engine.mutate(subject, view));
    rows.push({ id: payload.id, op: 'mutate', us: mutate.median, batches: mutate.batches, digest: digest(mutation), summary: `${mutation.patch.length} ops, ${mutation.notes.length} notes` });
  }
}

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad('payload', 24)}${pad('op', 10)}${'µs/call'.padStart(10)}  ${pad('batches (µs)', 44)}${pad('digest', 14)}answer`);
for (const r of rows) {
  const batches = r.batches.map((b) => b.toFixed(1)).join(' ');
  console.log(`${pad(r.id, 24)}${pad(r.op, 10)}${r.us.toFixed(1).padStart(10)}  ${pad(batches, 44)}${pad(r.digest, 14)}${r.summary}`);
}
const out = flag('--json');
if (out !== undefined) writeFileSync(out, JSON.stringify(rows, null, 2) + '\n');
