import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { buildEngine, loadEffectiveConfig } from '../setup.js';
import type { Engine } from '../engine/engine.js';
import type { Action } from '../engine/types.js';
import { collectInputs, parseManifests, readSource, unlessUnreadable, type ManifestSource, type SkippedInput } from '../manifests/load.js';
import { planParallelScan, scanFilesInParallel } from '../manifests/parallel.js';
import type { ClusterIndex } from '../cluster/cluster-index.js';
import type { ClusterView } from '../cluster/view.js';
import { buildView, checkSources, type ScanReport } from '../manifests/scan.js';
import { formatJson } from '../report/json.js';
import { formatGithub } from '../report/github.js';
import { formatJunit } from '../report/junit.js';
import { formatSarif } from '../report/sarif.js';
import { formatSkipped } from '../report/skipped.js';
import { formatText } from '../report/text.js';
import { allRules } from '../rules/registry.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './exit.js';
import { applyBaseline, writeBaseline } from './baseline.js';
import { progressFor } from './progress.js';
import { VERSION } from './version.js';
import { checkRuleIds, collect, type ReportCommandOptions } from './options.js';

interface ScanCommandOptions extends ReportCommandOptions {
  format: 'text' | 'json' | 'sarif' | 'junit' | 'github';
  namespace: string;
  clusterState?: string[];
  fix?: boolean;
  dryRun?: boolean;
  exclude?: string[];
  baseline?: string;
  writeBaseline?: string;
  exitCode?: boolean;
  showSuppressed?: boolean;
  sourcePrefix: string;
}

export function failingActions(failOn: 'warn' | 'deny'): (action: Action) => boolean {
  return (action) => action === 'deny' || action === 'error' || (failOn === 'warn' && action === 'warn');
}

/** Sources for paths, `-` meaning standard input (read once, kept for line look-ups). */
export function sourcesFor(paths: readonly string[]): (() => ManifestSource)[] {
  return inputsFor(paths, []).sources;
}

interface Inputs {
  sources: (() => ManifestSource)[];
  /** The files among the sources (not stdin), in order. */
  files: string[];
  skipped: SkippedInput[];
}

/**
 * Sources for the paths in the order given, with what the directory walk recognised and skipped. Standard input
 * is read as `helm template` output: `# Source:` comments (behind `sourcePrefix`) name the files of its findings.
 */
function inputsFor(paths: readonly string[], exclude: readonly string[], sourcePrefix?: string): Inputs {
  const inputs: Inputs = { sources: [], files: [], skipped: [] };
  let stdin: ManifestSource | undefined;
  for (const path of paths) {
    if (path === '-') {
      const mapped = sourcePrefix === undefined ? {} : { sourceCommentPrefix: sourcePrefix };
      inputs.sources.push(() => (stdin ??= { name: '<stdin>', text: readFileSync(0, 'utf8'), ...mapped }));
      continue;
    }
    const collected = collectInputs([path], { exclude });
    inputs.files.push(...collected.files);
    inputs.skipped.push(...collected.skipped);
    for (const file of collected.files) inputs.sources.push(() => readSource(file));
  }
  return inputs;
}


/** Whether the last runFix changed (or, with --dry-run, would change) a file. */
let changed = false;

/**
 * `--fix`, a step at the start of the scan: rewrite the files (or print the diff), judged against the scan's
 * own view; returns the sources the scan then checks, holding the fixed texts.
 */
async function runFix(engine: Engine, sources: readonly (() => ManifestSource)[], view: ClusterView, options: ScanCommandOptions): Promise<(() => ManifestSource)[]> {
  // Loaded only for --fix: the fixer brings the `yaml` package, which a plain scan does not need at start-up.
  const [{ fixManifests }, { unifiedDiff }, { formatFixSummary }] = await Promise.all([
    import('../fix/apply.js'),
    import('../fix/diff.js'),
    import('../fix/summary.js'),
  ]);
  // A file that cannot be read or parsed is left alone; the scan reports it.
  const parsed = sources.flatMap((read) => {
    const source = unlessUnreadable(read);
    return source !== undefined && unlessUnreadable(() => parseManifests(source)) !== undefined ? [source] : [];
  });
  const fixes = fixManifests(engine, { sources: parsed, view, defaultNamespace: options.namespace });
  const fixed = new Map(fixes.map((fix) => [fix.file, fix.after]));
  const dryRun = options.dryRun === true;
  for (const fix of fixes) {
    // git's a/ b/ prefixes, without doubling the slash of an absolute path.
    const name = fix.file.replace(/^\/+/, '');
    if (dryRun) process.stdout.write(unifiedDiff(fix.before, fix.after, `a/${name}`, `b/${name}`));
    else writeFileSync(fix.file, fix.after);
  }
  process.stderr.write(formatFixSummary(fixes, dryRun));
  changed = fixes.some((fix) => fix.before !== fix.after);
  return sources.map((read) => () => {
    const source = read();
    return { ...source, text: fixed.get(source.name) ?? source.text };
  });
}

