/**
 * Accuracy sweep (docs/accuracy.md): runs the built CLI's `scan --format json` over each repository tree
 * under a root directory and tabulates files, resources and deny findings by rule.
 *
 *   node dist/scripts/sweep.js <root> [--mirrors <dir>] [--json <file>]
 *
 * Each directory under <root> is one repository, named `owner+repo`. With --mirrors, the commit is read
 * from `<mirrors>/owner+repo/repo` (a bare git directory). --json writes every finding's location, rule
 * and message (messages never quote a value) for labelling.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildEngine, loadEffectiveConfig } from '../src/setup.js';
import { collectFiles, readSource } from '../src/manifests/load.js';
import { scanManifests } from '../src/manifests/scan.js';

interface JsonFinding {
  ruleId: string;
  action: string;
  message: string;
  resource: { kind?: string; namespace?: string; name?: string };
  file: string;
  line: number;
  field?: string;
}

interface RepoResult {
  repo: string;
  commit: string;
  files: number;
  /** Files the CLI rejects (Helm templates, broken YAML, Chart.yaml): one stops a whole scan, so they are left out. */
  unparseable: number;
  resources: number;
  deny: Record<string, number>;
  warn: Record<string, number>;
  seconds: number;
  findings: (JsonFinding & { file: string })[];
}

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'src', 'cli', 'main.js');
const engine = buildEngine(loadEffectiveConfig(undefined));

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function commitOf(mirrors: string | undefined, name: string): string {
  if (mirrors === undefined) return '?';
  const gitDir = join(mirrors, name, 'repo');
  if (!existsSync(gitDir)) return '?';
  return execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
}

function sweepRepo(sweepRoot: string, name: string, mirrors: string | undefined): RepoResult {
  const tree = join(sweepRoot, name);
  const files = collectFiles([tree]);
  const parseable = files.filter((file) => {
    try {
      scanManifests(engine, { sources: [() => readSource(file)], clusterState: [], defaultNamespace: 'default' });
      return true;
    } catch {
      return false;
    }
  });
  const out = mkdtempSync(join(tmpdir(), 'sweep-'));
  const report = join(out, 'report.json');
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [cli, 'scan', ...parseable, '--format', 'json', '--output', report], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!existsSync(report)) throw new Error(`${name}: scan wrote no report (exit ${String(run.status)}): ${run.stderr.slice(0, 500)}`);
  const parsed = JSON.parse(readFileSync(report, 'utf8')) as { findings: JsonFinding[]; summary: { resources: number } };
  rmSync(out, { recursive: true, force: true });
  const deny: Record<string, number> = {};
  const warn: Record<string, number> = {};
  for (const finding of parsed.findings) {
    const table = finding.action === 'deny' || finding.action === 'error' ? deny : finding.action === 'warn' ? warn : undefined;
    if (table !== undefined) table[finding.ruleId] = (table[finding.ruleId] ?? 0) + 1;
  }
  return {
    repo: name.replace('+', '/'),
    commit: commitOf(mirrors, name),
    files: files.length,
    unparseable: files.length - parseable.length,
    resources: parsed.summary.resources,
    deny,
    warn,
    seconds,
    findings: parsed.findings.map((f) => ({ ...f, file: relative(sweepRoot, f.file) })),
  };
}

function table(results: readonly RepoResult[]): string {
  const rules = [...new Set(results.flatMap((r) => Object.keys(r.deny)))].sort();
  const lines = [
    `| repository@commit | files | unparseable | resources | deny | warn | ${rules.join(' | ')} |`,
    `|---|---:|---:|---:|---:|---:|${rules.map(() => '---:').join('|')}|`,
  ];
  const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);
  for (const r of results) {
    lines.push(`| ${r.repo}@${r.commit.slice(0, 12)} | ${r.files} | ${r.unparseable} | ${r.resources} | ${sum(r.deny)} | ${sum(r.warn)} | ${rules.map((id) => r.deny[id] ?? 0).join(' | ')} |`);
  }
  const total = (pick: (r: RepoResult) => number): number => results.reduce((a, r) => a + pick(r), 0);
  lines.push(
    `| **total** | ${total((r) => r.files)} | ${total((r) => r.unparseable)} | ${total((r) => r.resources)} | ${total((r) => sum(r.deny))} | ${total((r) => sum(r.warn))} | ${rules.map((id) => total((r) => r.deny[id] ?? 0)).join(' | ')} |`,
  );
  return lines.join('\n') + '\n';
}

const sweepRoot = process.argv[2];
if (sweepRoot === undefined || sweepRoot.startsWith('--')) {
  process.stderr.write('usage: node dist/scripts/sweep.js <root> [--mirrors <dir>] [--json <file>]\n');
  process.exit(2);
}
const mirrors = option('--mirrors');
const jsonPath = option('--json');
const names = readdirSync(sweepRoot, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.includes('+')).map((e) => e.name).sort();
const results: RepoResult[] = [];
for (const name of names) {
  const result = sweepRepo(sweepRoot, name, mirrors);
  process.stderr.write(`${result.repo}: ${result.files} files, ${result.resources} resources, ${result.seconds.toFixed(1)} s\n`);
  results.push(result);
}
process.stdout.write(table(results));
if (jsonPath !== undefined) writeFileSync(jsonPath, JSON.stringify(results, null, 2) + '\n');
