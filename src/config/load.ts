import { readFileSync } from 'node:fs';
import { yamlLib } from '../k8s/yaml-lib.js';
import type { ValidateFunction } from 'ajv';
import { ajv, formatAjvErrors } from './ajv.js';
import { DEFAULT_CONTROLLERS, DEFAULT_GITOPS, DEFAULT_WEBHOOK } from './defaults.js';
import { configSchema } from './schema.js';
import type { ConfigurableMutator, ConfigurableRule, EffectiveConfig, ResolvedMutatorSetting, ResolvedRuleSetting, SecretGuardConfigFile } from './types.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Compiled on first use: a scan with no config file never needs it (compiling costs more than the scan of a file). */
let validateFile: ValidateFunction<SecretGuardConfigFile> | undefined;

/** The built-in defaults need no validation (test/config/defaults.test.ts checks them against the schemas). */
const DEFAULTS_ONLY = Symbol('defaults');

/** Parse and validate config YAML text; `source` names it in errors. */
export function parseConfig(text: string, source: string, rules: readonly ConfigurableRule[], mutators: readonly ConfigurableMutator[]): EffectiveConfig {
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (document.errors.length > 0) {
    throw new ConfigError(source, document.errors.map((e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0] ?? ''}`));
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });
  return resolveConfig(value, source, rules, mutators);
}

export function loadConfigFile(path: string, rules: readonly ConfigurableRule[], mutators: readonly ConfigurableMutator[]): EffectiveConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  return parseConfig(text, path, rules, mutators);
}

export function defaultConfig(rules: readonly ConfigurableRule[], mutators: readonly ConfigurableMutator[]): EffectiveConfig {
  return resolveConfig(DEFAULTS_ONLY, '<defaults>', rules, mutators);
}

/** Validate a decoded config file against the schema and every rule's own options schema, and fill defaults. */
export function resolveConfig(value: unknown, source: string, rules: readonly ConfigurableRule[], mutators: readonly ConfigurableMutator[]): EffectiveConfig {
  let file: SecretGuardConfigFile;
  if (value === DEFAULTS_ONLY) file = { apiVersion: 'secretguard.io/v1alpha1', kind: 'SecretGuardConfig' };
  else {
    validateFile ??= ajv().compile<SecretGuardConfigFile>(configSchema);
    if (!validateFile(value)) throw new ConfigError(source, formatAjvErrors(validateFile.errors, ''));
    file = value;
  }
  const problems: string[] = [];
  const knownRules = new Map(rules.map((r) => [r.meta.id, r]));
  const knownMutators = new Map(mutators.map((m) => [m.meta.id, m]));

  for (const id of Object.keys(file.rules ?? {})) {
    if (!knownRules.has(id)) problems.push(`/rules/${id}: unknown rule (see \`secretguard rules\`)`);
  }
  for (const id of Object.keys(file.mutators ?? {})) {
    if (!knownMutators.has(id)) problems.push(`/mutators/${id}: unknown mutator`);
  }
  const ruleIdsOrStar = new Set(['*', ...knownRules.keys()]);
  (file.exemptions ?? []).forEach((exemption, index) => {
    for (const id of exemption.rules) {
      if (!ruleIdsOrStar.has(id)) problems.push(`/exemptions/${index}/rules: unknown rule ${id}`);
    }
  });
  (file.objectExemptions?.allowedRules ?? []).forEach((id, index) => {
    const rule = knownRules.get(id);
    if (rule === undefined) problems.push(`/objectExemptions/allowedRules/${index}: unknown rule ${id}`);
    else if (rule.meta.isolation === true) {
      problems.push(`/objectExemptions/allowedRules/${index}: ${id} is a tenant isolation rule, which an object's own exemption never switches off`);
    }
  });
  for (const [tenant, policy] of Object.entries(file.tenancy?.tenants ?? {})) {
    (policy.namespaces ?? []).forEach((entry, index) => {
      if (entry.startsWith('^') && !entry.endsWith('$')) problems.push(`/tenancy/tenants/${tenant}/namespaces/${index}: regex ${entry} must be anchored with ^…$`);
    });
  }

  const ruleSettings = new Map<string, ResolvedRuleSetting>();
  for (const rule of rules) {
    const raw = file.rules?.[rule.meta.id];
    const setting = typeof raw === 'string' ? { action: raw } : (raw ?? {});
    const options = { ...(rule.meta.defaultOptions as object), ...(setting.options ?? {}) };
    // Only options the config sets are checked: the defaults are (test/config/defaults.test.ts).
    if (setting.options !== undefined) {
      const validate = ajv().compile(rule.meta.optionsSchema);
      if (!validate(options)) problems.push(...formatAjvErrors(validate.errors, `/rules/${rule.meta.id}/options`));
    }
    ruleSettings.set(rule.meta.id, {
      action: setting.action ?? rule.meta.defaultAction,
      actionFromConfig: setting.action !== undefined,
      options,
    });
  }

  const mutatorSettings = new Map<string, ResolvedMutatorSetting>();
  for (const mutator of mutators) {
    const raw = file.mutators?.[mutator.meta.id];
    const setting = typeof raw === 'string' ? { mode: raw } : (raw ?? {});
    const options = { ...(mutator.meta.defaultOptions as object), ...(setting.options ?? {}) };
    // Only options the config sets are checked: the defaults are (test/config/defaults.test.ts).
    if (setting.options !== undefined) {
      const validate = ajv().compile(mutator.meta.optionsSchema);
      if (!validate(options)) problems.push(...formatAjvErrors(validate.errors, `/mutators/${mutator.meta.id}/options`));
    }
    mutatorSettings.set(mutator.meta.id, { mode: setting.mode ?? mutator.meta.defaultMode, options });
  }

  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    logLevel: file.logLevel ?? 'info',
    rules: ruleSettings,
    mutators: mutatorSettings,
    exemptions: file.exemptions ?? [],
    objectExemptions: { allowedRules: file.objectExemptions?.allowedRules ?? [] },
    tenancy: { ...(file.tenancy?.tenantLabel ? { tenantLabel: file.tenancy.tenantLabel } : {}), tenants: file.tenancy?.tenants ?? {} },
    gitops: { ...DEFAULT_GITOPS, ...file.gitops },
    controllers: { ...DEFAULT_CONTROLLERS, ...file.controllers },
    clusterView: { missingState: file.clusterView?.missingState ?? 'error' },
    webhook: { ...DEFAULT_WEBHOOK, ...file.webhook },
  };
}
