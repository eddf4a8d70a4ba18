import type { ScanFinding, ScanReport } from '../manifests/scan.js';

function entry(f: ScanFinding): Record<string, unknown> {
  return { ruleId: f.ruleId, action: f.action, message: f.message, resource: f.resource, file: f.file, line: f.line, field: f.field };
}

/** The JSON contract other tools and the tests rely on; `suppressed` lists what inline suppressions left out, on request. */
export function formatJson(report: ScanReport, options: { showSuppressed?: boolean } = {}): string {
  const findings = report.findings.map(entry);
  const suppressed = options.showSuppressed === true ? { suppressed: report.suppressed.map((f) => ({ ...entry(f), justification: f.justification })) } : {};
  return JSON.stringify({ findings, ...suppressed, summary: report.summary }, null, 2) + '\n';
}
