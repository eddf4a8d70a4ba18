// `secretguard scan .` over a repository as found in the wild: every file attempted, broken ones reported as
// errors without quoting them, everything else still checked.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ajvDraft4 from 'ajv-draft-04';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { runCli, ROOT } from '../helpers/cli.js';

const SECRET = 'hunter2-Pq7xLmZ2vRtK9';
const sealingKey = `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: sealing
  namespace: kube-system
  labels:
    sealedsecrets.bitnami.com/sealed-secrets-key: active
data:
  tls.key: Zm9vYmFyLWNhbmFyeS1rZXktbWF0ZXJpYWw
`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  color: blue\n`;

function repo(): { dir: string; broken: Record<string, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-repo-'));
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'apps', 'a-cm.yaml'), configMap('a'));
  writeFileSync(join(dir, 'apps', 'key.yaml'), sealingKey);
  // Each broken shape, with the line the error must name.
  const broken: Record<string, number> = {
    'b-unclosed-quote.yaml': 4,
    'c-flow.yaml': 5,
    'd-json.json': 1,
    'e-scalar.yaml': 1,
    'f-half.yaml': 1,
    'g-middle.yaml': 10,
  };
  writeFileSync(join(dir, 'apps', 'b-unclosed-quote.yaml'), `apiVersion: v1\nkind: Secret\nstringData:\n  password: "${SECRET}\n`);
  writeFileSync(join(dir, 'apps', 'c-flow.yaml'), `apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [${SECRET}, 2\n  b: c\n`);
  writeFileSync(join(dir, 'apps', 'd-json.json'), `{"apiVersion": "v1", "kind": "Secret", "data": {"k": "${SECRET}"`);
  writeFileSync(join(dir, 'apps', 'e-scalar.yaml'), `${SECRET}\n`);
  writeFileSync(join(dir, 'apps', 'f-half.yaml'), `kind: Secret\nstringData:\n  password: ${SECRET}\n`);
  // A broken document between two good ones: the good ones are still checked.
  writeFileSync(join(dir, 'apps', 'g-middle.yaml'), `${configMap('g1')}---\napiVersion: v1\nkind: ConfigMap\n  bad: "${SECRET}"\n---\n${configMap('g2')}`);
  writeFileSync(join(dir, 'apps', 'z-cm.yaml'), configMap('z'));
  return { dir, broken };
}

/** Offsets of every 6-character slice of the planted input that the text contains. */
function leaks(text: string): number[] {
  const found: number[] = [];
  for (let i = 0; i + 6 <= SECRET.length; i++) if (text.includes(SECRET.slice(i, i + 6))) found.push(i);
  return found;
}

t.test('text: every broken file is one error at file:line, the rest is reported, and the run fails', async (t) => {
  const { dir, broken } = repo();
  const result = runCli(['scan', dir]);
  t.equal(result.code, 1);
  t.equal(result.stderr, '');
  for (const [file, line] of Object.entries(broken)) {
    const lines = result.stdout.split('\n').filter((l) => l.startsWith(join(dir, 'apps', file) + ':'));
    t.equal(lines.length, 1, `${file}: one line`);
    t.match(lines[0], new RegExp(`^[^:]+:${line}: error \\[unreadable-manifest\\] \\S`), `${file}: file:line, error, a reason`);
  }
  t.match(result.stdout, `${join(dir, 'apps', 'key.yaml')}:8: deny [no-sealing-key-in-git]`, 'a finding in a later file still reported');
  t.match(result.stdout, /5 resources scanned: 1 deny, 0 warn, 0 audit, 6 error/, 'a-cm, key, g1, g2 and z-cm scanned');
  t.same(leaks(result.stdout + result.stderr), [], 'text: no slice of the input');
});

