// `serve --audit-interval` against a real kube-apiserver: PolicyReports written, updated in place and cleaned
// up, gauges exported, with exactly the RBAC the chart grants when audit.enabled is true.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import t from 'tap';
import { CLUSTER_PEERS, Cluster, type KubectlResult } from './cluster.js';
import { missingPeersMessage, peerPath, peersRequired, repoRoot, warnSkipped } from './peers.js';
import { installCrds, makeCertificates, manifest, run, SecretGuard, waitUntil } from './secretguard.js';

interface Report {
  metadata: { uid: string; name: string; namespace?: string; labels?: Record<string, string>; managedFields?: { manager: string; operation: string }[] };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results?: { source: string; policy: string; rule: string; result: string; severity: string; message: string; resources: Record<string, string>[]; properties: Record<string, string> }[];
}

const CHART = path.join(repoRoot, 'charts', 'secretguard');

const baseMissing = missingPeersMessage([...CLUSTER_PEERS, 'helm']);
if (baseMissing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${baseMissing}`);
} else if (baseMissing !== undefined) {
  warnSkipped(baseMissing);
  t.test('e2e background audit', { skip: baseMissing }, () => undefined);
} else {
  await main();
}

function metricsText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const cluster = await Cluster.start();
  const running: { guard?: SecretGuard } = {};
  t.teardown(async () => {
    await running.guard?.stop();
    await cluster.stop();
  });
  const work = path.join(cluster.dir, 'audit-reports');
  await mkdir(work, { recursive: true });
  const canaries: string[] = [];
  const canary = (label: string): string => {
    const value = `${label}-canary-${randomBytes(12).toString('hex')}`;
    canaries.push(value);
    return value;
  };
  const leaks = (text: string): boolean => canaries.some((v) => text.includes(v) || text.includes(Buffer.from(v).toString('base64')));
  const must = async (args: readonly string[], stdin?: string): Promise<KubectlResult> => {
    const r = await cluster.kubectl('admin', args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  const argoSecret = (namespace: string, name: string): string =>
    manifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: { password: canary(name) } });
  const argoApply = (text: string): Promise<KubectlResult> => must(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], text);
  const getReport = async (namespace: string | undefined): Promise<Report | undefined> => {
    const args = namespace === undefined ? ['get', 'clusterpolicyreport', 'secretguard', '-o', 'json'] : ['get', 'policyreport', 'secretguard', '-n', namespace, '-o', 'json', '--show-managed-fields'];
    const r = await cluster.kubectl('admin', args);
    return r.code === 0 ? (JSON.parse(r.stdout) as Report) : undefined;
  };

  await installCrds(cluster);
  // The CRDs the chart ships (audit.policyReportCRDs.install), as the chart renders them.
  const helm = peerPath('helm') ?? 'helm';
  const rendered = await run(helm, ['template', 'sg', CHART, '--set', 'audit.enabled=true', '--show-only', 'templates/policyreport-crds.yaml', '--show-only', 'templates/audit-rbac.yaml', '--show-only', 'templates/rbac.yaml']);
  if (rendered.code !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  await must(['apply', '-f', '-'], rendered.stdout);
  await must(['wait', '--for=condition=Established', 'crd/policyreports.wgpolicyk8s.io', 'crd/clusterpolicyreports.wgpolicyk8s.io', '--timeout=60s']);
  // secretguard runs as `tenant`, bound to the chart's ClusterRoles only (not the ServiceAccount the chart names).
  await must(['create', 'clusterrolebinding', 'e2e-audit', '--clusterrole=sg-secretguard-audit', '--user=tenant']);
  await must(['create', 'clusterrolebinding', 'e2e-view', '--clusterrole=sg-secretguard-view', '--user=tenant']);

  for (const ns of ['team-a', 'team-b', 'team-c']) await must(['create', 'namespace', ns]);
  await argoApply(argoSecret('team-a', 'argo-db'));
  await argoApply(argoSecret('team-b', 'argo-db'));
  await must(['create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=mode=fast']);
  await argoApply(manifest({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'shared-vault' }, spec: { provider: { fake: { data: [] } } } }));

  const certs = await makeCertificates(path.join(work, 'serving'));
  running.guard = await SecretGuard.start({
    dir: work,
    kubeconfig: cluster.kubeconfigPath('tenant'),
    tlsCert: certs.certFile,
    tlsKey: certs.keyFile,
    // Every 1.2 s, one object per list request: paging is exercised on every kind.
    extraArgs: ['--audit-interval', '0.02', '--audit-page-size', '1', '--audit-page-delay', '10'],
  });
  const guard = running.guard;

  let first: Report | undefined;
  t.test('reports are written with Kyverno\'s result shape', async (t) => {
    t.ok(await waitUntil(async () => (await getReport('team-a')) !== undefined, 30000), 'team-a report appears', { log: guard.logTail() });
    first = await getReport('team-a');
    t.same(first?.summary, { pass: first?.summary.pass, fail: 1, warn: 0, error: 0, skip: 0 });
    t.equal(first?.metadata.labels?.['app.kubernetes.io/managed-by'], 'secretguard');
    t.same(first?.results?.map((r) => ({ ...r, timestamp: undefined })), [
      {
        source: 'secretguard',
        policy: 'no-plaintext-secret',
        rule: 'plaintextFromGit',
        result: 'fail',
        severity: 'high',
        category: 'Secrets',
        scored: true,
        message: first?.results?.[0]?.message,
        timestamp: undefined,
        resources: [{ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'argo-db' }],
        properties: { action: 'deny', field: '/data/password' },
      },
    ]);
    t.match(first?.results?.[0]?.message, /^\[no-plaintext-secret\] Secret argo-db holds plaintext values from git \(field manager argocd-controller owns the data\): key `password`/);
    t.same(
      first?.metadata.managedFields?.map((m) => [m.manager, m.operation]),
      [['secretguard-audit', 'Apply']],
      'written by server-side apply',
    );
    const clusterReport = await getReport(undefined);
    t.same(clusterReport?.results?.map((r) => [r.policy, r.result, r.resources[0]?.name]), [['clustersecretstore-conditions', 'fail', 'shared-vault']]);
    t.ok((await getReport('team-b'))?.summary.fail === 1, 'team-b report');
    t.equal(await getReport('team-c'), undefined, 'no report where nothing is audited');
  });

  t.test('gauges by rule, resource namespace and action', async (t) => {
    const text = await metricsText(guard.metricsPort);
    t.match(text, /^secretguard_audit_violations\{rule="no-plaintext-secret",resource_namespace="team-a",action="deny"\} 1$/m);
    t.match(text, /^secretguard_audit_violations\{rule="clustersecretstore-conditions",resource_namespace="",action="deny"\} 1$/m);
    t.match(text, /^secretguard_audit_runs_total\{result="ok"\} [1-9]/m);
    t.notOk(leaks(text), 'no value in /metrics');
  });

  t.test('updated in place, then cleaned up', async (t) => {
    // team-a fixed (the ConfigMap keeps it audited), team-c gets a problem, team-b is emptied.
    await must(['delete', 'secret', 'argo-db', '-n', 'team-a']);
    await argoApply(argoSecret('team-c', 'argo-db'));
    await must(['delete', 'secret', 'argo-db', '-n', 'team-b']);
    t.ok(await waitUntil(async () => (await getReport('team-a'))?.summary.fail === 0, 30000), 'team-a report shows the fix', { log: guard.logTail() });
    const updated = await getReport('team-a');
    t.equal(updated?.metadata.uid, first?.metadata.uid, 'the same object, updated in place');
    t.same(updated?.results, [], 'no results left');
    t.ok(await waitUntil(async () => (await getReport('team-c'))?.summary.fail === 1, 30000), 'team-c report appears');
    t.ok(await waitUntil(async () => (await getReport('team-b')) === undefined, 30000), 'team-b report deleted once nothing there is audited');
    const text = await metricsText(guard.metricsPort);
    t.notMatch(text, /resource_namespace="team-a"/, 'team-a series gone from the gauge');
    t.match(text, /^secretguard_audit_violations\{rule="no-plaintext-secret",resource_namespace="team-c",action="deny"\} 1$/m);
  });

  t.test('no value in reports or logs', async (t) => {
    const all = await must(['get', 'policyreports,clusterpolicyreports', '-A', '-o', 'json']);
    t.notOk(leaks(all.stdout), 'no value in any report');
    t.notOk(leaks(guard.log()), 'no value in the log');
    await writeFile(path.join(work, 'reports.json'), all.stdout);
    t.ok((await readFile(path.join(work, 'reports.json'), 'utf8')).length > 0);
  });
}
