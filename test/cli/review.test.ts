import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { decodeAdmissionReview, respondValidate } from '../../src/admission/review.js';
import { EMPTY_VIEW_NOTE, reviewText } from '../../src/cli/review.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import { buildApp } from '../../src/server/app.js';
import { ManualLag, repoRoot } from '../server/helpers.js';

const cli = path.join(repoRoot, 'dist/src/cli/main.js');
const fixtures = path.join(repoRoot, 'test/fixtures/admission');
const run = (args: string[], input?: string) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', ...(input !== undefined ? { input } : {}) });

t.test('review prints exactly what the server sends, for every captured fixture', async (t) => {
  // Without --cluster-state, review stands for a server whose view is synced and empty.
  const empty = new ClusterIndex();
  empty.synced = true;
  const app = buildApp({ engine: buildEngine(loadEffectiveConfig(undefined)), view: empty, lagSource: new ManualLag() });
  for (const name of ['create', 'update', 'delete', 'dry-run', 'generate-name', 'subresource-status']) {
    const file = path.join(fixtures, `${name}.json`);
    const text = readFileSync(file, 'utf8');
    for (const endpoint of ['validate', 'mutate'] as const) {
      const served = await app.inject({ method: 'POST', url: `/${endpoint}`, headers: { 'content-type': 'application/json' }, payload: text });
      t.equal(JSON.stringify(reviewText(text, file, { mutate: endpoint === 'mutate' }).review), served.body, `${name} ${endpoint}`);
      // The command itself (a process each, so only a few).
      if (name === 'create' || name === 'delete' || (name === 'update' && endpoint === 'mutate')) {
        const result = run(['review', ...(endpoint === 'mutate' ? ['--mutate'] : []), file]);
        t.equal(result.stdout.trim(), served.body, `${name} ${endpoint}: secretguard review`);
        const allowed = (JSON.parse(served.body) as { response: { allowed: boolean } }).response.allowed;
        t.equal(result.status, allowed ? 0 : 1, `${name}: exit code follows allowed`);
      }
    }
  }
});

t.test('review reads stdin, takes --config and --cluster-state; bad input exits 2 without echoing', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-review-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  const text = readFileSync(path.join(fixtures, 'create.json'), 'utf8');
  const stdin = run(['review', '-'], text);
  t.equal(stdin.stderr, `${EMPTY_VIEW_NOTE}\n`, 'one line says the view is empty');
  t.equal((JSON.parse(stdin.stdout) as { response: { uid: string } }).response.uid, (decodeAdmissionReview(JSON.parse(text)) as { request: { uid: string } }).request.uid);
  writeFileSync(path.join(dir, 'config.yaml'), 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules: {}\n');
  writeFileSync(path.join(dir, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
  const configured = run(['review', '--config', path.join(dir, 'config.yaml'), '--cluster-state', path.join(dir, 'ns.yaml'), '-'], text);
  t.ok([0, 1].includes(configured.status ?? -1));
  t.equal(configured.stderr, '', 'no note with --cluster-state');
  const decoded = decodeAdmissionReview(JSON.parse(text));
  if (decoded.ok) {
    const view = new ClusterIndex();
    view.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    view.synced = true;
    const expected = respondValidate(buildEngine(loadEffectiveConfig(path.join(dir, 'config.yaml'))), view, decoded.request);
    t.equal(configured.stdout.trim(), JSON.stringify(expected.review));
  }
  const notJson = run(['review', '-'], '{"password": "fixture-canary-value"');
  t.equal(notJson.status, 2);
  t.match(notJson.stderr, /<stdin>: not valid JSON/);
  t.notMatch(notJson.stderr, /fixture-canary-value/);
  const noUid = run(['review', '-'], JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: {}, operation: 'CREATE' } }));
  t.equal(noUid.status, 2);
  t.match(noUid.stderr, /request.uid is missing/);
  t.equal(run(['review', path.join(dir, 'missing.json')]).status, 2);
});
