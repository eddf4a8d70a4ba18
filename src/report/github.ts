import { relative, sep } from 'node:path';
import type { Action } from '../engine/types.js';
import type { ScanFinding, ScanReport } from '../manifests/scan.js';

const COMMAND: Record<Action, string> = { deny: 'error', error: 'error', warn: 'warning', audit: 'notice' };

/** Workflow-command escaping: data escapes %, CR, LF; properties also : and ,. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** GitHub Actions annotations (`::error file=…,line=…,title=…::message`), one per finding, paths from the workspace. */
export function formatGithub(report: ScanReport, options: { showSuppressed?: boolean } = {}): string {
  const annotation = (command: string, f: ScanFinding, message: string): string => {
    const file = f.file === '<stdin>' ? f.file : relative(process.cwd(), f.file).split(sep).join('/');
    return `::${command} file=${escapeProperty(file)},line=${Math.max(1, f.line)},title=${escapeProperty(f.ruleId)}::${escapeData(message)}\n`;
  };
  const suppressed = options.showSuppressed === true ? report.suppressed.map((f) => annotation('notice', f, `suppressed: ${f.message} -- ${f.justification}`)) : [];
  return [...report.findings.map((f) => annotation(COMMAND[f.action], f, f.message)), ...suppressed].join('');
}
