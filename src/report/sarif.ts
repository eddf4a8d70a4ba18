import { relative, sep } from 'node:path';
import type { Action, Rule } from '../engine/types.js';
import { INLINE_SUPPRESSION, UNREADABLE_MANIFEST, type ScanFinding, type ScanReport, type SuppressedFinding } from '../manifests/scan.js';
import { DOCS_BASE } from '../rules/docs.js';

const LEVEL: Record<Action, 'error' | 'warning' | 'note'> = { deny: 'error', error: 'error', warn: 'warning', audit: 'note' };

/** Paths relative to the working directory with forward slashes, as GitHub code scanning expects. */
function artifactUri(file: string): string {
  if (file === '<stdin>') return 'stdin';
  return relative(process.cwd(), file).split(sep).join('/');
}

/**
 * SARIF 2.1.0 for GitHub code scanning: every rule with help text, results with physical locations. With
 * `showSuppressed`, the findings inline suppressions left out follow as results with an `inSource` suppression.
 */
export function formatSarif(report: ScanReport, rules: readonly Rule[], version: string, options: { showSuppressed?: boolean } = {}): string {
  const descriptors = [
    ...rules.map((rule) => ({
      id: rule.meta.id,
      description: rule.meta.description,
      remediation: rule.meta.remediation,
      level: LEVEL[rule.meta.defaultAction],
      helpUri: `${DOCS_BASE}/rules/${rule.meta.id}.md`,
    })),
    { ...UNREADABLE_MANIFEST, level: LEVEL.error, helpUri: `${DOCS_BASE}/cli.md#unreadable-files` },
    { ...INLINE_SUPPRESSION, level: LEVEL.warn, helpUri: `${DOCS_BASE}/cli.md#inline-suppression` },
  ];
  const ruleIndex = new Map(descriptors.map((rule, index) => [rule.id, index]));
  const result = (finding: ScanFinding | SuppressedFinding): Record<string, unknown> => {
    const index = ruleIndex.get(finding.ruleId);
    return {
      ruleId: finding.ruleId,
      ...(index !== undefined ? { ruleIndex: index } : {}),
      level: LEVEL[finding.action],
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(finding.file) },
            region: { startLine: Math.max(1, finding.line) },
          },
          logicalLocations: [
            {
              fullyQualifiedName: [finding.resource.kind, finding.resource.namespace, finding.resource.name]
                .filter((part) => part !== undefined && part !== '')
                .join('/'),
              kind: 'resource',
            },
          ],
        },
      ],
      partialFingerprints: { 'secretguard/v1': finding.fingerprint },
      ...('justification' in finding ? { suppressions: [{ kind: 'inSource', justification: finding.justification }] } : {}),
    };
  };
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'secretguard',
            version,
            informationUri: 'https://github.com/secretguard/secretguard',
            rules: descriptors.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              fullDescription: { text: rule.description },
              help: { text: rule.remediation, markdown: rule.remediation },
              helpUri: rule.helpUri,
              defaultConfiguration: { level: rule.level },
              properties: { tags: ['security', 'kubernetes', 'secrets'] },
            })),
          },
        },
        results: [
          ...report.findings.map((finding) => result(finding)),
          ...(options.showSuppressed === true ? report.suppressed.map((finding) => result(finding)) : []),
        ],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
