// Defects a new user meets on the way (issue 17): each through the real CLI, exit code and output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI, runCli } from '../helpers/cli.js';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  color: blue\n';
const sealingKey =
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: k\n  namespace: kube-system\n  labels:\n    sealedsecrets.bitnami.com/sealed-secrets-key: active\ntype: kubernetes.io/tls\n';

t.test('`rules | head -1` ends quietly when the reader goes away', async (t) => {
  for (const args of ['rules', 'rules -f json']) {
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" ${args} | head -c 10 >/dev/null`], { encoding: 'utf8' });
    t.equal(result.status, 0, args);
    t.equal(result.stderr, '', `${args}: no EPIPE stack trace`);
  }
  const head = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" rules | head -1`], { encoding: 'utf8' });
  t.equal(head.stdout.split('\n').length, 2, 'one line');
  t.equal(head.stderr, '');
});

t.test('rules -f json as scan has it; an unknown format is refused', async (t) => {
  const short = runCli(['rules', '-f', 'json']);
  t.equal(short.code, 0);
  t.same(JSON.parse(short.stdout), JSON.parse(runCli(['rules', '--format', 'json']).stdout));
  for (const format of ['yaml', 'JSON', '']) {
    const result = runCli(['rules', '--format', format]);
    t.equal(result.code, 2, `--format ${JSON.stringify(format)}`);
    t.equal(result.stdout, '', 'nothing printed as text');
  }
});

t.test('scan --fix --dry-run --exit-code fails on a diff, as git diff --exit-code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-exit-code-'));
  const file = join(dir, 'deploy.yaml');
  // The Reloader mutator annotates a workload that uses the Secret an ExternalSecret writes.
  writeFileSync(
    join(dir, 'eso.yaml'),
    'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  secretStoreRef: {name: vault, kind: ClusterSecretStore}\n  target:\n    name: db-secret\n',
  );
  const deploy =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app\n        envFrom:\n        - secretRef:\n            name: db-secret\n';
  writeFileSync(file, deploy);
  const plain = runCli(['scan', '--fix', '--dry-run', '-q', dir]);
  const withCode = runCli(['scan', '--fix', '--dry-run', '--exit-code', '-q', dir]);
  t.equal(withCode.stdout, plain.stdout, 'the same diff');
  t.not(plain.stdout, '', 'there is a diff');
  t.not(plain.code, 1, 'without --exit-code a diff does not fail');
  t.equal(withCode.code, 1, 'with it, the diff fails the run');
  t.match(withCode.stdout, `--- a/${file.slice(1)}\n+++ b/${file.slice(1)}\n`, 'no a//abs header');
  t.equal(readFileSync(file, 'utf8'), deploy, 'nothing written');
  const clean = join(dir, 'clean');
  writeFileSync(join(mkdtempSync(join(tmpdir(), 'secretguard-exit-code-clean-')), 'cm.yaml'), configMap);
  writeFileSync(join(dir, 'cm.yaml'), configMap);
  t.equal(runCli(['scan', '--fix', '--dry-run', '--exit-code', join(dir, 'cm.yaml')]).code, 0, 'no diff: exit 0');
  t.equal(runCli(['scan', '--exit-code', join(dir, 'cm.yaml')]).code, 2, '--exit-code needs --fix --dry-run');
  t.notOk(existsSync(clean));
});

t.test('a missing path is a usage error naming the path, not file:0; one resource is singular', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-missing-'));
  const missing = runCli(['scan', join(dir, 'nope.yaml')]);
  t.equal(missing.code, 2);
  t.equal(missing.stderr, `secretguard: ${join(dir, 'nope.yaml')}: cannot read (ENOENT)\n`);
  t.equal(runCli(['scan', '-'], configMap).stdout, '1 resource scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
  t.equal(runCli(['scan', '-'], `${configMap}---\n${configMap}`).stdout, '2 resources scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
});

t.test('FORCE_COLOR forces colour when not a TTY; NO_COLOR and --no-color still win over a TTY', async (t) => {
  const coloured = runCli(['scan', '-'], sealingKey, undefined, { FORCE_COLOR: '1', NO_COLOR: '' });
  t.match(coloured.stdout, '\x1b[31mdeny\x1b[0m');
  for (const env of [{}, { FORCE_COLOR: '0' }, { FORCE_COLOR: 'false' }]) {
    t.notMatch(runCli(['scan', '-'], sealingKey, undefined, env).stdout, '\x1b[', JSON.stringify(env));
  }
  t.notMatch(runCli(['scan', '--no-color', '-'], sealingKey, undefined, { FORCE_COLOR: '1' }).stdout, '\x1b[', '--no-color wins');
});

t.test('cert --out-dir refuses to overwrite an existing CA or key without --force', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-cert-force-'));
  const args = ['cert', '--out-dir', dir, '--service', 's', '--namespace', 'n'];
  t.equal(runCli(args).code, 0);
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const key = readFileSync(join(dir, 'tls.key'), 'utf8');
  const again = runCli(args);
  t.equal(again.code, 2);
  t.equal(again.stderr, `secretguard: ${dir} already holds ca.crt, tls.crt, tls.key; refusing to overwrite without --force\n`);
  t.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca, 'the CA is kept');
  t.equal(readFileSync(join(dir, 'tls.key'), 'utf8'), key, 'the key is kept');
  const only = mkdtempSync(join(tmpdir(), 'secretguard-cert-one-'));
  writeFileSync(join(only, 'tls.key'), 'mine');
  t.equal(runCli(['cert', '--out-dir', only, '--service', 's', '--namespace', 'n']).code, 2, 'any one of the three files');
  t.equal(readFileSync(join(only, 'tls.key'), 'utf8'), 'mine');
  t.equal(runCli([...args, '--force']).code, 0, '--force overwrites');
  t.not(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca);
});

t.test('--format github writes one workflow command per finding, escaped, paths from the working directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-github-'));
  writeFileSync(join(dir, 'key.yaml'), sealingKey);
  writeFileSync(join(dir, 'broken, odd:name.yaml'), 'a: [1\n');
  const result = runCli(['scan', '-f', 'github', '.'], undefined, dir);
  t.equal(result.code, 1);
  const lines = result.stdout.trimEnd().split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0], /^::error file=broken%2C odd%3Aname\.yaml,line=1,title=unreadable-manifest::\[unreadable-manifest\] /);
  t.match(lines[1], /^::error file=key\.yaml,line=7,title=no-sealing-key-in-git::\[no-sealing-key-in-git\] Secret k /);
  const warn = join(dir, 'warn.txt');
  writeFileSync(warn, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: warn\n');
  t.match(runCli(['scan', '-f', 'github', '-c', warn, 'key.yaml'], undefined, dir).stdout, /^::warning file=key\.yaml,line=7,/);
});
