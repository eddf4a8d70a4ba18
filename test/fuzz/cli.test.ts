// A few hundred runs of the real CLI (issue 12) with random and broken manifest streams on stdin and
// random flags. Property: exit code 0, 1 or 2, never "internal error", never a hang.
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import t from 'tap';
import { CLI } from '../helpers/cli.js';
import { documentArb, streamArb } from './arbitraries.js';
import { ROOT } from './samples.js';

const SEED = 0x5ec6a85;
const SCALE = Number(process.env['SECRETGUARD_FUZZ_SCALE'] ?? '1');
const CLI_RUNS = Math.max(20, Math.round(200 * SCALE));

interface Run {
  code: number | null;
  stderr: string;
}

function runCliBytes(args: readonly string[], input: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** Streams without text-level damage, so that runs also reach the engine and exit 0 or 1. */
const cleanStreamArb = documentArb.map((text) => Buffer.from(text));

const argsArb = fc
  .record({
    format: fc.option(fc.oneof({ weight: 12, arbitrary: fc.constantFrom('text', 'json', 'sarif', 'junit') }, { weight: 1, arbitrary: fc.constantFrom('xml', '') }), { freq: 2 }),
    failOn: fc.option(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('warn', 'deny') }, { weight: 1, arbitrary: fc.constant('audit') })),
    quiet: fc.boolean(),
    namespace: fc.option(fc.constantFrom('team-a', 'default', 'Not_A_Namespace')),
    rule: fc.option(fc.oneof({ weight: 8, arbitrary: fc.constantFrom('no-plaintext-secret', 'no-credential-in-env') }, { weight: 1, arbitrary: fc.constant('no-such-rule') }), { freq: 2 }),
    extra: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('--bogus', '--cluster-state=/nonexistent', '--config=/nonexistent', '--dry-run', '/nonexistent.yaml', '--', '-') }),
  })
  .map((a) => [
    'scan',
    ...(a.format !== null ? ['--format', a.format] : []),
    ...(a.failOn !== null ? ['--fail-on', a.failOn] : []),
    ...(a.quiet ? ['-q'] : []),
    ...(a.namespace !== null ? ['-n', a.namespace] : []),
    ...(a.rule !== null ? ['--rule', a.rule] : []),
    ...(a.extra !== null ? [a.extra] : []),
    '-',
  ]);

t.test(`real CLI: ${CLI_RUNS} runs with random input and flags, exit code 0, 1 or 2, never an internal error`, async (t) => {
  const inputs = fc.sample(fc.tuple(fc.oneof({ weight: 2, arbitrary: streamArb }, { weight: 1, arbitrary: cleanStreamArb }), argsArb), { seed: SEED + 7, numRuns: CLI_RUNS });
  const codes = new Map<string, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const [input, args] = inputs[next++]!;
      const run = await runCliBytes(args, input);
      codes.set(String(run.code), (codes.get(String(run.code)) ?? 0) + 1);
      if (run.code === null || ![0, 1, 2].includes(run.code)) failures.push(`${args.join(' ')}: exit ${String(run.code)}`);
      if (/internal error/.test(run.stderr)) failures.push(`${args.join(' ')}: ${run.stderr.trim().slice(0, 200)}`);
    }
  };
  await Promise.all([worker(), worker()]);
  t.comment(`fuzz cases (real CLI subprocess): ${inputs.length}, exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
  t.same(failures, [], 'every run ended with 0, 1 or 2 and no internal error');
  t.ok((codes.get('0') ?? 0) + (codes.get('1') ?? 0) > 0 && (codes.get('2') ?? 0) > 0, 'both clean runs and usage errors were reached');
});

