import { Ajv, type ErrorObject } from 'ajv';

/** One ajv instance for every schema: validators compile once and are reused. */
export const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });

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
