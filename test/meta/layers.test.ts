// The folder order the README promises (issue 19): Kubernetes knowledge at the bottom, then the cluster view,
// the config, the engine, the rules, and the front ends on top. A file may import its own folder or a lower
// one, never a higher one or a sibling of its rank; and no file imports itself back through a cycle.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cli.js';

/** Lower ranks are lower layers. Top-level files of src/ are named by their base name. */
export const LAYERS: Record<string, number> = {
  log: 0,
  detectors: 0,
  k8s: 1,
  cluster: 2,
  config: 3,
  engine: 4,
  rules: 5,
  mutators: 5,
  setup: 6,
  manifests: 7,
  certs: 7,
  admission: 8,
  report: 8,
  fix: 8,
  audit: 9,
  server: 10,
  cli: 11,
};

const SRC = path.join(ROOT, 'src');
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function folderOf(file: string): string {
  const [first = '', ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? path.basename(first, '.ts') : first;
}

const files = sourceFiles(SRC);
const imports = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? '';
    targets.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  imports.set(file, targets);
}

t.test('every folder of src/ has a layer', async (t) => {
  const folders = [...new Set(files.map(folderOf))].sort();
  t.same(folders.filter((folder) => LAYERS[folder] === undefined), [], `folders without a layer: add them to LAYERS (${folders.join(', ')})`);
});

t.test('no import from a lower layer to a higher one, or between two folders of one layer', async (t) => {
  const violations: string[] = [];
  for (const [file, targets] of imports) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (from === to) continue;
      const fromRank = LAYERS[from] ?? -1;
      const toRank = LAYERS[to] ?? Number.POSITIVE_INFINITY;
      if (toRank >= fromRank) violations.push(`${path.relative(ROOT, file)} (${from}) imports ${path.relative(ROOT, target)} (${to})`);
    }
  }
  t.same(violations, [], 'imports that break the folder order');
  t.ok(imports.size > 50, `read the imports of ${imports.size} files`);
});

t.test('no circular imports', async (t) => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of imports.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].map((f) => path.relative(SRC, f)).join(' -> '));
      else if (state.get(target) === undefined && imports.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of imports.keys()) if (state.get(file) === undefined) visit(file);
  t.same(cycles, [], 'import cycles');
});
