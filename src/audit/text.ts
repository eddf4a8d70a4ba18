import type { Action } from '../engine/types.js';
import type { ScanReport } from '../manifests/scan.js';
import { resourceLabel } from '../k8s/object.js';
import type { Unlisted } from './lister.js';

export interface AuditTextOptions {
  color: boolean;
  quiet: boolean;
  failing: (action: Action) => boolean;
  cluster: string;
  unlisted: readonly Unlisted[];
}

const COLORS: Record<Action, string> = { deny: '\x1b[31m', error: '\x1b[35m', warn: '\x1b[33m', audit: '\x1b[36m' };
const RESET = '\x1b[0m';

/** Like scan's text report, with the stored resource where scan puts file and line. */
export function formatAuditText(report: ScanReport, options: AuditTextOptions): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (options.quiet && !options.failing(f.action)) continue;
    const resource = resourceLabel(f.resource);
    const action = options.color ? `${COLORS[f.action]}${f.action}${RESET}` : f.action;
    lines.push(`${resource}${f.field === '' ? '' : ` ${f.field}`}: ${action} ${f.message}`);
  }
  if (!options.quiet) {
    for (const u of options.unlisted) lines.push(`not audited: ${u.kind} (${u.reason})`);
    const s = report.summary;
    lines.push(`${s.resources} resource${s.resources === 1 ? '' : 's'} audited in ${options.cluster}: ${s.deny} deny, ${s.warn} warn, ${s.audit} audit, ${s.error} error`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
