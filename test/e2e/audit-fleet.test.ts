// `audit --argocd-clusters` across two real API servers: a hub holding Argo CD cluster Secrets and a spoke
// reached with the bearer token and CA one of them holds; a second Secret names a spoke that is down.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLUSTER_PEERS, Cluster, freePort, type KubectlResult } from './cluster.js';
import { missingPeersMessage, peersRequired, warnSkipped } from './peers.js';
import { manifest, run, secretguardCli } from './secretguard.js';

const baseMissing = missingPeersMessage(CLUSTER_PEERS);
if (baseMissing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${baseMissing}`);
} else if (baseMissing !== undefined) {
  warnSkipped(baseMissing);
  t.test('e2e fleet audit', { skip: baseMissing }, () => undefined);
} else {
  await main();
}

async function main(): Promise<void> {
  const [hub, spoke] = await Promise.all([Cluster.start(), Cluster.start()]);
  t.teardown(async () => {
    await Promise.all([hub.stop(), spoke.stop()]);
  });
  const must = async (cluster: Cluster, args: readonly string[], stdin?: string): Promise<KubectlResult> => {
    const r = await cluster.kubectl('admin', args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const token = spoke.token('admin');

  // The spoke: one plaintext Secret Argo CD synced.
  await must(spoke, ['create', 'namespace', 'shop']);
  await must(spoke, ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], manifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'p-' + token.slice(0, 6) + 'x' } }));

  // The hub: Argo CD's cluster Secrets, as `argocd cluster add` writes them.
  await must(hub, ['create', 'namespace', 'argocd']);
  const caData = b64(await readFile(spoke.caFile, 'utf8'));
  const clusterSecret = (name: string, server: string): unknown => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `cluster-${name}`, namespace: 'argocd', labels: { 'argocd.argoproj.io/secret-type': 'cluster' } },
    data: { name: b64(name), server: b64(server), config: b64(JSON.stringify({ bearerToken: token, tlsClientConfig: { insecure: false, caData } })) },
  });
  const down = `https://127.0.0.1:${await freePort()}`;
  await must(hub, ['apply', '-f', '-'], manifest(clusterSecret('spoke-1', spoke.server), clusterSecret('spoke-down', down)));

  t.test('one fleet report: the spoke audited, the unreachable one reported', async (t) => {
    const r = await secretguardCli(['audit', '--argocd-clusters', '--kubeconfig', hub.kubeconfigPath('admin'), '--format', 'json']);
    t.equal(r.code, 1, 'deny findings on a spoke fail the run', { stderr: r.stderr });
    const { clusters } = JSON.parse(r.stdout) as { clusters: { name: string; server: string; status: string; reason?: string; counts?: Record<string, number>; byRule?: Record<string, number>; worst?: { ruleId: string; resource: { name: string } }[] }[] };
    t.same(clusters.map((c) => [c.name, c.status]), [['spoke-1', 'ok'], ['spoke-down', 'unreachable']]);
    t.same(clusters[0]?.byRule, { 'no-plaintext-secret': 1 });
    t.same(clusters[0]?.worst?.map((w) => [w.ruleId, w.resource.name]), [['no-plaintext-secret', 'db']]);
    t.equal(clusters[1]?.reason, 'Error ECONNREFUSED', 'the error class and code only');
    t.notOk(r.stdout.includes(token) || r.stderr.includes(token), 'the bearer token never appears');
    t.notOk(r.stdout.includes(caData), 'nor the CA data');
  });

  t.test('text', async (t) => {
    const r = await secretguardCli(['audit', '--argocd-clusters', '--kubeconfig', hub.kubeconfigPath('admin')]);
    t.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    t.match(lines[0], new RegExp(`^spoke-1 \\(${spoke.server.replace(/[.]/g, '\\.')}\\): ok, \\d+ resources: 1 deny, 0 warn, 0 audit, 0 error$`));
    t.equal(lines[1], '  no-plaintext-secret: 1');
    t.match(lines[2], /^ {2}deny Secret shop\/db \/data\/password: \[no-plaintext-secret\] Secret db holds plaintext values from git/);
    t.match(lines[3], /^spoke-down \(https:\/\/127\.0\.0\.1:\d+\): unreachable \(/);
    t.equal(lines[4], '2 clusters, 1 audited, 1 not reached');
    t.notOk(r.stdout.includes(token), 'the bearer token never appears');
  });

  t.test('sarif is refused for the fleet view', async (t) => {
    const r = await secretguardCli(['audit', '--argocd-clusters', '--kubeconfig', hub.kubeconfigPath('admin'), '--format', 'sarif']);
    t.equal(r.code, 2);
    t.equal(r.stderr, 'secretguard: --argocd-clusters writes text, json or html\n');
  });

  // The self-contained HTML page, rendered by Debian's Chromium, headless: its DOM and a screenshot.
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  t.test('the HTML page in a real browser', { skip: chromium === undefined ? 'chromium not installed (apt-get install -y chromium)' : false }, async (t) => {
    const page = path.join(hub.dir, 'fleet.html');
    const r = await secretguardCli(['audit', '--argocd-clusters', '--kubeconfig', hub.kubeconfigPath('admin'), '--format', 'html', '-o', page]);
    t.equal(r.code, 1, { stderr: r.stderr });
    const html = await readFile(page, 'utf8');
    t.notOk(html.includes(token) || html.includes(caData), 'no credential in the page');
    t.notMatch(html, /<script|src=|href=/i, 'nothing to run or fetch');
    const browser = chromium ?? 'chromium';
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', `--user-data-dir=${path.join(hub.dir, 'chromium')}`];
    const dom = await run(browser, [...flags, '--dump-dom', `file://${page}`], { timeoutMs: 60000 });
    t.equal(dom.code, 0, { stderr: dom.stderr });
    t.match(dom.stdout, /<h2>spoke-1 <span class="status ok">ok<\/span><\/h2>/, 'the browser parsed the spoke section');
    t.match(dom.stdout, /<h2>spoke-down <span class="status unreachable">unreachable<\/span><\/h2>/);
    t.match(dom.stdout, /<td class="deny">deny<\/td><td>Secret shop\/db \/data\/password<\/td>/);
    const shot = path.join(os.tmpdir(), 'secretguard-fleet.png');
    const taken = await run(browser, [...flags, '--window-size=1200,900', '--hide-scrollbars', `--screenshot=${shot}`, `file://${page}`], { timeoutMs: 60000 });
    t.equal(taken.code, 0, { stderr: taken.stderr });
    const png = await readFile(shot);
    t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    t.equal(png.readUInt32BE(16), 1200, 'as wide as the window');
    t.comment(`screenshot: ${shot} (${png.length} bytes)`);
  });

  // The spoke's own audit, as its background audit leaves it: secretguard's PolicyReports (the chart's CRDs, the
  // reports `audit --format policyreport` writes, the same objects `serve --audit-interval` keeps up to date).
  // The hub reads them instead of the spoke's Secrets; the hub itself, with no PolicyReport API, is unsupported.
  t.test('--from-policyreports reads the spokes\' PolicyReports', async (t) => {
    await must(spoke, ['apply', '-f', path.join(CHART_FILES, 'policyreport-crds.yaml')]);
    await must(spoke, ['wait', '--for=condition=Established', 'crd/policyreports.wgpolicyk8s.io', 'crd/clusterpolicyreports.wgpolicyk8s.io', '--timeout=60s']);
    const reports = await secretguardCli(['audit', '--kubeconfig', spoke.kubeconfigPath('admin'), '--format', 'policyreport']);
    t.equal(reports.code, 1, { stderr: reports.stderr });
    await must(spoke, ['apply', '-f', '-'], reports.stdout);
    const hubCa = b64(await readFile(hub.caFile, 'utf8'));
    const self = { ...(clusterSecret('hub-itself', hub.server) as { data: Record<string, string> }) } as { metadata: object; data: Record<string, string> };
    self.data['config'] = b64(JSON.stringify({ bearerToken: hub.token('admin'), tlsClientConfig: { insecure: false, caData: hubCa } }));
    await must(hub, ['apply', '-f', '-'], manifest(self));

    const direct = JSON.parse((await secretguardCli(['audit', '--argocd-clusters', '--kubeconfig', hub.kubeconfigPath('admin'), '--format', 'json'])).stdout) as Fleet;
    const r = await secretguardCli(['audit', '--argocd-clusters', '--from-policyreports', '--kubeconfig', hub.kubeconfigPath('admin'), '--format', 'json']);
    t.equal(r.code, 1, 'the spoke\'s deny still fails the run');
    const { clusters } = JSON.parse(r.stdout) as Fleet;
    t.same(clusters.map((c) => [c.name, c.status]), [['hub-itself', 'unsupported'], ['spoke-1', 'ok'], ['spoke-down', 'unreachable']]);
    t.match(clusters[0]?.reason, /no PolicyReport API on the spoke/);
    const spokeDirect = direct.clusters.find((c) => c.name === 'spoke-1');
    t.same(clusters[1]?.counts, spokeDirect?.counts, 'the same counts as auditing the spoke from the hub');
    t.same(clusters[1]?.byRule, spokeDirect?.byRule);
    t.same(clusters[1]?.worst, spokeDirect?.worst, 'the same worst offenders, field and message included');
    t.notOk(r.stdout.includes(token) || r.stderr.includes(token), 'no credential');
    t.equal((await secretguardCli(['audit', '--from-policyreports', '--kubeconfig', spoke.kubeconfigPath('admin')])).code, 2, 'only with --argocd-clusters');
  });
}

interface Fleet {
  clusters: { name: string; status: string; reason?: string; counts?: Record<string, number>; byRule?: Record<string, number>; worst?: unknown[] }[];
}

const CHART_FILES = path.join(import.meta.dirname, '..', '..', '..', 'charts', 'secretguard', 'files');
