import type { Command } from 'commander';
import { stringify } from 'yaml';
import { loadEffectiveConfig } from '../setup.js';
import { allMutators } from '../mutators/registry.js';
import { allRules } from '../rules/registry.js';
import { DEFAULT_CONTROLLERS, DEFAULT_GITOPS, DEFAULT_WEBHOOK } from '../config/defaults.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('validate a config file or print the defaults');
  config
    .command('validate <file>')
    .description('check a SecretGuardConfig file; exit 2 with every problem when invalid')
    .action((file: string) => {
      loadEffectiveConfig(file);
      process.stdout.write(`${file}: valid\n`);
    });
  config
    .command('default')
    .description('print the embedded default config as YAML')
    .action(() => {
      const document = {
        apiVersion: 'secretguard.io/v1alpha1',
        kind: 'SecretGuardConfig',
        logLevel: 'info',
        rules: Object.fromEntries(allRules.map((r) => [r.meta.id, { action: r.meta.defaultAction, options: r.meta.defaultOptions }])),
        mutators: Object.fromEntries(allMutators.map((m) => [m.meta.id, { mode: m.meta.defaultMode, options: m.meta.defaultOptions }])),
        exemptions: [],
        objectExemptions: { allowedRules: [] },
        tenancy: { tenants: {} },
        gitops: DEFAULT_GITOPS,
        controllers: DEFAULT_CONTROLLERS,
        clusterView: { missingState: 'error' },
        webhook: DEFAULT_WEBHOOK,
      };
      process.stdout.write(stringify(document));
    });
}
