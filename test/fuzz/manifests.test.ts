// Property-based fuzzing of the CLI's input side (issue 12): random and mutated YAML and JSON
// streams (anchors, aliases, alias bombs, merge keys, invalid UTF-8, CRLF, BOM, tabs, Lists) through
// parseManifests and scanManifests in-process, and every report format (cli.test.ts runs the real
// CLI). Property: objects or a ManifestError (file:line: message), never another exception; bounded
// time per input.
import fc from 'fast-check';
import t from 'tap';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import { ManifestError, parseManifests } from '../../src/manifests/load.js';
import { scanManifests } from '../../src/manifests/scan.js';
import { formatJson } from '../../src/report/json.js';
import { formatJunit } from '../../src/report/junit.js';
import { formatSarif } from '../../src/report/sarif.js';
import { formatText } from '../../src/report/text.js';
import { allRules } from '../../src/rules/registry.js';
import { aliasBomb, streamArb } from './arbitraries.js';

const SEED = 0x5ec6a7e;
const SCALE = Number(process.env['SECRETGUARD_FUZZ_SCALE'] ?? '1');
const PARSE_RUNS = Math.round(20_000 * SCALE);
const MAX_MS_PER_INPUT = 3_000;

const engine = buildEngine(loadEffectiveConfig(undefined));

function checkParse(bytes: Buffer): 'ok' | 'manifest-error' {
  const source = { name: 'fuzz.yaml', text: bytes.toString('utf8') };
  try {
    const manifests = parseManifests(source);
    for (const m of manifests) {
      if (typeof m.object !== 'object' || Array.isArray(m.object)) throw new Error('a manifest that is not an object');
      if (!Number.isInteger(m.line) || m.line < 1) throw new Error(`bad line ${m.line}`);
    }
  } catch (error) {
    if (!(error instanceof ManifestError)) throw new Error(`parseManifests threw ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error}`, { cause: error });
    if (!/^fuzz\.yaml:\d+: \S/.test(error.message)) throw new Error(`ManifestError not in file:line: form: ${error.message}`, { cause: error });
    return 'manifest-error';
  }
  try {
    const report = scanManifests(engine, { sources: [() => source], clusterState: [], defaultNamespace: 'default' });
    const failing = (a: string): boolean => a === 'deny' || a === 'error';
    JSON.parse(formatJson(report));
    JSON.parse(formatSarif(report, allRules, '0.0.0-fuzz'));
    formatJunit(report, failing);
    formatText(report, { color: true, quiet: false, failing });
    if (report.findings.some((f) => f.messageId === 'ruleError')) throw new Error(`a rule threw: ${report.findings.map((f) => f.message).join('; ')}`);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    return 'manifest-error';
  }
  return 'ok';
}

t.test(`parseManifests + scanManifests + every report format: ${PARSE_RUNS} random streams (seed ${SEED})`, async (t) => {
  const outcomes = { ok: 0, 'manifest-error': 0 };
  let maxMs = 0;
  let bytes = 0;
  fc.assert(
    fc.property(streamArb, (stream) => {
      bytes += stream.length;
      const started = performance.now();
      outcomes[checkParse(stream)]++;
      const ms = performance.now() - started;
      maxMs = Math.max(maxMs, ms);
      if (ms > MAX_MS_PER_INPUT) throw new Error(`input took ${Math.round(ms)}ms`);
    }),
    { seed: SEED, numRuns: PARSE_RUNS, endOnFailure: true },
  );
  t.comment(`fuzz cases (manifests in-process): ${PARSE_RUNS}, ${(bytes / 2 ** 20).toFixed(1)} MiB, outcomes ${JSON.stringify(outcomes)}, slowest ${maxMs.toFixed(1)}ms`);
  t.ok(outcomes.ok > PARSE_RUNS / 10, 'a good share of the streams parse and get scanned');
  t.ok(outcomes['manifest-error'] > PARSE_RUNS / 10, 'a good share are refused as ManifestError');
});

t.test('alias bombs are refused in bounded time and memory', async (t) => {
  for (const [width, depth, merge] of [[10, 9, false], [9, 12, false], [30, 6, false], [10, 9, true], [2, 60, false]] as const) {
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    t.throws(() => parseManifests({ name: 'bomb.yaml', text: aliasBomb(width, depth, merge) }), ManifestError, `${width}^${depth}${merge ? ' merge' : ''} refused`);
    const ms = performance.now() - started;
    t.ok(ms < 2_000, `${width}^${depth}: ${Math.round(ms)}ms`);
    t.ok(process.memoryUsage().rss - rssBefore < 256 * 2 ** 20, `${width}^${depth}: memory bounded`);
  }
  const list = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 10_000 }, (_, i) => `- {apiVersion: v1, kind: Secret, metadata: {name: s${i}}, stringData: {password: Zq8vN2mXw4Lp7Rt9${i}}}`).join('\n')}\n`;
  const started = performance.now();
  const report = scanManifests(engine, { sources: [() => ({ name: 'list.yaml', text: list })], clusterState: [], defaultNamespace: 'default' });
  t.equal(report.summary.resources, 10_000, `kind: List with 10,000 items scanned in ${Math.round(performance.now() - started)}ms`);
});