t.test('json, sarif, junit and --fail-on warn carry the same errors', async (t) => {
  const { dir, broken } = repo();
  const json = runCli(['scan', '-f', 'json', dir]);
  t.equal(json.code, 1);
  const parsed = JSON.parse(json.stdout) as { findings: { ruleId: string; action: string; file: string; line: number; message: string }[]; summary: { error: number } };
  const errors = parsed.findings.filter((f) => f.ruleId === 'unreadable-manifest');
  t.same(
    errors.map((f) => [f.file, f.line, f.action]),
    Object.entries(broken).map(([file, line]) => [join(dir, 'apps', file), line, 'error']),
  );
  t.equal(parsed.summary.error, 6);
  t.same(leaks(json.stdout), [], 'json: no slice of the input');

  const sarif = runCli(['scan', '-f', 'sarif', dir]);
  t.equal(sarif.code, 1);
  const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  const validate = new ajvDraft4.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
  const log = JSON.parse(sarif.stdout) as {
    runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
  };
  t.ok(validate(log), JSON.stringify(validate.errors));
  const run = log.runs[0];
  const sarifErrors = run?.results.filter((r) => r.ruleId === 'unreadable-manifest') ?? [];
  t.same(sarifErrors.map((r) => r.locations[0]?.physicalLocation.region.startLine), Object.values(broken));
  t.ok(sarifErrors.every((r) => r.level === 'error' && run?.tool.driver.rules[r.ruleIndex]?.id === 'unreadable-manifest'), 'level error, indexed rule');
  t.same(leaks(sarif.stdout), [], 'sarif: no slice of the input');

  const junit = runCli(['scan', '-f', 'junit', dir]);
  t.equal(junit.code, 1);
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit.stdout) as {
    testsuites: { errors: string; testsuite: { testcase: { name: string; error?: { message: string; '#text': string } }[] } };
  };
  t.equal(xml.testsuites.errors, '6');
  const errored = xml.testsuites.testsuite.testcase.filter((c) => c.error !== undefined);
  t.same(
    errored.map((c) => c.error?.['#text']),
    Object.entries(broken).map(([file, line]) => `${join(dir, 'apps', file)}:${line}`),
  );
  t.same(leaks(junit.stdout), [], 'junit: no slice of the input');

  t.equal(runCli(['scan', '--fail-on', 'warn', dir]).code, 1, '--fail-on warn fails too');
  t.equal(runCli(['scan', '--rule', 'no-sealing-key-in-git', join(dir, 'apps', 'b-unclosed-quote.yaml')]).code, 1, '--rule does not hide an unreadable file');
});

t.test('parallel workers report the same errors and findings, byte for byte', async (t) => {
  const { dir } = repo();
  for (const format of ['text', 'json', 'sarif', 'junit']) {
    const one = runCli(['scan', '-f', format, dir], undefined, ROOT, { SECRETGUARD_WORKERS: '1' });
    const two = runCli(['scan', '-f', format, dir], undefined, ROOT, { SECRETGUARD_WORKERS: '3' });
    t.equal(two.code, 1, `${format}: exit 1`);
    t.equal(two.stdout, one.stdout, `${format}: same output`);
  }
});

t.test('exit 2 stays for usage and config errors', async (t) => {
  const { dir } = repo();
  const missing = runCli(['scan', join(dir, 'nope.yaml')]);
  t.equal(missing.code, 2, 'a path that does not exist');
  t.equal(runCli(['scan', '-f', 'xml', dir]).code, 2, 'unknown format');
  const state = join(dir, 'state.txt');
  writeFileSync(state, 'a: [1\n');
  t.equal(runCli(['scan', '--cluster-state', state, join(dir, 'apps', 'a-cm.yaml')]).code, 2, 'unreadable --cluster-state');
});

