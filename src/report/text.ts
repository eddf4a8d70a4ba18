import { resourceLabel } from '../k8s/object.js';
import type { Action } from '../engine/types.js';
import type { ScanFinding, ScanReport } from '../manifests/scan.js';

export interface TextOptions {
  color: boolean;
  /** Only findings that fail the run, and no summary. */
  quiet: boolean;
  failing: (action: Action) => boolean;
  /** List the findings inline suppressions left out, with their reasons. */
  showSuppressed?: boolean;
}

const COLORS: Record<Action, string> = { deny: '\x1b[31m', error: '\x1b[35m', warn: '\x1b[33m', audit: '\x1b[36m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

const ACTIONS: readonly Action[] = ['deny', 'warn', 'audit', 'error'];

export function formatText(report: ScanReport, options: TextOptions): string {
  const lines: string[] = [];
  const dim = (text: string): string => (options.color ? `${DIM}${text}${RESET}` : text);
  for (const f of report.findings) {
    if (options.quiet && !options.failing(f.action)) continue;
    const action = options.color ? `${COLORS[f.action]}${f.action}${RESET}` : f.action;
    lines.push(findingLine(f, action, dim));
  }
  if (options.showSuppressed === true) {
    for (const f of report.suppressed) lines.push(`${findingLine(f, 'suppressed', dim)} -- ${f.justification}`);
  }
  if (!options.quiet) {
    lines.push(...ruleTable(report.findings));
    const s = report.summary;
    const suppressed = s.suppressed === 0 ? '' : `, ${s.suppressed} suppressed`;
    lines.push(`${s.resources} resource${s.resources === 1 ? '' : 's'} scanned: ${s.deny} deny, ${s.warn} warn, ${s.audit} audit, ${s.error} error${suppressed}`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function findingLine(f: ScanFinding, action: string, dim: (text: string) => string): string {
  const where = `${f.file}:${f.line}`;
  if (f.resource.kind === '') return `${where}: ${action} ${f.message}`;
  const resource = resourceLabel(f.resource);
  const field = f.field === '' ? '' : ` ${f.field}`;
  return `${where}: ${action} ${f.message} ${dim(`(${resource}${field})`)}`;
}

/** Findings per rule and action, as ESLint's and kube-linter's summaries: nothing when there are none. */
function ruleTable(findings: readonly ScanFinding[]): string[] {
  if (findings.length === 0) return [];
  const counts = new Map<string, Record<Action, number>>();
  for (const f of findings) {
    const row = counts.get(f.ruleId) ?? { deny: 0, warn: 0, audit: 0, error: 0 };
    row[f.action] += 1;
    counts.set(f.ruleId, row);
  }
  const ids = [...counts.keys()].sort();
  const width = Math.max('rule'.length, ...ids.map((id) => id.length));
  const cell = (text: string | number): string => String(text).padStart(7);
  return [
    '',
    `${'rule'.padEnd(width)}${ACTIONS.map(cell).join('')}`,
    ...ids.map((id) => {
      const row = counts.get(id) ?? { deny: 0, warn: 0, audit: 0, error: 0 };
      return `${id.padEnd(width)}${ACTIONS.map((action) => cell(row[action])).join('')}`;
    }),
    '',
  ];
}
