import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { unifiedDiff } from '../../src/fix/diff.js';
import { collectFiles } from '../../src/manifests/load.js';
import { ROOT, runCli } from '../helpers/cli.js';

const RELOAD = 'secret.reloader.stakater.com/reload';

const ESO = `# The Secret ESO writes for the shop.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db
  namespace: shop
spec:
  secretStoreRef: {name: vault,   kind: ClusterSecretStore}   # odd spacing stays
  target:
    name: db-secret
`;

const WORKLOADS = `# Workloads of the shop (this comment stays).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web    # the storefront
  namespace: shop
  annotations:
    team: storefront   # owner
    ${RELOAD}: 'zeta'  # kept
spec:
  template:
    spec:
      containers:
      - name: app
        envFrom:
          - secretRef: {name: db-secret}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: shop
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          volumes:
            - name: creds
              projected:
                sources:
                  - secret: {name: db-secret}
---
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      template:
        spec:
          containers:
            - name: db
              env:
                - name: PASSWORD
                  valueFrom: {secretKeyRef: {name: db-secret, key: password}}
`;

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-fix-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function objects(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

t.test('scan --fix writes the annotation, keeps comments and formatting, and is a no-op the second time', async (t) => {
  const dir = workspace({ 'eso.yaml': ESO, 'workloads.yaml': WORKLOADS });
  const first = runCli(['scan', '--fix', '-q', dir]);
  t.not(first.code, 2, first.stderr);
  const fixed = readFileSync(join(dir, 'workloads.yaml'), 'utf8');
  t.equal(readFileSync(join(dir, 'eso.yaml'), 'utf8'), ESO, 'files without changes are not rewritten');
  t.match(first.stderr, /workloads\.yaml:2: Deployment shop\/web: added secret\.reloader\.stakater\.com\/reload: db-secret \(ESO-managed\)/);
  t.match(first.stderr, /CronJob shop\/nightly/);
  t.match(first.stderr, /StatefulSet shop\/db/);
  t.match(first.stderr, /changed 3 objects in 1 file/);

  const expected = WORKLOADS.replace(`${RELOAD}: 'zeta'  # kept`, `${RELOAD}: 'db-secret,zeta'  # kept`)
    .replace('  name: nightly\n  namespace: shop\n', `  name: nightly\n  namespace: shop\n  annotations:\n    ${RELOAD}: db-secret\n`)
    .replace('      name: db\n      namespace: shop\n', `      name: db\n      namespace: shop\n      annotations:\n        ${RELOAD}: db-secret\n`);
  t.equal(fixed, expected, 'only the annotation lines changed; every comment and odd spacing stays');

  const docs = objects(fixed);
  t.same((docs[0]?.['metadata'] as { annotations: unknown }).annotations, { team: 'storefront', [RELOAD]: 'db-secret,zeta' });

  const second = runCli(['scan', '--fix', '-q', dir]);
  t.not(second.code, 2, second.stderr);
  t.match(second.stderr, /nothing to change/);
  t.equal(readFileSync(join(dir, 'workloads.yaml'), 'utf8'), fixed, 'the second run changes nothing');
});

t.test('scan --fix --dry-run prints a unified diff and writes nothing', async (t) => {
  const dir = workspace({ 'eso.yaml': ESO, 'workloads.yaml': WORKLOADS });
  const result = runCli(['scan', '--fix', '--dry-run', '-q', dir]);
  t.not(result.code, 2, result.stderr);
  t.equal(readFileSync(join(dir, 'workloads.yaml'), 'utf8'), WORKLOADS, 'nothing written');
  const name = join(dir, 'workloads.yaml').replace(/^\/+/, '');
  t.match(result.stdout, `--- a/${name}\n+++ b/${name}\n`, 'git-style a/ b/ without a doubled slash');
  t.notMatch(result.stdout, 'a//');
  t.match(result.stdout, `-    ${RELOAD}: 'zeta'  # kept\n+    ${RELOAD}: 'db-secret,zeta'  # kept\n`);
  t.match(result.stdout, /\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
  t.match(result.stderr, /dry run, nothing written/);
});

t.test('the examples round-trip: examples/good is already fixed, a second run changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-examples-'));
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  const before = new Map(collectFiles([dir]).map((f) => [f, readFileSync(f, 'utf8')]));
  const good = runCli(['scan', '--fix', '-q', join(dir, 'good')]);
  t.equal(good.code, 0, good.stderr);
  t.match(good.stderr, /nothing to change/);
  runCli(['scan', '--fix', '-q', dir]);
  const once = new Map(collectFiles([dir]).map((f) => [f, readFileSync(f, 'utf8')]));
  for (const [file, text] of before) if (file.includes('/good/')) t.equal(once.get(file), text, `${file} untouched`);
  runCli(['scan', '--fix', '-q', dir]);
  for (const [file, text] of once) t.equal(readFileSync(file, 'utf8'), text, `${file}: second run is a no-op`);
});

