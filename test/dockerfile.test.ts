// Static checks of the Dockerfile (there is no Docker engine in CI): stages, base image, user, entrypoint,
// production dependencies only, and that the image copies exactly what `npm pack` ships.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from './helpers/cli.js';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending === '') start = index + 1;
    if (line.startsWith('#')) return;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (match?.[1] !== undefined) out.push({ keyword: match[1].toUpperCase(), args: match[2] ?? '', line: start });
  });
  return out;
}

function stages(instructions: readonly Instruction[]): Stage[] {
  const out: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/);
      out.push({ from: from ?? '', name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else out.at(-1)?.instructions.push(instruction);
  }
  return out;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const all = parseDockerfile(dockerfile);
const parsed = stages(all);
const runtime = parsed.at(-1);
const build = parsed.find((stage) => stage.name === 'build');

function only(stage: Stage | undefined, keyword: string): Instruction[] {
  return stage?.instructions.filter((i) => i.keyword === keyword) ?? [];
}

t.test('multi-stage: build with npm ci and tsc', async (t) => {
  t.ok(parsed.length >= 2, 'at least two stages');
  t.ok(build, 'a stage named build');
  const runs = only(build, 'RUN').map((i) => i.args);
  t.ok(runs.some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev')), 'npm ci with dev dependencies');
  t.ok(runs.some((r) => /\btsc\b/.test(r)), 'tsc');
});

t.test('runtime stage', async (t) => {
  t.ok(runtime);
  t.match(runtime?.from, /^node:(22|24)(\.\d+)*-(bookworm|trixie)-slim(@sha256:[a-f0-9]{64})?$/, 'a supported Node LTS image');
  const runs = only(runtime, 'RUN').map((i) => i.args);
  t.ok(runs.some((r) => /\bnpm ci\b.*--omit=dev/.test(r)), 'only production dependencies');
  t.notOk(runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'no npm install (lock file only)');
  const env = only(runtime, 'ENV').map((i) => i.args);
  t.ok(env.some((e) => /^NODE_ENV[= ]production$/.test(e)), 'NODE_ENV=production');
  const users = only(runtime, 'USER');
  t.equal(users.length, 1);
  const [uid, gid] = (users[0]?.args ?? '').split(':');
  t.match(uid, /^\d+$/, 'numeric user');
  t.not(uid, '0', 'not root');
  if (gid !== undefined) t.match(gid, /^\d+$/);
  t.ok(all.indexOf(users[0]!) > all.findLastIndex((i) => i.keyword === 'RUN'), 'USER after the last RUN');
  const entrypoints = only(runtime, 'ENTRYPOINT');
  t.equal(entrypoints.length, 1);
  const entry = JSON.parse(entrypoints[0]?.args ?? 'null') as unknown;
  t.same(entry, ['node', '/app/dist/src/cli/main.js', 'serve'], 'exec form: secretguard serve without a shell');
  t.same(only(runtime, 'CMD'), [], 'no CMD: the chart passes flags as args');
  t.notOk(all.some((i) => i.keyword === 'HEALTHCHECK'), 'no HEALTHCHECK (Kubernetes probes do that)');
  t.notOk(all.some((i) => i.keyword === 'ADD'), 'COPY, not ADD');
  t.same(only(runtime, 'EXPOSE').map((i) => i.args), ['8443 8080']);
});

/** Paths (in the build context or build stage) the runtime stage copies into /app. */
function runtimeCopies(): { sources: string[]; fromBuild: string[] } {
  const sources: string[] = [];
  const fromBuild: string[] = [];
  for (const copy of only(runtime, 'COPY')) {
    const words = copy.args.split(/\s+/);
    const fromStage = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    paths.pop(); // destination
    if (fromStage === undefined) sources.push(...paths);
    else {
      t.equal(fromStage, 'build');
      fromBuild.push(...paths.map((p) => p.replace(/^\/src\//, '')));
    }
  }
  return { sources, fromBuild };
}

t.test('the image copies exactly what npm pack ships (plus the lock file for npm ci)', async (t) => {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(pack.status, 0, pack.stderr);
  const files = (JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
  t.ok(files.some((f) => f === 'dist/src/cli/main.js'), 'the CLI is in the package (run npm run build first)');
  const { sources, fromBuild } = runtimeCopies();
  t.same(fromBuild, ['dist/src'], 'the compiled sources come from the build stage');
  t.same([...sources].sort(), ['LICENSE', 'README.md', 'package-lock.json', 'package.json']);

  // Top-level view of the package: a file, or the directory the image copies as a whole.
  const copied = new Set([...sources.filter((s) => s !== 'package-lock.json'), ...fromBuild]);
  const packed = new Set(files.map((f) => (f.startsWith('dist/src/') ? 'dist/src' : f)));
  t.same([...packed].sort(), [...copied].sort(), 'npm pack and the image agree');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };
  t.same([...pkg.files].sort(), ['LICENSE', 'README.md', 'dist/src'], 'package.json files lists what the image copies');
  t.equal(pkg.bin['secretguard'], 'dist/src/cli/main.js', 'ENTRYPOINT runs the package bin');
});

t.test('.dockerignore sends only what the build needs', async (t) => {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  t.equal(lines[0], '*', 'everything excluded first');
  const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
  const needed = new Set<string>();
  for (const stage of parsed) {
    for (const copy of only(stage, 'COPY')) {
      if (copy.args.includes('--from=')) continue;
      const paths = copy.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      paths.pop();
      for (const p of paths) needed.add(p.replace(/\/$/, ''));
    }
  }
  t.same([...allowed].sort(), [...needed].sort(), 'the allow-list is exactly what COPY uses');
});
