import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import t from 'tap';

// Compiled to dist/test/examples/; the repository root is three levels up.
const root = join(import.meta.dirname, '..', '..', '..');
const dir = join(root, 'examples/multi-tenant');

function yamlFiles(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const full = join(path, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return entry.name.endsWith('.yaml') && entry.name !== 'secretguard.yaml' ? [full] : [];
  });
}

t.test('secretguard scan examples/multi-tenant reports exactly the # expect: lines', async (t) => {
  const expected: string[] = [];
  for (const file of yamlFiles(dir)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^# expect: (\S+) (\S+)\s*$/.exec(line);
      if (match) expected.push(`${relative(dir, file)} ${match[1] ?? ''} ${match[2] ?? ''}`);
    }
  }
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, [join(root, 'dist/src/cli/main.js'), 'scan', dir, '--config', join(dir, 'secretguard.yaml'), '--format', 'json'], { encoding: 'utf8' });
  } catch (error) {
    // A scan with denials exits non-zero; its report is still on stdout.
    const out = (error as { stdout?: unknown }).stdout;
    stdout = typeof out === 'string' ? out : '';
  }
  const report = JSON.parse(stdout) as { findings: { ruleId: string; field: string; file: string }[] };
  const actual = report.findings.map((f) => `${relative(dir, resolve(root, f.file))} ${f.ruleId} ${f.field}`);
  t.same(actual.sort(), expected.sort());
});