t.test('JSON files are patched and keep their indentation', async (t) => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', annotations: { team: 'a' } },
    spec: { template: { spec: { containers: [{ name: 'a', image: 'a', envFrom: [{ secretRef: { name: 'db-secret' } }] }] } } },
  };
  const dir = workspace({ 'eso.yaml': ESO, 'api.json': JSON.stringify(deployment, null, 4) + '\n' });
  const result = runCli(['scan', '--fix', '-q', dir]);
  t.not(result.code, 2, result.stderr);
  const expected = structuredClone(deployment) as typeof deployment & { metadata: { annotations: Record<string, string> } };
  expected.metadata.annotations[RELOAD] = 'db-secret';
  t.equal(readFileSync(join(dir, 'api.json'), 'utf8'), JSON.stringify(expected, null, 4) + '\n');
});

t.test('an ESO-labelled Secret in --cluster-state counts as ESO-managed', async (t) => {
  const secret = `apiVersion: v1
kind: Secret
metadata:
  name: synced
  namespace: shop
  labels:
    reconcile.external-secrets.io/managed: "true"
`;
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: a
          envFrom:
            - secretRef:
                name: synced
`;
  const dir = workspace({ 'api.yaml': deployment });
  const state = workspace({ 'secrets.yaml': secret });
  const without = runCli(['scan', '--fix', '--dry-run', '-q', dir]);
  t.equal(without.stdout, '', 'without the Secret, nothing is known about it');
  const result = runCli(['scan', '--fix', '-q', '--cluster-state', join(state, 'secrets.yaml'), dir]);
  t.not(result.code, 2, result.stderr);
  t.match(readFileSync(join(dir, 'api.yaml'), 'utf8'), `metadata:\n  name: api\n  namespace: shop\n  annotations:\n    ${RELOAD}: synced\n`);
});

t.test('usage errors and exit codes', async (t) => {
  const stdin = runCli(['scan', '--fix', '-'], WORKLOADS);
  t.equal(stdin.code, 2);
  t.match(stdin.stderr, /--fix rewrites files and cannot read standard input/);
  const dryRunAlone = runCli(['scan', '--dry-run', join(ROOT, 'examples', 'good')]);
  t.equal(dryRunAlone.code, 2);
  t.match(dryRunAlone.stderr, /--dry-run needs --fix/);
  const dir = workspace({ 'eso.yaml': ESO, 'workloads.yaml': WORKLOADS });
  const json = runCli(['scan', '--fix', '--format', 'json', dir]);
  t.doesNotThrow(() => JSON.parse(json.stdout) as unknown, 'stdout stays the report; the fix summary goes to stderr');
});

t.test('unifiedDiff', async (t) => {
  t.equal(unifiedDiff('a\n', 'a\n', 'x', 'y'), '');
  t.equal(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'x', 'y'), '--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  t.equal(unifiedDiff('a\n', 'a\nb\n', 'x', 'y'), '--- x\n+++ y\n@@ -1 +1,2 @@\n a\n+b\n');
  const long = Array.from({ length: 20 }, (_, i) => `line ${i}`);
  const changed = [...long];
  changed[2] = 'two';
  changed[17] = 'seventeen';
  const diff = unifiedDiff(long.join('\n') + '\n', changed.join('\n') + '\n', 'x', 'y');
  t.equal(diff.match(/^@@/gm)?.length, 2, 'distant changes get separate hunks');
  t.match(diff, '@@ -1,6 +1,6 @@\n line 0\n line 1\n-line 2\n+two\n');
  t.match(diff, '@@ -15,6 +15,6 @@\n');
});
