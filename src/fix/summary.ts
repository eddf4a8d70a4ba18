import { resourceLabel } from '../k8s/object.js';
import type { FileFix } from './apply.js';

/** One line per changed object, then a count; `--fix` writes it to standard error. */
export function formatFixSummary(fixes: readonly FileFix[], dryRun: boolean): string {
  const lines: string[] = [];
  let changes = 0;
  for (const fix of fixes) {
    for (const change of fix.changes) {
      changes++;
      const resource = resourceLabel(change.resource);
      for (const note of change.notes) lines.push(`${change.file}:${change.line}: ${resource}: ${note}`);
    }
  }
  const verb = dryRun ? 'would change' : 'changed';
  lines.push(
    changes === 0
      ? `secretguard --fix: nothing to change`
      : `secretguard --fix: ${verb} ${changes} object${changes === 1 ? '' : 's'} in ${fixes.length} file${fixes.length === 1 ? '' : 's'}${dryRun ? ' (dry run, nothing written)' : ''}`,
  );
  return lines.join('\n') + '\n';
}
