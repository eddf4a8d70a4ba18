import type { ScanReport } from '../manifests/scan.js';

/** The JSON contract other tools and the tests rely on. */
export function formatJson(report: ScanReport): string {
  const findings = report.findings.map((f) => ({
    ruleId: f.ruleId,
    action: f.action,
    message: f.message,
    resource: f.resource,
    file: f.file,
    line: f.line,
    field: f.field,
  }));
  return JSON.stringify({ findings, summary: report.summary }, null, 2) + '\n';
}
