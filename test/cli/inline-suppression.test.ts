// `# secretguard:ignore <rule-id> -- <reason>` (issue 17): honoured only behind the objectExemptions gate, counted
// in the summary, listed with --show-suppressed in every format; never for isolation rules, never without a
// reason, never across documents; canary values never printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { runCli } from '../helpers/cli.js';

const CANARY = 'Zx9canaryQ7wLmP2vRtK';
const CONFIG = `apiVersion: secretguard.io/v1alpha1
kind: SecretGuardConfig
objectExemptions:
  allowedRules: [no-credential-in-configmap, no-plaintext-secret]
`;
const configMap = (name: string, head = '') =>
  `${head}apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n  DB_PASSWORD: "${CANARY}-${name}"\n`;
const borrowedStore = (head: string) => `${head}apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: borrowed
  namespace: team-a
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: team-a
      auth:
        kubernetes:
          mountPath: kubernetes
          role: team-a
          serviceAccountRef:
            name: deployer
            namespace: team-b
`;

function repo(files: Record<string, string>, config = CONFIG): string {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-suppress-'));
  writeFileSync(join(dir, '.secretguard.yaml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

interface JsonReport {
  findings: { ruleId: string; action: string; file: string; line: number; message: string }[];
  suppressed?: { ruleId: string; line: number; justification: string }[];
  summary: { resources: number; deny: number; warn: number; suppressed: number };
}

const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;

t.test('an allowed rule with a reason is suppressed, counted, and listed on request in every format', async (t) => {
  const dir = repo({ 'cm.yaml': configMap('app', '# secretguard:ignore no-credential-in-configmap -- dummy value for the demo\n') });
  const text = runCli(['scan', dir]);
  t.equal(text.code, 0, 'nothing left that fails');
  t.equal(text.stdout, '1 resource scanned: 0 deny, 0 warn, 0 audit, 0 error, 1 suppressed\n');
  const listed = runCli(['scan', '--show-suppressed', dir]);
  t.equal(listed.code, 0);
  t.match(listed.stdout, new RegExp(`^${join(dir, 'cm.yaml')}:8: suppressed \\[no-credential-in-configmap\\] .* -- dummy value for the demo\n`));
  const report = json(runCli(['scan', '-f', 'json', '--show-suppressed', dir]).stdout);
  t.same(report.findings, []);
  t.same(report.suppressed?.map((s) => [s.ruleId, s.line, s.justification]), [['no-credential-in-configmap', 8, 'dummy value for the demo']]);
  t.equal(report.summary.suppressed, 1);
  t.notOk('suppressed' in json(runCli(['scan', '-f', 'json', dir]).stdout), 'the list only on request');
  const sarif = JSON.parse(runCli(['scan', '-f', 'sarif', '--show-suppressed', dir]).stdout) as {
    runs: { results: { ruleId: string; suppressions?: { kind: string; justification: string }[] }[] }[];
  };
  t.same(sarif.runs[0]?.results.map((r) => [r.ruleId, r.suppressions]), [['no-credential-in-configmap', [{ kind: 'inSource', justification: 'dummy value for the demo' }]]]);
  const plainSarif = JSON.parse(runCli(['scan', '-f', 'sarif', dir]).stdout) as { runs: { results: unknown[] }[] };
  t.same(plainSarif.runs[0]?.results, [], 'SARIF without the flag has no suppressed results');
  t.match(runCli(['scan', '-f', 'github', '--show-suppressed', dir]).stdout, /^::notice file=.*cm\.yaml,line=8,title=no-credential-in-configmap::suppressed: /);
  t.equal(runCli(['scan', '-f', 'github', dir]).stdout, '');
  for (const output of [text.stdout, listed.stdout, runCli(['scan', '-f', 'sarif', '--show-suppressed', dir]).stdout]) {
    t.notOk(output.includes(CANARY), 'the value is never printed');
  }
});

t.test('variants of the comment: several ids, spacing, CRLF, and a comment anywhere in the document', async (t) => {
  const cases: Record<string, string> = {
    'ids.yaml': configMap('ids', '#secretguard:ignore   no-plaintext-secret,no-credential-in-configmap  --   two rules\n'),
    'crlf.yaml': configMap('crlf', '# secretguard:ignore no-credential-in-configmap -- windows line ends\n').replaceAll('\n', '\r\n'),
    'inside.yaml': configMap('inside').replace('data:\n', 'data:\n  # secretguard:ignore no-credential-in-configmap -- next to the key\n'),
    'after-marker.yaml': `---\n${configMap('after', '# secretguard:ignore no-credential-in-configmap -- after the marker\n')}`,
  };
  const dir = repo(cases);
  const report = json(runCli(['scan', '-f', 'json', dir]).stdout);
  t.same(report.findings, [], 'nothing reported');
  t.equal(report.summary.suppressed, 4);
});

t.test('refused: not allowed, isolation, no reason, unknown or malformed ids; the findings stay and the comment warns', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['not-allowed.yaml', configMap('a', '# secretguard:ignore no-credential-in-configmap -- reason\n'), /is not in objectExemptions\.allowedRules/],
    ['no-reason.yaml', configMap('b', '# secretguard:ignore no-credential-in-configmap\n'), /gives no reason after --/],
    ['empty-reason.yaml', configMap('c', '# secretguard:ignore no-credential-in-configmap --   \n'), /gives no reason after --/],
    ['unknown.yaml', configMap('d', '# secretguard:ignore no-such-rule -- reason\n'), /no-such-rule is not honoured: no such rule/],
    ['malformed.yaml', configMap('e', '# secretguard:ignore No_Credential!! -- reason\n'), /a secretguard:ignore comment is not honoured: write the rule ids/],
    ['bare.yaml', configMap('f', '# secretguard:ignore\n'), /a secretguard:ignore comment is not honoured/],
  ];
  // The config allows nothing for the first case; the others run under the config that allows it.
  const strict = repo({ [cases[0]![0]]: cases[0]![1] }, 'apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n');
  const loose = repo(Object.fromEntries(cases.slice(1).map(([name, text]) => [name, text])));
  for (const [name, , reason] of cases) {
    const dir = name === cases[0]![0] ? strict : loose;
    const report = json(runCli(['scan', '-f', 'json', dir]).stdout);
    const inFile = report.findings.filter((f) => f.file.endsWith(`/${name}`));
    t.ok(inFile.some((f) => f.ruleId === 'no-credential-in-configmap' && f.action === 'deny'), `${name}: the finding stays`);
    const warning = inFile.find((f) => f.ruleId === 'inline-suppression');
    t.equal(warning?.action, 'warn', `${name}: the comment warns`);
    t.equal(warning?.line, 1, `${name}: at the comment's line`);
    t.match(warning?.message ?? '', reason, name);
  }
  const result = runCli(['scan', loose]);
  t.equal(result.code, 1, 'the run still fails');
  t.notOk(result.stdout.includes(CANARY));
});

t.test('an isolation rule is never suppressed, whatever the comment', async (t) => {
  const dir = repo({ 'store.yaml': borrowedStore('# secretguard:ignore secretstore-namespace-refs -- we share the deployer account\n') });
  const report = json(runCli(['scan', '-f', 'json', dir]).stdout);
  t.same(
    report.findings.map((f) => [f.ruleId, f.action]),
    [
      ['inline-suppression', 'warn'],
      ['secretstore-namespace-refs', 'deny'],
    ],
  );
  t.match(report.findings[0]?.message ?? '', /tenant isolation rules cannot be exempted/);
  t.equal(report.summary.suppressed, 0);
  // Listing it in the config is refused outright: exit 2 with the reason.
  const config = CONFIG.replace('no-plaintext-secret]', 'no-plaintext-secret, secretstore-namespace-refs]');
  const refused = runCli(['scan', repo({ 'store.yaml': borrowedStore('') }, config)]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /secretstore-namespace-refs is a tenant isolation rule/);
});

t.test('a comment reaches only its own document, and only whole-line comments count', async (t) => {
  const dir = repo({
    'two.yaml': `${configMap('first', '# secretguard:ignore no-credential-in-configmap -- only the first\n')}---\n${configMap('second')}`,
    'trailing.yaml': configMap('trailing').replace(`-trailing"`, `-trailing" # secretguard:ignore no-credential-in-configmap -- trailing`),
  });
  const report = json(runCli(['scan', '-f', 'json', dir]).stdout);
  t.same(
    report.findings.map((f) => `${f.file.slice(dir.length + 1)}:${f.line}:${f.ruleId}`),
    ['trailing.yaml:7:no-credential-in-configmap', 'two.yaml:16:no-credential-in-configmap'],
  );
  t.equal(report.summary.suppressed, 1);
});

t.test('--rule narrows the warnings; parallel and serial scans agree; a baseline leaves suppressed findings alone', async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) {
    files[`cm-${i}.yaml`] = configMap(`cm${i}`, i % 2 === 0 ? '# secretguard:ignore no-credential-in-configmap -- even ones\n' : '');
  }
  files['refused.yaml'] = configMap('r', '# secretguard:ignore no-plaintext-secret\n');
  const dir = repo(files);
  const serial = runCli(['scan', '-f', 'json', '--show-suppressed', dir], undefined, undefined, { SECRETGUARD_WORKERS: '1' });
  const parallel = runCli(['scan', '-f', 'json', '--show-suppressed', dir], undefined, undefined, { SECRETGUARD_WORKERS: '3' });
  t.equal(parallel.stdout, serial.stdout, 'byte-identical');
  t.equal(json(serial.stdout).summary.suppressed, 3);
  const narrowed = json(runCli(['scan', '-f', 'json', '-r', 'no-credential-in-configmap', dir]).stdout);
  t.notOk(narrowed.findings.some((f) => f.ruleId === 'inline-suppression'), 'the refusal for a rule not run is not shown');
  const baseline = join(dir, 'baseline.json');
  runCli(['scan', '--write-baseline', baseline, dir]);
  const after = runCli(['scan', '--baseline', baseline, dir]);
  t.equal(after.code, 0);
  t.match(after.stdout, /, 3 suppressed\n$/);
});
