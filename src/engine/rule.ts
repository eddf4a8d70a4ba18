import type { Mutator, Rule } from './types.js';

/**
 * Identity helper that ties a rule's options and message ids together at compile time,
 * in the style of typescript-eslint's createRule.
 */
export function createRule<Options, MessageId extends string>(rule: Rule<Options, MessageId>): Rule<Options, MessageId> {
  return rule;
}

export function createMutator<Options>(mutator: Mutator<Options>): Mutator<Options> {
  return mutator;
}

/** Fill `{{name}}` placeholders; unknown placeholders stay visible so a missing datum is noticed in tests. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (data === undefined) return template;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    const value = data[key];
    return value === undefined ? whole : String(value);
  });
}
