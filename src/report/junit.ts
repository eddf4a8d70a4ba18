import { resourceLabel } from '../k8s/object.js';
import type { Action } from '../engine/types.js';
import { UNREADABLE_MANIFEST, type ScanReport } from '../manifests/scan.js';

/** XML 1.0 allows no control characters but tab, newline and carriage return. */
function withoutControlCharacters(text: string): string {
  let result = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) result += text[i] ?? '';
  }
  return result;
}

function escapeXml(text: string): string {
  return withoutControlCharacters(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** JUnit XML: one testcase per resource and applicable rule; failing findings are failures, rule errors are errors. */
export function formatJunit(report: ScanReport, failing: (action: Action) => boolean): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  // Unreadable files belong to no resource: one errored testcase per file.
  for (const finding of report.findings) {
    if (finding.ruleId !== UNREADABLE_MANIFEST.id) continue;
    errors += 1;
    const location = escapeXml(`${finding.file}:${finding.line}`);
    cases.push(
      `    <testcase classname="${escapeXml(finding.file)}" name="${escapeXml(`${finding.file} ${finding.ruleId}`)}">\n` +
        `      <error message="${escapeXml(finding.message)}" type="error">${location}</error>\n    </testcase>`,
    );
  }
  for (const scanned of report.resources) {
    const r = scanned.resource;
    const resourceName = resourceLabel(r);
    const classname = escapeXml(scanned.file);
    const ruleIds = [...new Set([...scanned.rules, ...scanned.findings.map((f) => f.ruleId)])];
    for (const ruleId of ruleIds) {
      const body: string[] = [];
      for (const finding of scanned.findings.filter((f) => f.ruleId === ruleId)) {
        const location = escapeXml(`${finding.file}:${finding.line} ${finding.field}`);
        const message = escapeXml(finding.message);
        if (finding.action === 'error') {
          errors += 1;
          body.push(`      <error message="${message}" type="error">${location}</error>`);
        } else if (failing(finding.action)) {
          failures += 1;
          body.push(`      <failure message="${message}" type="${finding.action}">${location}</failure>`);
        } else {
          body.push(`      <system-out>${escapeXml(`${finding.action}: ${finding.message}`)}</system-out>`);
        }
      }
      const name = escapeXml(`${resourceName} ${ruleId}`);
      cases.push(
        body.length === 0
          ? `    <testcase classname="${classname}" name="${name}"/>`
          : `    <testcase classname="${classname}" name="${name}">\n${body.join('\n')}\n    </testcase>`,
      );
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="secretguard" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="secretguard scan" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
