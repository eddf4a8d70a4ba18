import { Argument, type Command, type Option } from 'commander';
import { allRules } from '../rules/registry.js';
import { UsageError } from './exit.js';

/** What an option's value completes to. */
type ValueKind = { kind: 'none' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'word' } | { kind: 'choices'; choices: readonly string[] };

interface CompletionOption {
  short: string | undefined;
  long: string | undefined;
  description: string;
  value: ValueKind;
}

interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  subcommands: CompletionCommand[];
  /** Positional arguments are paths (scan's paths, review's file, config validate's file). */
  takesPaths: boolean;
}

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

function valueOf(option: Option): ValueKind {
  if (!option.required && !option.optional) return { kind: 'none' };
  if (option.argChoices !== undefined) return { kind: 'choices', choices: option.argChoices };
  if (option.long === '--rule') return { kind: 'choices', choices: allRules.map((rule) => rule.meta.id) };
  if (/<(?:file|path)s?(?:\.\.\.)?>/.test(option.flags)) return { kind: 'file' };
  if (/<dir>/.test(option.flags)) return { kind: 'dir' };
  return { kind: 'word' };
}

function describe(command: Command): CompletionCommand {
  const options = command.options.map((option) => ({ short: option.short, long: option.long, description: option.description, value: valueOf(option) }));
  options.push({ short: '-h', long: '--help', description: 'display help for command', value: { kind: 'none' } });
  return {
    name: command.name(),
    description: command.description(),
    options,
    subcommands: command.commands.map(describe),
    takesPaths: command.registeredArguments.some((argument: Argument) => argument.name() === 'paths' || argument.name() === 'file'),
  };
}

const flagsOf = (option: CompletionOption): string[] => [option.short, option.long].filter((flag): flag is string => flag !== undefined);

function bashValueCase(options: readonly CompletionOption[], indent: string): string[] {
  const lines: string[] = [];
  for (const option of options) {
    const value = option.value;
    if (value.kind === 'none') continue;
    const reply =
      value.kind === 'choices'
        ? `COMPREPLY=($(compgen -W "${value.choices.join(' ')}" -- "$cur"))`
        : value.kind === 'file'
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : value.kind === 'dir'
            ? 'COMPREPLY=($(compgen -d -- "$cur"))'
            : 'COMPREPLY=()';
    lines.push(`${indent}${flagsOf(option).join('|')}) ${reply}; return ;;`);
  }
  return lines;
}

function bashCommand(command: CompletionCommand, position: number, indent: string): string[] {
  const words = command.options.flatMap(flagsOf).join(' ');
  const lines = [`${indent}case "$prev" in`, ...bashValueCase(command.options, `${indent}  `), `${indent}esac`];
  if (command.subcommands.length > 0) {
    lines.push(
      `${indent}if [[ $COMP_CWORD -eq ${position} ]]; then COMPREPLY=($(compgen -W "${command.subcommands.map((c) => c.name).join(' ')} ${words}" -- "$cur")); return; fi`,
      `${indent}case "\${COMP_WORDS[${position}]}" in`,
    );
    for (const sub of command.subcommands) {
      lines.push(`${indent}  ${sub.name})`, ...bashCommand(sub, position + 1, `${indent}    `), `${indent}    ;;`);
    }
    lines.push(`${indent}esac`);
    return lines;
  }
  lines.push(
    `${indent}if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words}" -- "$cur"))`,
    command.takesPaths ? `${indent}else COMPREPLY=($(compgen -f -- "$cur")); fi` : `${indent}else COMPREPLY=(); fi`,
  );
  return lines;
}

function bash(program: CompletionCommand): string {
  const lines = [
    '# secretguard completion for bash: source <(secretguard completion bash)',
    '_secretguard() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
    `  if [[ $COMP_CWORD -eq 1 ]]; then COMPREPLY=($(compgen -W "${[...program.subcommands.map((c) => c.name), 'help', '--help', '--version'].join(' ')}" -- "$cur")); return; fi`,
    '  case "${COMP_WORDS[1]}" in',
  ];
  for (const command of program.subcommands) lines.push(`    ${command.name})`, ...bashCommand(command, 2, '      '), '      ;;');
  lines.push(`    help) COMPREPLY=($(compgen -W "${program.subcommands.map((c) => c.name).join(' ')}" -- "$cur")) ;;`, '  esac', '}');
  lines.push('complete -o filenames -F _secretguard secretguard', '');
  return lines.join('\n');
}

/** Text for a zsh `[description]` or `name:description` inside single quotes. */
function zshText(text: string): string {
  return text.replaceAll("'", "'\\''").replaceAll('[', '(').replaceAll(']', ')').replaceAll(':', ' -').replaceAll('`', '');
}

function zshAction(value: ValueKind): string {
  switch (value.kind) {
    case 'none':
      return '';
    case 'choices':
      return `:value:(${value.choices.join(' ')})`;
    case 'file':
      return ':file:_files';
    case 'dir':
      return ':directory:_files -/';
    case 'word':
      return ':value: ';
  }
}

