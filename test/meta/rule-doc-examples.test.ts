// The examples on the rule pages run, as ESLint's check-rule-examples runs its docs (issue 19): every YAML block
// under "## Bad" is scanned as a manifest and must give findings of the page's rule (and, where a ```text
// block follows it, exactly those messages); every YAML block under "## Fixed" must give none. The pages
// cannot drift from the rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { scanManifests, type ScanFinding } from '../../src/manifests/scan.js';
import { allRules } from '../../src/rules/registry.js';
import { buildEngine } from '../../src/setup.js';
import { parseConfig } from '../../src/config/load.js';
import { allMutators } from '../../src/mutators/registry.js';
import { ROOT } from '../helpers/cli.js';

interface Example {
  section: 'Bad' | 'Fixed';
  yaml: string;
  /** The messages the page prints after the YAML, one per line. */
  messages: string[] | undefined;
  line: number;
}

/** The fenced blocks of the Bad and Fixed sections, each YAML block with the text block right after it. */
function examplesOf(markdown: string): Example[] {
  const examples: Example[] = [];
  let section: Example['section'] | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    // A `## Bad` / `## Fixed` heading, or a line opening with `Bad …:` / `Fixed …:`, opens a section; any other heading or a
    // paragraph line such as `Options: …` closes it.
    const heading = /^## (.+)$/.exec(line) ?? /^(Bad|Fixed)\b[^:]*:/.exec(line);
    if (heading !== null) {
      section = heading[1] === 'Bad' || heading[1] === 'Fixed' ? heading[1] : undefined;
      continue;
    }
    if (/^[A-Z][\w ]*:/.test(line)) section = undefined;
    if (section === undefined || !/^```(yaml|text)\s*$/.test(line)) continue;
    const language = line.slice(3).trim();
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    const body = lines.slice(start, end).join('\n') + '\n';
    if (language === 'yaml') examples.push({ section, yaml: body, messages: undefined, line: start });
    else {
      const last = examples[examples.length - 1];
      if (last?.section === section && last.messages === undefined) last.messages = body.split('\n').filter((l) => l !== '');
    }
    i = end;
  }
  return examples;
}

/** A page may open its examples with the config they need: `<!-- example-config: {yaml flow mapping} -->`. */
function configOf(markdown: string): string {
  const match = /<!-- example-config\n([\s\S]*?)-->/.exec(markdown);
  return `apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n${match?.[1] ?? ''}`;
}

/**
 * A finding as the page shows it: the message, or `file:line: action message` where the page prints text
 * output that way; cut where the page's line ends in `…`.
 */
function shownAs(finding: ScanFinding, pageLine: string | undefined): string {
  const asText = pageLine !== undefined && /^\S+:\d+: (?:deny|warn|audit|error) \[/.test(pageLine);
  const shown = asText ? `${finding.file}:${finding.line}: ${finding.action} ${finding.message}` : finding.message;
  if (pageLine?.endsWith('…') !== true) return shown;
  const prefix = pageLine.slice(0, -1).trimEnd();
  return shown.startsWith(prefix) ? pageLine : shown;
}

for (const rule of allRules) {
  const id = rule.meta.id;
  const markdown = readFileSync(join(ROOT, 'docs', 'rules', `${id}.md`), 'utf8');
  const examples = examplesOf(markdown);
  if (examples.length === 0) continue;
  t.test(`docs/rules/${id}.md: the examples run`, async (t) => {
    const engine = buildEngine(parseConfig(configOf(markdown), `docs/rules/${id}.md`, allRules, allMutators));
    for (const example of examples) {
      const where = `${example.section} example at line ${example.line}`;
      // A block may open with the file it stands for (`# apps/prod/kustomization.yaml`): the name some rules read.
      const named = /^# (\S+\.ya?ml)\n/.exec(example.yaml)?.[1];
      const report = scanManifests(engine, {
        sources: [() => ({ name: named ?? 'example.yaml', text: example.yaml })],
        clusterState: [],
        defaultNamespace: 'default',
        only: new Set([id]),
      });
      const own = report.findings.filter((f) => f.ruleId === id);
      const messages = own.map((f) => f.message);
      t.same(report.findings.filter((f) => f.ruleId === 'unreadable-manifest'), [], `${where}: parses`);
      if (example.section === 'Fixed') t.same(messages, [], `${where}: no finding`);
      else if (example.messages !== undefined) {
        t.same(own.map((f, i) => shownAs(f, example.messages?.[i])), example.messages, `${where}: the messages printed on the page`);
      }
      else t.ok(messages.length > 0, `${where}: at least one finding`);
    }
  });
}

t.test('every rule page shows a Bad example the test runs (manifests are CREATEs: a rule of updates only is exempt)', async (t) => {
  const missing = allRules
    .filter((rule) => rule.meta.match.operations?.includes('CREATE') ?? true)
    .map((rule) => rule.meta.id)
    .filter((id) => !examplesOf(readFileSync(join(ROOT, 'docs', 'rules', `${id}.md`), 'utf8')).some((e) => e.section === 'Bad'));
  t.same(missing, []);
});

t.test('the example extractor finds Bad and Fixed blocks with their messages', async (t) => {
  const page = '## Bad\n\n```yaml\na: 1\n```\n\n```text\n[x] one\n[x] two\n```\n\n## Fixed\n\n```yaml\nb: 2\n```\n\n## Options\n\n```yaml\nc: 3\n```\n';
  t.same(examplesOf(page), [
    { section: 'Bad', yaml: 'a: 1\n', messages: ['[x] one', '[x] two'], line: 3 },
    { section: 'Fixed', yaml: 'b: 2\n', messages: undefined, line: 14 },
  ]);
  const inline = 'Bad:\n```yaml\na: 1\n```\nFixed:\n```yaml\nb: 2\n```\nOptions: `x`.\n```yaml\nc: 3\n```\n';
  t.same(examplesOf(inline).map((e) => [e.section, e.yaml]), [['Bad', 'a: 1\n'], ['Fixed', 'b: 2\n']]);
});
