// Progress on long scans (issue 17): on a terminal (a real pseudo-terminal from util-linux `script`), stderr
// shows files and resources/s and clears the line before the report; with CI set, with stderr redirected, or
// with --quiet, nothing but the report is written. One thread and worker threads alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'secretguard-progress-'));
for (let i = 0; i < 200; i++) writeFileSync(join(dir, `cm-${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  a: b\n`);
const SUMMARY = '200 resources scanned: 0 deny, 0 warn, 0 audit, 0 error';
const CLEAR = '\r\u001b[K';

/** The scan run on a pseudo-terminal (stdout and stderr both on it), as a person at a terminal sees it. */
function onTerminal(args: string[], env: Record<string, string>): { code: number | null; screen: string } {
  const command = [process.execPath, CLI, ...args].map((word) => `'${word}'`).join(' ');
  // CI is dropped unless the case sets it: the test runs under CI=true itself.
  const inherited = Object.entries(process.env).filter(([key]) => key !== 'CI');
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries([...inherited, ['NO_COLOR', '1'], ...Object.entries(env)]);
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: childEnv });
  return { code: result.status, screen: result.stdout };
}

const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null']).status === 0;

t.test('a terminal shows progress, then clears it before the report', { skip: hasScript ? false : 'util-linux script is not installed' }, async (t) => {
  for (const workers of ['1', '2']) {
    const { code, screen } = onTerminal(['scan', dir], { SECRETGUARD_WORKERS: workers });
    t.equal(code, 0, `workers=${workers}`);
    t.ok(screen.startsWith(`${CLEAR}scanning: 1 file, 1 resource, `), `workers=${workers}: progress first`);
    t.match(screen, / resources\/s/);
    t.ok(screen.endsWith(`${CLEAR}${SUMMARY}\r\n`), `workers=${workers}: the line is cleared, then the report`);
  }
});

t.test('silent with CI set, with --quiet, and when stderr is not a terminal', { skip: hasScript ? false : 'util-linux script is not installed' }, async (t) => {
  for (const ci of ['true', '1']) {
    const { screen } = onTerminal(['scan', dir], { CI: ci });
    t.equal(screen.replaceAll('\r\n', '\n'), `${SUMMARY}\n`, `CI=${ci}`);
  }
  t.equal(onTerminal(['scan', '-q', dir], {}).screen, '', '--quiet');
  // stderr to a pipe while stdout is the terminal: still nothing on stderr.
  const redirected = runCli(['scan', dir], undefined, undefined, { CI: '' });
  t.equal(redirected.stderr, '');
  t.equal(redirected.stdout, `${SUMMARY}\n`);
});