/** The config file a scan uses: `-c`, else the nearest `.secretguard.yaml` from the scan root upward. */
export function discoverConfig(explicit: string | undefined, paths: readonly string[]): string | undefined {
  if (explicit !== undefined) return explicit;
  const first = paths.find((path) => path !== '-');
  let directory = resolve(first === undefined ? '.' : first);
  if (first !== undefined && !isDirectory(directory)) directory = dirname(directory);
  for (;;) {
    const candidate = join(directory, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

const CONFIG_FILE = '.secretguard.yaml';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** FORCE_COLOR (not 0/false) forces colour, as in Node and chalk; otherwise a TTY without NO_COLOR. */
function colorWanted(env: NodeJS.ProcessEnv, tty: boolean): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  return tty && env['NO_COLOR'] === undefined;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('check manifests offline with the same rules as the webhook (`-` reads stdin)')
    .argument('[paths...]', 'files, directories (recursive *.yaml, *.yml, *.json) or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'junit', 'github']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'SecretGuardConfig file (default: the nearest .secretguard.yaml from the scan root upward, else the embedded defaults)')
    .option('-r, --rule <id>', 'run only this rule (repeatable)', collect)
    .addOption(new Option('--fail-on <level>', 'lowest action that fails the run').choices(['warn', 'deny']).default('deny'))
    .option('-q, --quiet', 'print only failing findings and no summary')
    .option('--no-color', 'never colour the text output')
    .option('-n, --namespace <namespace>', 'namespace for namespaced objects that name none', 'default')
    .option('--cluster-state <path>', 'manifests describing the cluster (kubectl get … -o yaml); repeatable', collect)
    .option('--exclude <glob>', 'skip paths matching this gitignore-style pattern (repeatable); .secretguardignore is read too', collect)
    .option('--baseline <file>', 'ignore the findings recorded in this baseline; new ones still fail, stale entries are listed')
    .option('--write-baseline <file>', 'record every current finding in this baseline file (then they no longer fail)')
    .option('--fix', 'apply every enabled mutator to the files in place (not stdin), then scan the result')
    .option('--dry-run', 'with --fix: print a unified diff instead of writing the files')
    .option('--exit-code', 'with --fix --dry-run: exit 1 when there is a diff, as git diff --exit-code does')
    .option('--show-suppressed', 'also list the findings that # secretguard:ignore comments suppressed, with their reasons')
    .option('--source-prefix <path>', 'for helm template output on stdin: put this path before the # Source: template paths', '')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      if (paths.length === 0) throw new UsageError('no input: give files, directories, or - for standard input');
      const configPath = discoverConfig(options.config, paths);
      const config = loadEffectiveConfig(configPath);
      checkRuleIds(options.rule);
      const engine = buildEngine(config);
      if (options.dryRun === true && options.fix !== true) throw new UsageError('--dry-run needs --fix');
      if (options.exitCode === true && options.dryRun !== true) throw new UsageError('--exit-code needs --fix --dry-run');
      if (options.fix === true && paths.includes('-')) throw new UsageError('--fix rewrites files and cannot read standard input');
      const clusterState = sourcesFor(options.clusterState ?? []);
      const inputs = inputsFor(paths, options.exclude ?? [], options.sourcePrefix);
      const only = options.rule !== undefined ? { only: new Set(options.rule) } : {};
      const progress = options.quiet === true ? undefined : progressFor(process.stderr, process.env);
      const onProgress = progress === undefined ? {} : { onProgress: progress.add };
      // One pipeline: pass one builds the view, --fix (if asked) rewrites the inputs against it, pass two checks
      // them, in this thread or split over worker threads; only where pass two runs differs.
      const view = (): ClusterIndex => buildView(inputs.sources, clusterState, options.namespace);
      const shares = options.fix === true || paths.includes('-') ? undefined : planParallelScan(inputs.files);
      let report: ScanReport;
      if (shares !== undefined) {
        report = await scanFilesInParallel({ configPath, shares, view, defaultNamespace: options.namespace, ...only, ...onProgress });
      } else {
        const built = view();
        const sources = options.fix === true ? await runFix(engine, inputs.sources, built, options) : inputs.sources;
        report = checkSources(engine, built, sources, { defaultNamespace: options.namespace, ...only, ...onProgress });
      }
      progress?.done();
      if (options.quiet !== true) process.stderr.write(formatSkipped([...inputs.skipped, ...report.skipped]));
      if (options.writeBaseline !== undefined) {
        writeBaseline(options.writeBaseline, report.findings);
        process.stderr.write(`baseline: recorded ${plural(report.findings.length, 'finding')} in ${options.writeBaseline}\n`);
      }
      const baselinePath = options.baseline ?? options.writeBaseline;
      if (baselinePath !== undefined) {
        const applied = applyBaseline(baselinePath, report);
        report = applied.report;
        if (options.quiet !== true) {
          const stale = applied.stale.map((e) => `\n  stale: ${e.ruleId} ${e.resource}${e.field === '' ? '' : ` ${e.field}`}`).join('');
          process.stderr.write(`baseline: ${applied.baselined} known finding(s) ignored, ${applied.stale.length} stale entr${applied.stale.length === 1 ? 'y' : 'ies'}${stale}\n`);
        }
      }
      const failing = failingActions(options.failOn);
      const color = options.color && options.output === undefined && colorWanted(process.env, process.stdout.isTTY);
      const showSuppressed = options.showSuppressed === true;
      let text: string;
      switch (options.format) {
        case 'json':
          text = formatJson(report, { showSuppressed });
          break;
        case 'sarif':
          text = formatSarif(report, allRules, VERSION, { showSuppressed });
          break;
        case 'junit':
          text = formatJunit(report, failing);
          break;
        case 'github':
          text = formatGithub(report, { showSuppressed });
          break;
        case 'text':
          text = formatText(report, { color, quiet: options.quiet === true, failing, showSuppressed });
          break;
      }
      if (options.output !== undefined) writeFileSync(options.output, text);
      else process.stdout.write(text);
      const diffFails = options.exitCode === true && changed;
      process.exitCode = diffFails || report.findings.some((f) => failing(f.action)) ? EXIT_FINDINGS : EXIT_OK;
    });
}
