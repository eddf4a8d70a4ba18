import { UNNAMED } from '../engine/subject.js';
import type { Action } from '../engine/types.js';
import { UNREADABLE_MANIFEST, type ScanReport } from '../manifests/scan.js';

export interface TextOptions {
  color: boolean;
  /** Only findings that fail the run, and no summary. */
  quiet: boolean;
  failing: (action: Action) => boolean;
}

const COLORS: Record<Action, string> = { deny: '\x1b[31m', error: '\x1b[35m', warn: '\x1b[33m', audit: '\x1b[36m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

export function formatText(report: ScanReport, options: TextOptions): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    if (options.quiet && !options.failing(f.action)) continue;
    const where = `${f.file}:${f.line}`;
    const action = options.color ? `${COLORS[f.action]}${f.action}${RESET}` : f.action;
    if (f.ruleId === UNREADABLE_MANIFEST.id) {
      lines.push(`${where}: ${action} ${f.message}`);
      continue;
    }
    const resource = `${f.resource.kind}${f.resource.namespace ? ` ${f.resource.namespace}/` : ' '}${f.resource.name ?? UNNAMED}`;
    const field = f.field === '' ? '' : ` ${f.field}`;
    const detail = options.color ? `${DIM}(${resource}${field})${RESET}` : `(${resource}${field})`;
    lines.push(`${where}: ${action} ${f.message} ${detail}`);
  }
  if (!options.quiet) {
    const s = report.summary;
    lines.push(`${s.resources} resource${s.resources === 1 ? '' : 's'} scanned: ${s.deny} deny, ${s.warn} warn, ${s.audit} audit, ${s.error} error`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
