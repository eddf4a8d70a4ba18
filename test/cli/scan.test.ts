import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ajvDraft4 from 'ajv-draft-04';
import { XMLParser } from 'fast-xml-parser';
import t from 'tap';
import { runCli, ROOT } from '../helpers/cli.js';

const CANARY = 'Zm9vYmFyLWNhbmFyeS1rZXktbWF0ZXJpYWw';
const sealingKey = (name: string) => `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: ${name}
  namespace: kube-system
  labels:
    sealedsecrets.bitnami.com/sealed-secrets-key: active
data:
  tls.key: ${CANARY}
`;
const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  color: blue\n';

const dir = mkdtempSync(join(tmpdir(), 'secretguard-scan-'));
mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
writeFileSync(join(dir, 'key.yaml'), sealingKey('sealed-secrets-key1'));
writeFileSync(join(dir, 'nested', 'deeper', 'cm.yml'), configMap);
writeFileSync(join(dir, 'nested', 'readme.txt'), 'not a manifest: [');
const badYaml = join(mkdtempSync(join(tmpdir(), 'secretguard-bad-')), 'broken.yaml');
writeFileSync(badYaml, 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n  b: c\n');

t.test('a clean input exits 0 with a summary', async (t) => {
  const result = runCli(['scan', join(dir, 'nested')]);
  t.equal(result.code, 0);
  t.equal(result.stdout, '1 resource scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
});

t.test('a denial exits 1 and names file, line, rule and resource in text output', async (t) => {
  const result = runCli(['scan', join(dir, 'key.yaml')]);
  t.equal(result.code, 1);
  t.match(result.stdout, `${join(dir, 'key.yaml')}:8: deny [no-sealing-key-in-git] Secret sealed-secrets-key1`);
  t.match(result.stdout, '(Secret kube-system/sealed-secrets-key1 /metadata/labels/sealedsecrets.bitnami.com~1sealed-secrets-key)');
});

t.test('JSON output follows the documented contract', async (t) => {
  const result = runCli(['scan', '--format', 'json', dir]);
  t.equal(result.code, 1);
  const parsed = JSON.parse(result.stdout) as { findings: { message: string }[] };
  t.match(parsed.findings[0]?.message, /^\[no-sealing-key-in-git\] Secret sealed-secrets-key1 is a Sealed Secrets sealing key/);
  t.same(parsed, {
    findings: [
      {
        ruleId: 'no-sealing-key-in-git',
        action: 'deny',
        message: parsed.findings[0]?.message,
        resource: { apiVersion: 'v1', kind: 'Secret', namespace: 'kube-system', name: 'sealed-secrets-key1' },
        file: join(dir, 'key.yaml'),
        line: 8,
        field: '/metadata/labels/sealedsecrets.bitnami.com~1sealed-secrets-key',
      },
    ],
    summary: { resources: 2, deny: 1, warn: 0, audit: 0, error: 0, suppressed: 0 },
  });
});

t.test('stdin with -, kind: List and --namespace', async (t) => {
  const list = `apiVersion: v1\nkind: List\nitems:\n${sealingKey('k2').replace('  namespace: kube-system\n', '').split('\n').filter(Boolean).map((l, i) => (i === 0 ? '- ' : '  ') + l).join('\n')}\n`;
  const result = runCli(['scan', '--format', 'json', '--namespace', 'sealed', '-'], list);
  t.equal(result.code, 1);
  const parsed = JSON.parse(result.stdout) as { findings: { file: string; line: number; resource: { namespace: string } }[] };
  t.equal(parsed.findings[0]?.file, '<stdin>');
  t.equal(parsed.findings[0]?.resource.namespace, 'sealed');
  t.equal(parsed.findings[0]?.line, 10);
});

t.test('a YAML syntax error is one error finding at file:line, and the run still reports the rest and fails', async (t) => {
  const result = runCli(['scan', badYaml]);
  t.equal(result.code, 1);
  t.match(result.stdout, new RegExp(`^${badYaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: error \\[unreadable-manifest\\] YAML syntax error`));
});

t.test('documents that are not Kubernetes objects are skipped with a note; half an object is an error', async (t) => {
  const values = join(mkdtempSync(join(tmpdir(), 'secretguard-values-')), 'values.yaml');
  writeFileSync(values, 'replicaCount: 2\nimage:\n  tag: v1\n---\n' + configMap);
  const result = runCli(['scan', values]);
  t.equal(result.code, 0);
  t.equal(result.stderr, 'skipped, not Kubernetes manifests: 1 document with no apiVersion and no kind\n', 'a file named on the command line is read, values or not');
  t.equal(result.stdout, '1 resource scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
  const half = runCli(['scan', '-'], 'kind: ConfigMap\nmetadata:\n  name: x\n');
  t.equal(half.code, 1);
  t.equal(half.stdout, '<stdin>:1: error [unreadable-manifest] object needs both apiVersion and kind as non-empty strings\n\nrule                  deny   warn  audit  error\nunreadable-manifest      0      0      0      1\n\n0 resources scanned: 0 deny, 0 warn, 0 audit, 1 error\n');
});

t.test('usage errors exit 2', async (t) => {
  t.equal(runCli(['scan']).code, 2, 'no input');
  t.equal(runCli(['scan', join(dir, 'missing.yaml')]).code, 2, 'unreadable file');
  t.equal(runCli(['scan', '--rule', 'no-such-rule', dir]).code, 2, 'unknown rule');
  t.equal(runCli(['scan', '--format', 'xml', dir]).code, 2, 'unknown format');
  const badConfig = join(dir, 'bad-config.yml.txt');
  writeFileSync(badConfig, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrulez: {}\n');
  const result = runCli(['scan', '--config', badConfig, dir]);
  t.equal(result.code, 2, 'invalid config');
  t.match(result.stderr, '/rulez: unknown field');
});

t.test('--fail-on, --rule and action overrides from config', async (t) => {
  const config = join(dir, 'warn-config.txt');
  writeFileSync(config, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nrules:\n  no-sealing-key-in-git: warn\n');
  const only = ['--rule', 'no-sealing-key-in-git'];
  t.equal(runCli(['scan', '--config', config, ...only, dir]).code, 0, 'a warning does not fail by default');
  t.equal(runCli(['scan', '--config', config, '--fail-on', 'warn', ...only, dir]).code, 1, '--fail-on warn');
  const quiet = runCli(['scan', '--config', config, '--quiet', ...only, dir]);
  t.equal(quiet.stdout, '', '--quiet prints only failing findings');
});

t.test('SARIF output validates against the SARIF 2.1.0 schema', async (t) => {
  const result = runCli(['scan', '--format', 'sarif', dir]);
  t.equal(result.code, 1);
  const schemaPath = join(ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // ajv-draft-04 is CommonJS: under NodeNext its default import is module.exports, whose .default is the class.
  const ajv = new ajvDraft4.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
  const validate = ajv.compile(schema);
  const sarif = JSON.parse(result.stdout) as { runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
  t.ok(validate(sarif), JSON.stringify(validate.errors));
  t.equal(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.region.startLine, 8);
});

t.test('JUnit output parses back: one testcase per resource and rule', async (t) => {
  const output = join(dir, 'out.xml.txt');
  const result = runCli(['scan', '--format', 'junit', '--rule', 'no-sealing-key-in-git', '--output', output, dir]);
  t.equal(result.code, 1);
  t.equal(result.stdout, '');
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(output, 'utf8')) as {
    testsuites: { tests: string; failures: string; testsuite: { testcase: { name: string; failure?: { type: string } } | { name: string }[] } };
  };
  t.equal(xml.testsuites.failures, '1');
  const testcase = xml.testsuites.testsuite.testcase;
  const cases = Array.isArray(testcase) ? testcase : [testcase];
  t.same(cases.map((c) => c.name), ['Secret kube-system/sealed-secrets-key1 no-sealing-key-in-git']);
});

t.test('no output format ever contains the planted secret value', async (t) => {
  for (const format of ['text', 'json', 'sarif', 'junit']) {
    const result = runCli(['scan', '--format', format, dir]);
    for (let i = 0; i + 8 <= CANARY.length; i++) {
      t.notOk(result.stdout.includes(CANARY.slice(i, i + 8)) || result.stderr.includes(CANARY.slice(i, i + 8)), `${format}: no slice ${i}`);
    }
  }
});

t.test('10,000 resources in one file finish with a summary', async (t) => {
  const big = join(dir, 'big', 'many.yaml');
  mkdirSync(join(dir, 'big'));
  const docs: string[] = [];
  for (let i = 0; i < 10_000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns-${i % 50}\ndata:\n  key: value-${i}\n`);
  writeFileSync(big, docs.join('---\n'));
  const result = runCli(['scan', big]);
  t.equal(result.code, 0);
  t.equal(result.stdout, '10000 resources scanned: 0 deny, 0 warn, 0 audit, 0 error\n');
});

t.test('rules and config commands', async (t) => {
  const rules = runCli(['rules', '--format', 'json']);
  t.equal(rules.code, 0);
  t.ok((JSON.parse(rules.stdout) as { rules: { id: string }[] }).rules.some((r) => r.id === 'no-sealing-key-in-git'));
  const defaults = runCli(['config', 'default']);
  t.equal(defaults.code, 0);
  const file = join(dir, 'defaults.txt');
  writeFileSync(file, defaults.stdout);
  const validated = runCli(['config', 'validate', file]);
  t.equal(validated.code, 0, 'the printed defaults validate');
  t.equal(validated.stdout, `${file}: valid\n`);
});
