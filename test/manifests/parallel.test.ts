import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import { collectFiles, readSource } from '../../src/manifests/load.js';
import { planParallelScan, scanFilesInParallel } from '../../src/manifests/parallel.js';
import { buildView, scanManifests } from '../../src/manifests/scan.js';

// Files whose findings depend on the view built from other files (a ClusterSecretStore in one file, the
// ExternalSecrets using it in others), so a worker that missed pass one would answer differently.
const dir = mkdtempSync(join(tmpdir(), 'secretguard-parallel-'));
writeFileSync(
  join(dir, '00-store.yaml'),
  'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: shared\nspec:\n  provider:\n    fake: {}\n  conditions:\n    - namespaces: [team-a]\n',
);
for (let i = 1; i <= 12; i++) {
  const namespace = i % 2 === 0 ? 'team-a' : 'team-b';
  writeFileSync(
    join(dir, `${String(i).padStart(2, '0')}-app.yaml`),
    [
      `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: es-${i}\n  namespace: ${namespace}\nspec:\n  refreshInterval: 1h\n  secretStoreRef: {name: shared, kind: ClusterSecretStore}\n  data:\n  - secretKey: a\n    remoteRef: {key: k}\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ${namespace}\ndata:\n  DATABASE_URL: postgres://app:Pq7${i}xLmZ2vRt@db:5432/app\n`,
    ].join('---\n'),
  );
}
const files = collectFiles([dir]);
const engine = buildEngine(loadEffectiveConfig(undefined));
const base = { clusterState: [], defaultNamespace: 'default' };
/** Pass one over the files, as the CLI runs it while the workers start. */
const viewOf = (list: readonly string[]) => buildView(list.map((f) => () => readSource(f)), base.clusterState, base.defaultNamespace);

// Small inputs scan in one thread unless SECRETGUARD_WORKERS asks for workers.
process.env['SECRETGUARD_WORKERS'] = '2';
function sharesOf(list: readonly string[]): string[][] {
  const shares = planParallelScan(list);
  if (shares === undefined) throw new Error('SECRETGUARD_WORKERS=2 should give two shares');
  return shares;
}

t.test('two workers report exactly what one thread reports, in the same order', async (t) => {
  const sequential = scanManifests(engine, { ...base, sources: files.map((f) => () => readSource(f)) });
  const parallel = await scanFilesInParallel({ ...base, configPath: undefined, shares: sharesOf(files), view: () => viewOf(files) });
  t.ok(sequential.findings.length >= 12, 'the corpus has findings that need the view');
  t.same(JSON.parse(JSON.stringify(parallel.findings)), JSON.parse(JSON.stringify(sequential.findings)));
  t.same(parallel.summary, sequential.summary);
  t.equal(parallel.resources.length, sequential.resources.length);
  t.same(sharesOf(files).flat(), files, 'the shares cover every file once, in order');
});

t.test('unreadable files are error findings in file order, as in one thread', async (t) => {
  const broken = mkdtempSync(join(tmpdir(), 'secretguard-parallel-broken-'));
  writeFileSync(join(broken, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
  writeFileSync(join(broken, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\ndata:\n  x: [1\n');
  writeFileSync(join(broken, 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
  writeFileSync(join(broken, 'd.yaml'), 'apiVersion: v1\nkind: ConfigMap\ndata:\n  y: "unterminated\n');
  const brokenFiles = collectFiles([broken]);
  const parallel = await scanFilesInParallel({ ...base, configPath: undefined, shares: sharesOf(brokenFiles), view: () => viewOf(brokenFiles) });
  const sequential = scanManifests(engine, { ...base, sources: brokenFiles.map((f) => () => readSource(f)) });
  t.same(
    parallel.findings.map((f) => [f.ruleId, f.file]),
    [
      ['unreadable-manifest', join(broken, 'b.yaml')],
      ['unreadable-manifest', join(broken, 'd.yaml')],
    ],
  );
  t.same(JSON.parse(JSON.stringify(parallel)), JSON.parse(JSON.stringify(sequential)));
  t.equal(parallel.resources.length, 2, 'a and c are still scanned');
});
