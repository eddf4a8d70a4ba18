/**
 * wgpolicyk8s.io/v1alpha2 PolicyReports from an audit, in the shape Kyverno writes (policy, rule, result,
 * severity, resources), so Policy Reporter and other PolicyReport readers show secretguard next to Kyverno.
 * One PolicyReport per namespace with audited objects, one ClusterPolicyReport for cluster-scoped objects.
 * Results carry rule ids, message ids and the rules' messages, which name keys and detectors, never values.
 */
import type { Action } from '../engine/types.js';
import type { JsonObject } from '../k8s/json.js';
import type { ScanFinding, ScannedResource } from '../manifests/scan.js';

export const POLICY_REPORT_GROUP = 'wgpolicyk8s.io';
export const POLICY_REPORT_VERSION = 'v1alpha2';
export const REPORT_NAME = 'secretguard';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'secretguard';
/** Results kept per report: an object in etcd stays far below its 1.5 MiB limit. The summary counts all. */
export const MAX_RESULTS = 1000;

const RESULT: Record<Action, 'fail' | 'warn' | 'error'> = { deny: 'fail', warn: 'warn', audit: 'warn', error: 'error' };
const SEVERITY: Record<Action, 'high' | 'medium' | 'low'> = { deny: 'high', error: 'high', warn: 'medium', audit: 'low' };
const ORDER: Record<Action, number> = { deny: 0, error: 1, warn: 2, audit: 3 };

export interface Summary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

function objectReference(f: ScanFinding | ScannedResource): JsonObject {
  const r = f.resource;
  return { apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}), ...(r.name !== undefined ? { name: r.name } : {}) };
}

function resultOf(f: ScanFinding, timestamp: { seconds: number; nanos: number }): JsonObject {
  return {
    source: 'secretguard',
    policy: f.ruleId,
    rule: f.messageId,
    result: RESULT[f.action],
    severity: SEVERITY[f.action],
    category: 'Secrets',
    scored: true,
    message: f.message,
    timestamp,
    resources: [objectReference(f)],
    properties: { action: f.action, ...(f.field !== '' ? { field: f.field } : {}) },
  };
}

interface Bucket {
  resources: ScannedResource[];
}

function report(kind: 'PolicyReport' | 'ClusterPolicyReport', namespace: string | undefined, bucket: Bucket, labels: Record<string, string>, now: Date): JsonObject {
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const summary: Summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  const findings: ScanFinding[] = [];
  for (const scanned of bucket.resources) {
    const failed = new Set(scanned.findings.map((f) => f.ruleId));
    summary.pass += scanned.rules.filter((id) => !failed.has(id)).length;
    for (const f of scanned.findings) {
      summary[RESULT[f.action]] += 1;
      findings.push(f);
    }
  }
  findings.sort((a, b) => ORDER[a.action] - ORDER[b.action]);
  return {
    apiVersion: `${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}`,
    kind,
    metadata: { name: REPORT_NAME, ...(namespace !== undefined ? { namespace } : {}), labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY } },
    summary: { ...summary },
    results: findings.slice(0, MAX_RESULTS).map((f) => resultOf(f, timestamp)),
  };
}

/** The reports of one audit: one per namespace that holds audited objects, and the cluster report (always). */
export function policyReports(resources: readonly ScannedResource[], options: { labels?: Record<string, string>; now?: Date } = {}): { namespaced: JsonObject[]; cluster: JsonObject } {
  const labels = options.labels ?? {};
  const now = options.now ?? new Date();
  const byNamespace = new Map<string, Bucket>();
  const cluster: Bucket = { resources: [] };
  for (const scanned of resources) {
    const namespace = scanned.resource.namespace;
    if (namespace === undefined) {
      cluster.resources.push(scanned);
      continue;
    }
    let bucket = byNamespace.get(namespace);
    if (bucket === undefined) byNamespace.set(namespace, (bucket = { resources: [] }));
    bucket.resources.push(scanned);
  }
  const namespaced = [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ns, bucket]) => report('PolicyReport', ns, bucket, labels, now));
  return { namespaced, cluster: report('ClusterPolicyReport', undefined, cluster, labels, now) };
}

/** `audit --format policyreport`: a List that `kubectl apply -f` takes as it is. */
export function formatPolicyReports(resources: readonly ScannedResource[]): string {
  const { namespaced, cluster } = policyReports(resources);
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...namespaced, cluster] }, null, 2) + '\n';
}
