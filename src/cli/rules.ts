import { Option, type Command } from 'commander';
import { allMutators } from '../mutators/registry.js';
import { ruleDocsPath } from '../rules/docs.js';
import { allRules } from '../rules/registry.js';

export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('list the rules and mutators with their default actions')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((options: { format: string }) => {
      if (options.format === 'json') {
        const rules = allRules.map((r) => ({
          id: r.meta.id,
          defaultAction: r.meta.defaultAction,
          description: r.meta.description,
          kinds: r.meta.match.kinds.map((k) => (k.group === '' ? k.kind : `${k.kind}.${k.group}`)),
          docs: ruleDocsPath(r.meta.id),
        }));
        const mutators = allMutators.map((m) => ({ id: m.meta.id, defaultMode: m.meta.defaultMode, description: m.meta.description }));
        process.stdout.write(JSON.stringify({ rules, mutators }, null, 2) + '\n');
        return;
      }
      const width = Math.max(...allRules.map((r) => r.meta.id.length), ...allMutators.map((m) => m.meta.id.length));
      for (const rule of allRules) {
        process.stdout.write(`${rule.meta.id.padEnd(width)}  ${rule.meta.defaultAction.padEnd(5)}  ${rule.meta.description}\n`);
      }
      for (const mutator of allMutators) {
        process.stdout.write(`${mutator.meta.id.padEnd(width)}  ${('mut:' + mutator.meta.defaultMode).padEnd(5)}  ${mutator.meta.description}\n`);
      }
    });
}
