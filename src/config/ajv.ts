import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ErrorObject } from 'ajv';
import { compileRegex } from '../k8s/regex.js';

let instance: AjvInstance | undefined;

/**
 * One ajv instance for every schema: validators compile once and are reused. ajv is loaded on first use
 * (it is CommonJS, so `require` loads it synchronously): loading it takes longer than scanning a file, and a
 * scan with no config file and no baseline never needs it.
 */
export function ajv(): AjvInstance {
  if (instance === undefined) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    instance = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    instance.addFormat(NAME_OR_REGEX, { type: 'string', validate: (value: string) => !value.startsWith('^') || compileRegex(value).ok });
  }
  return instance;
}

/**
 * `format: name-or-regex`: a config list entry that is a name, or (starting with `^`) a regex that RE2 runs
 * within secretguard's limits, so a config never carries a pattern that fails or stalls at request time.
 */
export const NAME_OR_REGEX = 'name-or-regex';

/** ajv errors as `path: message` lines a user can act on, naming unknown fields. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined, root: string): string[] {
  if (!errors) return [];
  const lines = new Set<string>();
  const branchErrors = errors.filter((e) => e.keyword !== 'anyOf');
  for (const error of branchErrors) {
    const path = root + error.instancePath;
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty?: string }).additionalProperty ?? '';
      lines.add(`${path}/${extra}: unknown field`);
    } else if (error.keyword === 'format' && (error.params as { format?: string }).format === NAME_OR_REGEX) {
      lines.add(`${path}: a regex (starting with ^) that RE2 cannot compile, or longer than secretguard runs (1024 characters, 1000 RE2 instructions)`);
    } else if (error.keyword === 'enum') {
      const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
      lines.add(`${path}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      lines.add(`${path}: ${error.message ?? 'is invalid'}`);
    }
  }
  if (lines.size === 0 && errors.length > 0) lines.add(`${root}: is invalid`);
  return [...lines];
}
