// `secretguard completion bash|zsh|fish` (issue 17), run in the real shells: bash through its completion
// function, fish through `complete -C`, zsh loaded by compinit (zsh completes only inside a line editor, which
// needs a terminal, so its answers are not asked here). A shell that is not installed is skipped loudly
// (.ci/run installs zsh and fish from Debian).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { allRules } from '../../src/rules/registry.js';
import { ROOT, runCli } from '../helpers/cli.js';

function script(shell: string): string {
  const result = runCli(['completion', shell]);
  if (result.code !== 0) throw new Error(`completion ${shell} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

function saved(shell: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'secretguard-completion-')), `secretguard.${shell}`);
  writeFileSync(file, script(shell));
  return file;
}

function installed(t: Test, shell: string): boolean {
  if (spawnSync(shell, ['-c', 'exit 0']).status === 0) return true;
  t.comment(`skipped: ${shell} is not installed`);
  t.pass(`skipped: ${shell} is not installed`);
  return false;
}

/** What bash's completion function answers for the words typed so far (the last one being completed). */
function bashComplete(file: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _secretguard; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: ROOT, encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line !== '');
}

function fishComplete(file: string, line: string): string[] {
  const result = spawnSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { cwd: ROOT, encoding: 'utf8' });
  return result.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0] ?? '');
}

const RULE = allRules[0]?.meta.id ?? '';

t.test('bash: commands, options, choices, rule ids, subcommands and paths', async (t) => {
  const file = saved('bash');
  t.same(bashComplete(file, ['secretguard', 'sc']), ['scan']);
  t.same(bashComplete(file, ['secretguard', 'scan', '--fo']), ['--format']);
  t.same(bashComplete(file, ['secretguard', 'scan', '-f', '']), ['text', 'json', 'sarif', 'junit', 'github']);
  t.same(bashComplete(file, ['secretguard', 'scan', '--rule', RULE.slice(0, -1)]), [RULE], 'rule ids from the registry');
  t.same(bashComplete(file, ['secretguard', 'scan', '--show-s']), ['--show-suppressed'], 'a new option completes without editing the script');
  t.same(bashComplete(file, ['secretguard', 'config', '']).slice(0, 2), ['validate', 'default']);
  t.same(bashComplete(file, ['secretguard', 'scan', 'examples/multi-t']), ['examples/multi-tenant'], 'paths');
  t.same(bashComplete(file, ['secretguard', 'serve', '--cert-mode', '']), ['files', 'self-managed']);
  t.same(bashComplete(file, ['secretguard', 'scan', '-n', '']), [], 'a free value offers nothing');
  const loaded = spawnSync('bash', ['--norc', '-c', `source '${file}'; complete -p secretguard`], { encoding: 'utf8' });
  t.match(loaded.stdout, /complete .*-F _secretguard secretguard/, 'registered with complete');
});

t.test('fish: the same answers through complete -C', async (t) => {
  if (!installed(t, 'fish')) return;
  const file = saved('fish');
  t.same(fishComplete(file, 'secretguard sc'), ['scan']);
  t.same(fishComplete(file, 'secretguard scan --fo'), ['--format']);
  t.same(fishComplete(file, 'secretguard scan -f ').sort(), ['github', 'json', 'junit', 'sarif', 'text']);
  t.same(fishComplete(file, `secretguard scan --rule ${RULE.slice(0, -1)}`), [RULE]);
  t.same(fishComplete(file, 'secretguard config ').sort(), ['default', 'validate']);
  t.same(fishComplete(file, 'secretguard scan examples/multi-t'), ['examples/multi-tenant/']);
});

t.test('zsh: the script parses and compinit registers it', async (t) => {
  if (!installed(t, 'zsh')) return;
  const file = saved('zsh');
  t.equal(spawnSync('zsh', ['-n', file]).status, 0, 'zsh -n');
  const dump = join(mkdtempSync(join(tmpdir(), 'secretguard-zcompdump-')), 'dump');
  const loaded = spawnSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -d '${dump}'; source '${file}'; print -r -- \${_comps[secretguard]}`], { encoding: 'utf8' });
  t.equal(loaded.stdout, '_secretguard\n', 'compdef registered the function');
  const text = script('zsh');
  t.match(text, /^#compdef secretguard\n/, 'can also live in $fpath as _secretguard');
  t.match(text, /'\(-f --format\)'\{-f,--format\}'\[output format\]:value:\(text json sarif junit github\)'/);
});

t.test('an unknown shell is a usage error', async (t) => {
  const result = runCli(['completion', 'tcsh']);
  t.equal(result.code, 2);
  t.equal(result.stdout, '');
  t.match(result.stderr, /unknown shell tcsh: choose bash, zsh or fish/);
});
