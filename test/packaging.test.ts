// What `npm pack` ships (issue 17): dist/ built by prepack even from a fresh clone, source maps that carry
// their sources (the .ts files are not shipped), and the LICENSE that package.json names.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/cli.js';

interface PackedFile {
  path: string;
}
interface PackResult {
  files: PackedFile[];
}

function npm(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'error' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function packedPaths(stdout: string): string[] {
  const [result] = JSON.parse(stdout) as PackResult[];
  return (result?.files ?? []).map((file) => file.path).sort();
}

t.test('a fresh clone packs a built CLI: prepack runs the build', async (t) => {
  // The tracked files only, as a clone has them: no dist/.
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(listed.status, 0, 'git ls-files');
  const clone = mkdtempSync(join(tmpdir(), 'secretguard-pack-'));
  t.teardown(() => {
    rmSync(clone, { recursive: true, force: true });
  });
  for (const file of listed.stdout.split('\0').filter((f) => f !== '')) {
    cpSync(join(ROOT, file), join(clone, file), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const packed = npm(['pack', '--dry-run', '--json'], clone);
  t.equal(packed.status, 0, packed.stderr);
  const paths = packedPaths(packed.stdout.slice(packed.stdout.indexOf('[')));
  t.ok(paths.includes('dist/src/cli/main.js'), 'the bin is shipped');
  t.ok(paths.includes('LICENSE'), 'LICENSE is shipped');
  t.same(
    paths.filter((p) => !p.startsWith('dist/src/')),
    ['LICENSE', 'README.md', 'package.json'],
    'nothing but dist/src, the README, the LICENSE and package.json',
  );
});

t.test('shipped source maps carry the sources they point at', async (t) => {
  const packed = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
  t.equal(packed.status, 0, packed.stderr);
  const maps = packedPaths(packed.stdout).filter((p) => p.endsWith('.js.map'));
  t.ok(maps.length > 50, `${maps.length} maps`);
  const missing = maps.filter((map) => {
    const parsed = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    return parsed.sourcesContent?.length !== parsed.sources.length || parsed.sourcesContent.some((s) => typeof s !== 'string' || s === '');
  });
  t.same(missing, [], 'every map inlines its sources');
});

t.test('LICENSE is the Apache License 2.0 that package.json declares', async (t) => {
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  t.match(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
  t.match(license, /END OF TERMS AND CONDITIONS/);
  t.equal((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license, 'Apache-2.0');
});