t.test('files that are not manifests are recognised and skipped, with one summary line by reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-kinds-'));
  const chart = join(dir, 'charts', 'app');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: app\nversion: 1.0.0\n');
  writeFileSync(join(chart, 'values.yaml'), 'replicas: 1\n');
  writeFileSync(join(chart, 'templates', 'deploy.yaml'), '{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\n{{- end }}\n');
  const chart2 = join(dir, 'charts', 'other');
  mkdirSync(join(chart2, 'templates'), { recursive: true });
  writeFileSync(join(chart2, 'Chart.yaml'), 'apiVersion: v2\nname: other\nversion: 1.0.0\n');
  mkdirSync(join(dir, 'env'));
  writeFileSync(join(dir, 'env', 'values.yaml'), 'image: {tag: v1}\n');
  writeFileSync(join(dir, 'env', 'values-prod.yaml'), 'image: {tag: v2}\n');
  writeFileSync(join(dir, 'env', 'values.staging.yml'), 'image: [broken\n');
  writeFileSync(join(dir, 'env', 'patch.json'), '[{"op": "replace", "path": "/spec/replicas", "value": 3}]');
  writeFileSync(join(dir, 'env', 'patch.yaml'), '- op: add\n  path: /metadata/labels/x\n  value: y\n- op: remove\n  path: /spec/template\n');
  writeFileSync(join(dir, 'env', 'package.json'), '{"name": "x", "version": "1.0.0"}');
  writeFileSync(join(dir, 'env', 'list.json'), '[1, 2, 3]');
  writeFileSync(join(dir, 'env', 'tpl.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{replicas}}\n');
  writeFileSync(join(dir, 'env', 'tpl2.yaml'), 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: {{ .Values.a }}\n  b:\n  - {{ .Values.b }}\n');
  writeFileSync(join(dir, 'env', 'tpl3.yml'), '{{- range .Values.items }}\n- name: {{ .name }}\n{{- end }}\n');
  // kustomization.yaml is loaded (the secretGenerator rule reads it), and so is a real manifest using {{ }} in strings.
  writeFileSync(join(dir, 'env', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- wf.yaml\n');
  writeFileSync(
    join(dir, 'env', 'wf.yaml'),
    'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: wf\nspec:\n  templates:\n  - name: a\n    container:\n      args: ["{{inputs.parameters.message}}"]\n    script:\n      source: |\n        echo {{inputs.parameters.message}}\n',
  );
  writeFileSync(join(dir, 'env', 'key.yaml'), sealingKey);
  const result = runCli(['scan', dir]);
  t.equal(result.code, 1, 'the sealing key still fails the run');
  t.equal(
    result.stderr,
    'skipped, not Kubernetes manifests: 2 Helm charts (render them: helm template … | secretguard scan -), 3 values files, 2 JSON6902 patches, 2 JSON data files, 3 Go templates\n',
  );
  t.match(result.stdout, /\n3 resources scanned: 1 deny, 0 warn, 0 audit, 0 error\n$/, 'key, kustomization, workflow… and nothing unreadable');
  const json = JSON.parse(runCli(['scan', '-f', 'json', dir]).stdout) as { findings: { ruleId: string }[] };
  t.notOk(json.findings.some((f) => f.ruleId === 'unreadable-manifest'));
  const one = runCli(['scan', join(chart, 'Chart.yaml'), join(dir, 'env', 'values.yaml')]);
  t.equal(one.stderr, 'skipped, not Kubernetes manifests: 1 document with no apiVersion and no kind\n', 'files named on the command line are read');
  const quiet = runCli(['scan', '-q', dir]);
  t.equal(quiet.stderr, '', '--quiet prints no summary');
});

t.test('--exclude (repeatable) and .secretguardignore at the scan root, in gitignore syntax', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-exclude-'));
  for (const sub of ['apps', 'docs/examples', 'vendor/x', 'apps/legacy']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'apps', 'key.yaml'), sealingKey);
  writeFileSync(join(dir, 'apps', 'legacy', 'broken.yaml'), 'a: [1\n');
  writeFileSync(join(dir, 'apps', 'legacy', 'keep.yaml'), sealingKey);
  writeFileSync(join(dir, 'docs', 'examples', 'key.yaml'), sealingKey);
  writeFileSync(join(dir, 'vendor', 'x', 'key.yml'), sealingKey);
  writeFileSync(join(dir, 'apps', 'test-key.yaml'), sealingKey);
  const files = (stdout: string) =>
    (JSON.parse(stdout) as { findings: { file: string }[] }).findings.map((f) => f.file.slice(dir.length + 1)).sort();

  const all = runCli(['scan', '-f', 'json', dir]);
  t.same(files(all.stdout), ['apps/key.yaml', 'apps/legacy/broken.yaml', 'apps/legacy/keep.yaml', 'apps/test-key.yaml', 'docs/examples/key.yaml', 'vendor/x/key.yml']);

  const excluded = runCli(['scan', '-f', 'json', '--exclude', 'docs/', '--exclude', '*.yml', '--exclude', 'test-*', dir]);
  t.same(files(excluded.stdout), ['apps/key.yaml', 'apps/legacy/broken.yaml', 'apps/legacy/keep.yaml']);
  t.equal(excluded.stderr, 'skipped, not Kubernetes manifests: 3 excluded paths\n');

  // Negation re-includes a file, as in .gitignore; comments and blank lines are ignored.
  writeFileSync(join(dir, '.secretguardignore'), '# generated\nvendor/\n\napps/legacy/*\n!apps/legacy/keep.yaml\n');
  const ignored = runCli(['scan', '-f', 'json', dir]);
  t.same(files(ignored.stdout), ['apps/key.yaml', 'apps/legacy/keep.yaml', 'apps/test-key.yaml', 'docs/examples/key.yaml']);
  t.equal(ignored.code, 1);
  const both = runCli(['scan', '-f', 'json', '--exclude', '/docs', dir]);
  t.same(files(both.stdout), ['apps/key.yaml', 'apps/legacy/keep.yaml', 'apps/test-key.yaml'], '--exclude adds to the ignore file');
  // Scanning a subdirectory: its own root, whose ignore file (none) applies.
  t.same(files(runCli(['scan', '-f', 'json', join(dir, 'vendor')]).stdout), ['vendor/x/key.yml']);
  // A file named on the command line is excluded by --exclude, relative to the working directory.
  const named = runCli(['scan', '--exclude', 'apps/key.yaml', join('apps', 'key.yaml'), join('apps', 'test-key.yaml')], undefined, dir);
  t.match(named.stdout, /^apps\/test-key\.yaml:8: deny/);
  t.notMatch(named.stdout, /^apps\/key\.yaml/m);
});

