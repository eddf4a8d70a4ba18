import t from 'tap';
import { Registry } from 'prom-client';
import { BackgroundAudit } from '../../src/audit/background.js';
import { loadKubeConfig } from '../../src/audit/kubeconfig.js';
import { MAX_RESULTS, policyReports } from '../../src/audit/policyreport.js';
import type { KubeWriter } from '../../src/audit/reports-writer.js';
import { KubeConfigTransport } from '../../src/cluster/informers.js';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import type { JsonObject } from '../../src/k8s/json.js';
import type { ScanFinding, ScannedResource } from '../../src/manifests/scan.js';
import { FakeApiServer, stored } from './fake-apiserver.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function scanned(namespace: string | undefined, name: string, rules: string[], findings: Pick<ScanFinding, 'ruleId' | 'messageId' | 'action'>[]): ScannedResource {
  const resource = { apiVersion: 'v1', kind: namespace === undefined ? 'Namespace' : 'Secret', ...(namespace !== undefined ? { namespace } : {}), name };
  return {
    resource,
    file: 'cluster',
    line: 0,
    rules,
    findings: findings.map((f) => ({ ...f, message: `[${f.ruleId}] m`, resource, field: '/data/x', file: 'cluster', line: 0, fingerprint: `fp-${name}-${f.ruleId}` })),
  };
}

t.test('one report per namespace, one cluster report, Kyverno result shape and summary', async (t) => {
  const now = new Date('2026-12-03T07:00:00Z');
  const { namespaced, cluster } = policyReports(
    [
      scanned('b', 's1', ['r1', 'r2'], [{ ruleId: 'r1', messageId: 'm1', action: 'warn' }]),
      scanned('a', 's2', ['r1'], [{ ruleId: 'r1', messageId: 'm1', action: 'deny' }]),
      scanned('a', 's3', ['r1', 'r2'], []),
      scanned(undefined, 'ns', ['r3'], [{ ruleId: 'r3', messageId: 'm3', action: 'error' }]),
    ],
    { now, labels: { 'secretguard.io/cluster': 'spoke-1' } },
  );
  t.same(namespaced.map((r) => (r['metadata'] as JsonObject)['namespace']), ['a', 'b'], 'sorted by namespace');
  const a = namespaced[0];
  t.same(a?.['summary'], { pass: 2, fail: 1, warn: 0, error: 0, skip: 0 });
  t.same(a?.['metadata'], { name: 'secretguard', namespace: 'a', labels: { 'secretguard.io/cluster': 'spoke-1', 'app.kubernetes.io/managed-by': 'secretguard' } });
  t.same(a?.['results'], [
    {
      source: 'secretguard',
      policy: 'r1',
      rule: 'm1',
      result: 'fail',
      severity: 'high',
      category: 'Secrets',
      scored: true,
      message: '[r1] m',
      timestamp: { seconds: 1796281200, nanos: 0 },
      resources: [{ apiVersion: 'v1', kind: 'Secret', namespace: 'a', name: 's2' }],
      properties: { action: 'deny', field: '/data/x' },
    },
  ]);
  t.same(namespaced[1]?.['summary'], { pass: 1, fail: 0, warn: 1, error: 0, skip: 0 });
  t.equal(cluster['kind'], 'ClusterPolicyReport');
  t.same(cluster['summary'], { pass: 0, fail: 0, warn: 0, error: 1, skip: 0 });
});

t.test('results are capped, worst first; the summary counts them all', async (t) => {
  const many = Array.from({ length: MAX_RESULTS + 50 }, (_, i) => scanned('a', `s${i}`, ['r'], [{ ruleId: 'r', messageId: 'm', action: i < 60 ? 'warn' : i % 2 === 0 ? 'deny' : 'audit' }]));
  const report = policyReports(many).namespaced[0];
  const results = report?.['results'] as { result: string; severity: string }[];
  t.equal(results.length, MAX_RESULTS);
  t.equal(results[0]?.severity, 'high', 'deny first');
  t.equal(results.at(-1)?.severity, 'low', 'audit last');
  t.same(report?.['summary'], { pass: 0, fail: 495, warn: 555, error: 0, skip: 0 });
});

t.test('background audit gauges: bounded namespaces, cleared between runs', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-audit-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const objects: JsonObject[] = [];
  const secretIn = (ns: string, name: string): JsonObject => stored({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { password: 'x-not-a-value-1' } }, 'argocd-controller');
  for (let i = 0; i < 5; i++) for (let j = 0; j <= i; j++) objects.push(secretIn(`ns-${i}`, `s${j}`));
  const api = new FakeApiServer(objects);
  await api.start();
  t.teardown(() => api.stop());
  const kubeconfig = path.join(dir, 'kc');
  api.writeKubeconfig(kubeconfig, 'token');
  const written: JsonObject[] = [];
  const deleted: string[] = [];
  const writer: KubeWriter = {
    apply: (_p, o) => {
      written.push(o);
      return Promise.resolve(200);
    },
    delete: (p) => {
      deleted.push(p);
      return Promise.resolve(200);
    },
  };
  const registry = new Registry();
  const logs: string[] = [];
  const audit = new BackgroundAudit({
    intervalMs: 60_000,
    pageSize: 2,
    pageDelayMs: 0,
    maxNamespaces: 2,
    engine: () => buildEngine(loadEffectiveConfig(undefined)),
    transport: new KubeConfigTransport(loadKubeConfig(kubeconfig)),
    writer,
    logger: { info: (_o, m) => logs.push(m), warn: (_o, m) => logs.push(m), error: (_o, m) => logs.push(m) },
    registry,
  });
  await audit.runOnce();
  const series = (await registry.getSingleMetric('secretguard_audit_violations')?.get())?.values.map((v) => `${String(v.labels['resource_namespace'])}=${v.value}`).sort();
  t.same(series, ['_other=6', 'ns-3=4', 'ns-4=5'], 'the two namespaces with most violations, the rest summed');
  t.equal(written.length, 6, 'five namespace reports and the cluster report');
  t.ok(api.requests.some((r) => r.includes('continue=')), 'lists are paged');
  objects.splice(0, objects.length);
  await audit.runOnce();
  t.same((await registry.getSingleMetric('secretguard_audit_violations')?.get())?.values, [], 'no stale series');
  t.same(logs, ['background audit done', 'background audit done']);
});
