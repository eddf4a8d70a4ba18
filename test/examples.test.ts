import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { collectFiles } from '../src/manifests/load.js';
import { ROOT, runCli } from './helpers/cli.js';

/**
 * The examples are a contract: every `# expect: <rule-id> <field>` line in a file is one finding
 * `secretguard scan` must report for that file, and nothing else may be reported. Directories with
 * their own `secretguard.yaml` are scanned alone with that config; the rest are scanned together.
 */
const examples = join(ROOT, 'examples');

function expectations(files: readonly string[]): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const wanted = lines.flatMap((line) => {
      const match = /^\s*#\s*expect:\s*(\S+)\s+(\S*)\s*$/.exec(line);
      return match ? [`${match[1] ?? ''} ${match[2] ?? ''}`] : [];
    });
    expected.set(relative(ROOT, file), wanted.sort());
  }
  return expected;
}

interface JsonReport {
  findings: { ruleId: string; field: string; file: string; action: string }[];
}

function check(name: string, paths: string[], config: string | undefined): void {
  t.test(name, async (t) => {
    const args = ['scan', '--format', 'json', ...(config ? ['--config', relative(ROOT, config)] : []), ...paths.map((p) => relative(ROOT, p))];
    const result = runCli(args);
    t.not(result.code, 2, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    const files = collectFiles(paths).filter((f) => !f.endsWith('secretguard.yaml'));
    const wanted = expectations(files);
    const actual = new Map<string, string[]>([...wanted.keys()].map((file) => [file, []]));
    for (const finding of report.findings) actual.get(finding.file)?.push(`${finding.ruleId} ${finding.field}`);
    for (const [file, expected] of wanted) t.same((actual.get(file) ?? []).sort(), expected, file);
    t.same(report.findings.filter((f) => !wanted.has(f.file)).map((f) => f.file), [], 'no findings outside the scanned files');
  });
}

const separate = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(examples, entry.name, 'secretguard.yaml')))
  .map((entry) => join(examples, entry.name));
const shared = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !separate.includes(join(examples, entry.name)))
  .map((entry) => join(examples, entry.name));

check('examples (default config)', shared, undefined);
for (const directory of separate) check(`examples/${relative(examples, directory)} (its own config)`, [directory], join(directory, 'secretguard.yaml'));

t.test('good examples are clean', async (t) => {
  const files = collectFiles([join(examples, 'good')]);
  t.ok(files.length > 0);
  for (const file of files) t.notMatch(readFileSync(file, 'utf8'), /#\s*expect:/, `${relative(ROOT, file)} plants nothing`);
});
