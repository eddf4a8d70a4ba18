import { relative, sep } from 'node:path';
import type { Action, Rule } from '../engine/types.js';
import type { ScanReport } from '../manifests/scan.js';
import { DOCS_BASE } from '../rules/docs.js';

const LEVEL: Record<Action, 'error' | 'warning' | 'note'> = { deny: 'error', error: 'error', warn: 'warning', audit: 'note' };

/** Paths relative to the working directory with forward slashes, as GitHub code scanning expects. */
function artifactUri(file: string): string {
  if (file === '<stdin>') return 'stdin';
  return relative(process.cwd(), file).split(sep).join('/');
}

/** SARIF 2.1.0 for GitHub code scanning: every rule with help text, results with physical locations. */
export function formatSarif(report: ScanReport, rules: readonly Rule[], version: string): string {
  const ruleIndex = new Map(rules.map((rule, index) => [rule.meta.id, index]));
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
            rules: rules.map((rule) => ({
              id: rule.meta.id,
              name: rule.meta.id,
              shortDescription: { text: rule.meta.description },
              fullDescription: { text: rule.meta.description },
              help: { text: rule.meta.remediation, markdown: rule.meta.remediation },
              helpUri: `${DOCS_BASE}/rules/${rule.meta.id}.md`,
              defaultConfiguration: { level: LEVEL[rule.meta.defaultAction] },
              properties: { tags: ['security', 'kubernetes', 'secrets'] },
            })),
          },
        },
        results: report.findings.map((finding) => {
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
            partialFingerprints: {
              resourceField: `${finding.resource.kind}/${finding.resource.namespace ?? ''}/${finding.resource.name ?? ''}${finding.field}#${finding.ruleId}`,
            },
          };
        }),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
