import { readFileSync, writeFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { ajv } from '../config/ajv.js';
import { summarize, type ScanFinding, type ScanReport } from '../manifests/scan.js';
import { resourceLabel } from '../k8s/object.js';
import { UsageError } from './exit.js';

/** One recorded finding: its fingerprint, and what a reader needs to recognise it (never a value). */
interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  resource: string;
  field: string;
}

interface BaselineFile {
  version: 1;
  findings: BaselineEntry[];
}

/** Compiled when a baseline is read: most scans have none. */
let validate: ValidateFunction<BaselineFile> | undefined;
const BASELINE_SCHEMA = {
  type: 'object',
  required: ['version', 'findings'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fingerprint', 'ruleId', 'resource', 'field'],
        additionalProperties: false,
        properties: { fingerprint: { type: 'string' }, ruleId: { type: 'string' }, resource: { type: 'string' }, field: { type: 'string' } },
      },
    },
  },
} as const;

function resourceName(finding: ScanFinding): string {
  const r = finding.resource;
  return r.kind === '' ? finding.file : resourceLabel(r);
}

export function writeBaseline(path: string, findings: readonly ScanFinding[]): void {
  const entries = findings.map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, resource: resourceName(f), field: f.field }));
  const unique = [...new Map(entries.map((e) => [e.fingerprint, e])).values()];
  writeFileSync(path, JSON.stringify({ version: 1, findings: unique } satisfies BaselineFile, null, 2) + '\n');
}

export interface BaselineResult {
  report: ScanReport;
  baselined: number;
  stale: BaselineEntry[];
}

/** The report without the findings the baseline records; the entries nothing matched are stale. */
export function applyBaseline(path: string, report: ScanReport): BaselineResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // Never the parser's message: it may quote the file.
    throw new UsageError(`${path}: cannot read the baseline (${error instanceof SyntaxError ? 'invalid JSON' : ((error as NodeJS.ErrnoException).code ?? 'error')})`);
  }
  validate ??= ajv().compile<BaselineFile>(BASELINE_SCHEMA);
  if (!validate(parsed)) throw new UsageError(`${path}: not a secretguard baseline (${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? ''})`);
  const known = new Set(parsed.findings.map((e) => e.fingerprint));
  const seen = new Set<string>();
  const keep = (f: ScanFinding): boolean => {
    if (!known.has(f.fingerprint)) return true;
    seen.add(f.fingerprint);
    return false;
  };
  const findings = report.findings.filter(keep);
  const resources = report.resources.map((r) => ({ ...r, findings: r.findings.filter((f) => !known.has(f.fingerprint)) }));
  return {
    report: { ...report, findings, resources, summary: summarize(resources.length, findings, report.suppressed.length) },
    baselined: report.findings.length - findings.length,
    stale: parsed.findings.filter((e) => !seen.has(e.fingerprint)),
  };
}
