// The ready-made CI pieces parse, wire the scan as documented, and their commands run through the real CLI.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  color: blue\n';
const key = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: k\n  namespace: kube-system\n  labels:\n    sealedsecrets.bitnami.com/sealed-secrets-key: active\n';

t.test('.pre-commit-hooks.yaml: a node hook running secretguard scan on the staged files', async (t) => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; files: string }[];
  const hook = hooks.find((h) => h.id === 'secretguard');
  t.ok(hook);
  t.equal(hook?.language, 'node');
  t.equal(hook?.entry, 'secretguard scan');
  const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin;
  t.ok(bin['secretguard'], 'the entry is the package bin');
  const files = new RegExp(hook?.files ?? '^$');
  t.same(['a.yaml', 'b.yml', 'c.json', 'README.md', 'x.ts'].filter((f) => files.test(f)), ['a.yaml', 'b.yml', 'c.json']);
  // pre-commit appends the staged file names to the entry.
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-precommit-'));
  writeFileSync(join(dir, 'a.yaml'), configMap);
  writeFileSync(join(dir, 'b.yaml'), key);
  const args = [...(hook?.entry.split(' ').slice(1) ?? [])];
  t.equal(runCli([...args, join(dir, 'a.yaml')]).code, 0, 'clean files pass');
  t.equal(runCli([...args, join(dir, 'a.yaml'), join(dir, 'b.yaml')]).code, 1, 'a sealing key blocks the commit');
});

t.test('action.yml: composite; sets up Node, scans to SARIF with the baseline input, uploads the SARIF even on failure', async (t) => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default: string }>;
    runs: { using: string; steps: { uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
  };
  t.equal(action.runs.using, 'composite');
  t.ok(action.inputs['baseline'] && action.inputs['paths']);
  const steps = action.runs.steps;
  t.match(steps[0]?.uses, /^actions\/setup-node@v\d+$/);
  const scan = steps.find((s) => s.run?.includes('secretguard') === true);
  const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@') === true);
  t.ok(scan && upload);
  t.match(scan?.run, '--format sarif --output secretguard.sarif');
  t.match(scan?.run, '--baseline "$SG_BASELINE"');
  t.equal(scan?.env?.['SG_BASELINE'], '${{ inputs.baseline }}', 'inputs reach the script through env, never spliced into it');
  t.notMatch(scan?.run, '${{', 'no expression in the script');
  t.equal(upload?.with?.['sarif_file'], 'secretguard.sarif');
  t.equal(upload?.if, 'always()');
  // The command the step builds, with a baseline, through the real CLI.
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-action-'));
  writeFileSync(join(dir, 'b.yaml'), key);
  const baseline = join(dir, 'baseline.json.txt');
  t.equal(runCli(['scan', '--write-baseline', baseline, dir]).code, 0);
  const out = join(dir, 'secretguard.sarif');
  t.equal(runCli(['scan', '--format', 'sarif', '--output', out, '--fail-on', 'deny', '--baseline', baseline, dir]).code, 0);
  t.equal((JSON.parse(readFileSync(out, 'utf8')) as { version: string }).version, '2.1.0');
});

t.test('docs/ci.md: the GitLab CI job runs the scan with a JUnit report artifact', async (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'ci.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## GitLab CI'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const job = (parse(block) as Record<string, { image: string; script: string[]; artifacts: { when: string; reports: { junit: string } } }>)['secretguard'];
  t.ok(job);
  t.match(job?.image, /^node:2\d/);
  const command = job?.script[0] ?? '';
  t.match(command, /^npx --yes secretguard scan /);
  const args = command.replace(/^npx --yes secretguard /, '').split(' ');
  const report = args[args.indexOf('--output') + 1] ?? '';
  t.equal(job?.artifacts.reports.junit, report);
  t.equal(job?.artifacts.when, 'always', 'the report is kept when the scan fails');
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-gitlab-'));
  writeFileSync(join(dir, 'b.yaml'), key);
  t.equal(runCli(args, undefined, dir).code, 1);
  t.ok(existsSync(join(dir, report)));
  t.match(readFileSync(join(dir, report), 'utf8'), /<testsuites name="secretguard"/);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const piece of ['GitHub Action', 'pre-commit', 'GitLab CI']) t.match(readme, piece, `README names ${piece}`);
});