function zshArguments(command: CompletionCommand, indent: string): string[] {
  const specs = command.options.map((option) => {
    const flags = flagsOf(option);
    const description = `[${zshText(option.description)}]`;
    const action = zshAction(option.value);
    // A short and a long form exclude each other once either is given.
    return flags.length === 2
      ? `'(${flags.join(' ')})'{${flags.join(',')}}'${description}${action}'`
      : `'${flags[0] ?? ''}${description}${action}'`;
  });
  if (command.takesPaths) specs.push(`'*:path:_files'`);
  return [`${indent}_arguments -s \\`, ...specs.map((spec, index) => `${indent}  ${spec}${index === specs.length - 1 ? '' : ' \\'}`)];
}

function zshCommand(command: CompletionCommand, indent: string): string[] {
  if (command.subcommands.length === 0) return zshArguments(command, indent);
  return [
    `${indent}local -a subcommands=(${command.subcommands.map((c) => `'${c.name}:${zshText(c.description)}'`).join(' ')})`,
    `${indent}if (( CURRENT == 2 )); then _describe -t commands '${command.name} command' subcommands; return; fi`,
    `${indent}local sub=$words[2]; shift words; (( CURRENT-- ))`,
    `${indent}case $sub in`,
    ...command.subcommands.flatMap((sub) => [`${indent}  ${sub.name})`, ...zshCommand(sub, `${indent}    `), `${indent}    ;;`]),
    `${indent}esac`,
  ];
}

function zsh(program: CompletionCommand): string {
  const lines = [
    '#compdef secretguard',
    '# secretguard completion for zsh: source <(secretguard completion zsh), or save it as _secretguard in $fpath',
    '_secretguard() {',
    `  local -a commands=(${program.subcommands.map((c) => `'${c.name}:${zshText(c.description)}'`).join(' ')} 'help:display help for command')`,
    "  if (( CURRENT == 2 )); then _describe -t commands 'secretguard command' commands; return; fi",
    '  local command=$words[2]; shift words; (( CURRENT-- ))',
    '  case $command in',
  ];
  for (const command of program.subcommands) lines.push(`    ${command.name})`, ...zshCommand(command, '      '), '      ;;');
  lines.push("    help) _describe -t commands 'secretguard command' commands ;;", '  esac', '}');
  lines.push('if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _secretguard "$@"; else compdef _secretguard secretguard; fi', '');
  return lines.join('\n');
}

/** Text inside single quotes for fish. */
function fishText(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
}

function fishOptions(command: CompletionCommand, condition: string): string[] {
  return command.options.map((option) => {
    const parts = ['complete -c secretguard', `-n '${condition}'`];
    if (option.short !== undefined) parts.push(`-s ${option.short.slice(1)}`);
    if (option.long !== undefined) parts.push(`-l ${option.long.slice(2)}`);
    const value = option.value;
    if (value.kind === 'choices') parts.push(`-x -a '${value.choices.join(' ')}'`);
    else if (value.kind === 'file' || value.kind === 'dir') parts.push('-r -F');
    else if (value.kind === 'word') parts.push('-x');
    parts.push(`-d '${fishText(option.description)}'`);
    return parts.join(' ');
  });
}

function fish(program: CompletionCommand): string {
  const names = program.subcommands.map((c) => c.name);
  const lines = [
    '# secretguard completion for fish: secretguard completion fish | source',
    'complete -c secretguard -f',
    ...program.subcommands.map((c) => `complete -c secretguard -n '__fish_use_subcommand' -a ${c.name} -d '${fishText(c.description)}'`),
    `complete -c secretguard -n '__fish_use_subcommand' -a help -d 'display help for command'`,
    `complete -c secretguard -n '__fish_seen_subcommand_from help' -a '${names.join(' ')}'`,
  ];
  for (const command of program.subcommands) {
    const seen = `__fish_seen_subcommand_from ${command.name}`;
    lines.push(...fishOptions(command, seen));
    if (command.takesPaths) lines.push(`complete -c secretguard -n '${seen}' -F`);
    for (const sub of command.subcommands) {
      lines.push(`complete -c secretguard -n '${seen}; and not __fish_seen_subcommand_from ${command.subcommands.map((s) => s.name).join(' ')}' -a ${sub.name} -d '${fishText(sub.description)}'`);
      const subSeen = `${seen}; and __fish_seen_subcommand_from ${sub.name}`;
      lines.push(...fishOptions(sub, subSeen));
      if (sub.takesPaths) lines.push(`complete -c secretguard -n '${subSeen}' -F`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** The completion script for a shell, from the commands as registered: a new option completes without editing this. */
export function completionScript(program: Command, shell: string): string {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`unknown shell ${shell}: choose bash, zsh or fish`);
  const described = describe(program);
  described.subcommands = described.subcommands.filter((c) => c.name !== 'completion' && c.name !== 'help');
  const generators: Record<Shell, (program: CompletionCommand) => string> = { bash, zsh, fish };
  return generators[shell as Shell](described);
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish): source <(secretguard completion bash)')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      process.stdout.write(completionScript(program, shell));
    });
}
