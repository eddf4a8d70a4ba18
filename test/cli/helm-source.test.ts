// `helm template … | secretguard scan -` names the template files (issue 17): the `# Source:` comment of each
// document becomes the finding's file, and lines count from the template's first line, in every format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { helmOrSkip, runHelm } from '../chart/helm.js';
import { ROOT, runCli } from '../helpers/cli.js';

const CHART = join(ROOT, 'test', 'fixtures', 'helm-source', 'app');
const CANARY = 'Zx9canaryHelmQ7wLmP2vRtK';

interface JsonReport {
  findings: { ruleId: string; file: string; line: number }[];
}

/** What helm template prints for the fixture chart, written out as helm writes it. */
function handRendered(): string {
  const template = (name: string): string =>
    readFileSync(join(CHART, 'templates', name), 'utf8')
      .replaceAll('{{ .Release.Name }}', 'demo')
      .replaceAll('{{ .Release.Namespace }}', 'shop')
      .replaceAll('{{ .Values.password | quote }}', `"${CANARY}"`);
  return ['secret.yaml', 'configmap.yaml', 'service.yaml'].map((name) => `---\n# Source: app/templates/${name}\n${template(name)}`).join('');
}

const located = (stdout: string): string[] => (JSON.parse(stdout) as JsonReport).findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`);
const EXPECTED = ['app/templates/secret.yaml:7:no-plaintext-secret', 'app/templates/configmap.yaml:9:no-credential-in-configmap'];

t.test('findings on stdin point at the templates, in text, JSON, SARIF and github output', async (t) => {
  const stream = handRendered();
  t.same(located(runCli(['scan', '-f', 'json', '-'], stream).stdout), EXPECTED);
  const text = runCli(['scan', '-'], stream);
  t.match(text.stdout, /^app\/templates\/secret\.yaml:7: deny \[no-plaintext-secret\]/);
  t.notOk(text.stdout.includes('<stdin>'), 'no <stdin>:N left');
  const sarif = JSON.parse(runCli(['scan', '-f', 'sarif', '--source-prefix', 'charts/', '-'], stream).stdout) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
  };
  t.same(
    sarif.runs[0]?.results.map((r) => `${r.locations[0]?.physicalLocation.artifactLocation.uri}:${r.locations[0]?.physicalLocation.region.startLine}`),
    ['charts/app/templates/secret.yaml:7', 'charts/app/templates/configmap.yaml:9'],
    '--source-prefix makes the paths repository paths for code scanning',
  );
  t.match(runCli(['scan', '-f', 'github', '-'], stream).stdout, /^::error file=app\/templates\/secret\.yaml,line=7,/);
  for (const output of [text.stdout, JSON.stringify(sarif)]) t.notOk(output.includes(CANARY));
});

t.test('only the comment at a document head counts, and only on stdin', async (t) => {
  // A `# Source:` further down is a comment like any other; a URL is no template path.
  const stream = handRendered()
    .replace('# Source: app/templates/configmap.yaml\n', '# Source: https://example.com/upstream.yaml\n')
    .replace('# Source: app/templates/secret.yaml\napiVersion: v1\n', 'apiVersion: v1\n# Source: app/templates/elsewhere.yaml\n');
  t.same(located(runCli(['scan', '-f', 'json', '-'], stream).stdout), ['<stdin>:9:no-plaintext-secret', '<stdin>:20:no-credential-in-configmap']);
  // A committed file of rendered output keeps its own name: the templates may not be in this repository.
  const file = join(ROOT, 'test', 'fixtures', 'helm-source', 'rendered.yaml');
  t.same(located(runCli(['scan', '-f', 'json', file], undefined, ROOT).stdout), [`${file}:9:no-plaintext-secret`, `${file}:20:no-credential-in-configmap`]);
  t.equal(readFileSync(file, 'utf8'), handRendered(), 'the committed file is the same stream');
});

t.test('an unreadable template document is reported at its template line', async (t) => {
  const stream = handRendered().replace('  color: blue\n', '  color: "blue\n');
  const result = runCli(['scan', '-'], stream);
  t.equal(result.code, 1);
  t.match(result.stdout, /^app\/templates\/configmap\.yaml:\d+: error \[unreadable-manifest\] YAML syntax error/);
});

t.test('real helm template output maps to the chart templates', async (t) => {
  const helm = helmOrSkip(t);
  if (helm === undefined) return;
  const rendered = runHelm(helm, ['template', 'demo', CHART, '--namespace', 'shop']);
  t.equal(rendered.code, 0, rendered.stderr);
  t.match(rendered.stdout, /^# Source: app\/templates\/secret\.yaml$/m, 'helm writes the comments this relies on');
  t.same(located(runCli(['scan', '-f', 'json', '-'], rendered.stdout).stdout), EXPECTED);
});