t.test('valid Argo Workflows manifests with shell && in wrapped quoted strings are scanned, not errors', async (t) => {
  const wf = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: build
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine
      command: [sh, -c]
      args: ["cd /src && make &&
      make test && echo *.tar"]
`;
  const result = runCli(['scan', '-'], wf);
  t.equal(result.code, 0);
  t.equal(result.stdout, '1 resource scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
  const dup = runCli(['scan', '-'], 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\n');
  t.equal(dup.code, 1, 'a duplicate key is still an error finding (YAMLToJSONStrict), the scan goes on');
  t.match(dup.stdout, /^<stdin>:3: error \[unreadable-manifest\] YAML syntax error: duplicated mapping key\n/);
});

t.test('a SecretGuardConfig met during a scan is never scanned as a resource', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-config-met-'));
  const config = 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: warn\n';
  writeFileSync(join(dir, 'secretguard.yaml'), config);
  writeFileSync(join(dir, 'multi.yaml'), `${configMap('a')}---\n${config}`);
  writeFileSync(join(dir, 'list.yaml'), `apiVersion: v1\nkind: List\nitems:\n- ${config.trimEnd().split('\n').join('\n  ')}\n`);
  // Another group's kind of the same name is a resource like any other.
  writeFileSync(join(dir, 'other.yaml'), 'apiVersion: example.com/v1\nkind: SecretGuardConfig\nmetadata:\n  name: x\n');
  const result = runCli(['scan', dir]);
  t.equal(result.code, 0);
  t.equal(result.stdout, '2 resources scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
  t.equal(result.stderr, 'skipped, not Kubernetes manifests: 3 SecretGuardConfigs\n');
  const example = runCli(['scan', '-f', 'json', join(ROOT, 'examples', 'multi-tenant')]);
  t.notOk((JSON.parse(example.stdout) as { findings: { resource: { kind: string } }[] }).findings.some((f) => f.resource.kind === 'SecretGuardConfig'));
  t.match(example.stderr, /1 SecretGuardConfig\b/);
});

t.test('config discovery: the nearest .secretguard.yaml from the scan root upward; -c overrides it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-discover-'));
  mkdirSync(join(dir, 'apps', 'deep'), { recursive: true });
  writeFileSync(join(dir, '.secretguard.yaml'), 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: warn\n');
  writeFileSync(join(dir, 'apps', 'deep', 'key.yaml'), sealingKey);
  for (const target of [dir, join(dir, 'apps'), join(dir, 'apps', 'deep'), join(dir, 'apps', 'deep', 'key.yaml')]) {
    const result = runCli(['scan', target]);
    t.equal(result.code, 0, `${target.slice(dir.length) || '/'}: the warn config applies`);
    t.match(result.stdout, /: warn \[no-sealing-key-in-git\]/);
  }
  t.equal(runCli(['scan', '-'], sealingKey, join(dir, 'apps')).code, 0, 'stdin: from the working directory upward');
  const strict = join(dir, 'strict.txt');
  writeFileSync(strict, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: deny\n');
  t.equal(runCli(['scan', '-c', strict, dir]).code, 1, '-c overrides the discovered file');
  // A nearer file wins over a farther one.
  writeFileSync(join(dir, 'apps', '.secretguard.yaml'), 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: audit\n');
  t.match(runCli(['scan', join(dir, 'apps')]).stdout, /: audit \[no-sealing-key-in-git\]/);
  writeFileSync(join(dir, 'apps', '.secretguard.yaml'), 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrulez: {}\n');
  const invalid = runCli(['scan', join(dir, 'apps')]);
  t.equal(invalid.code, 2, 'an invalid discovered config is a config error');
  t.match(invalid.stderr, '/rulez: unknown field');
});

t.test('baseline: --write-baseline records, --baseline ignores known findings, new ones fail, stale ones are listed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-baseline-'));
  const secret = (name: string, value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: app\nstringData:\n  password: ${value}\n`;
  writeFileSync(join(dir, 'a.yaml'), secret('a', SECRET));
  writeFileSync(join(dir, 'key.yaml'), sealingKey);
  const baseline = join(mkdtempSync(join(tmpdir(), 'secretguard-baseline-file-')), 'baseline.json');
  const before = runCli(['scan', '-f', 'json', dir]);
  t.equal(before.code, 1);
  const written = runCli(['scan', '--write-baseline', baseline, dir]);
  t.equal(written.code, 0, 'writing the baseline adopts the current findings');
  const file = readFileSync(baseline, 'utf8');
  t.same(leaks(file), [], 'the baseline never holds the value');
  const entries = (JSON.parse(file) as { findings: { fingerprint: string }[] }).findings;
  const sarif = JSON.parse(runCli(['scan', '-f', 'sarif', dir]).stdout) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] };
  t.same(
    sarif.runs[0]?.results.map((r) => r.partialFingerprints['secretguard/v1']).sort(),
    entries.map((e) => e.fingerprint).sort(),
    'the same fingerprints as SARIF partialFingerprints',
  );
  const clean = runCli(['scan', '--baseline', baseline, dir]);
  t.equal(clean.code, 0);
  t.equal(clean.stderr, `baseline: ${entries.length} known finding(s) ignored, 0 stale entries\n`);
  t.match(clean.stdout, /0 deny/);
  // The same value moved to another line still matches; a changed value, a new resource or field is new.
  writeFileSync(join(dir, 'a.yaml'), `# moved\n\n${secret('a', SECRET)}`);
  t.equal(runCli(['scan', '--baseline', baseline, dir]).code, 0, 'a moved finding is still known');
  writeFileSync(join(dir, 'a.yaml'), secret('a', SECRET + 'x'));
  const changed = runCli(['scan', '--baseline', baseline, dir]);
  t.equal(changed.code, 1, 'a changed value is a new finding');
  t.match(changed.stderr, /1 stale entry\n {2}stale: no-plaintext-secret Secret app\/a \/stringData\/password\n/);
  writeFileSync(join(dir, 'a.yaml'), secret('a', SECRET));
  writeFileSync(join(dir, 'b.yaml'), secret('b', SECRET));
  t.equal(runCli(['scan', '--baseline', baseline, dir]).code, 1, 'the same value in a new resource fails');
  writeFileSync(baseline, '{"version": 1, "findings": [{"fingerprint": 1}]}');
  t.equal(runCli(['scan', '--baseline', baseline, dir]).code, 2, 'an invalid baseline is a usage error');
  writeFileSync(baseline, `{"version": 1, "findings": [${SECRET}`);
  const broken = runCli(['scan', '--baseline', baseline, dir]);
  t.equal(broken.code, 2);
  t.same(leaks(broken.stderr), [], 'a broken baseline is not quoted');
});
