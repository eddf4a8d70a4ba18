import { allRules } from '../rules/registry.js';
import { UsageError } from './exit.js';

/** Commander argument parser for a repeatable option: each use appends its value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The options `scan` and `audit` share: where the report goes, which rules run, what fails the run. */
export interface ReportCommandOptions {
  output?: string;
  config?: string;
  rule?: string[];
  failOn: 'warn' | 'deny';
  quiet?: boolean;
  color: boolean;
}

/** `-r ID` must name a rule: a typo would otherwise run nothing and pass. */
export function checkRuleIds(ids: readonly string[] | undefined): void {
  const known = new Set(allRules.map((rule) => rule.meta.id));
  for (const id of ids ?? []) {
    if (!known.has(id)) throw new UsageError(`unknown rule ${id} (see \`secretguard rules\`)`);
  }
}
