/** One audit pass: what the cluster already stores, checked by every enabled rule with source `audit`. */
import { ClusterIndex } from '../cluster/cluster-index.js';
import { KubeHttpError, type KubeTransport } from '../cluster/informers.js';
import { resourceOf, type Engine } from '../engine/engine.js';
import { auditSubject } from '../engine/subject.js';
import { ESO_GROUP, ESO_VERSIONS } from '../k8s/eso-api.js';
import type { JsonObject } from '../k8s/json.js';
import { ownerReferencesOf } from '../k8s/object.js';
import { podSpecPath } from '../k8s/workloads.js';
import { summarize, type ScanFinding, type ScannedResource, type ScanReport } from '../manifests/scan.js';
import { discover, listEach, type AuditResource, type ListOptions, type Unlisted, type WantedKind } from './lister.js';
import { fingerprintOf } from '../manifests/fingerprint.js';

/** What the report's `file` column holds for stored objects: they have no file and no line (line 0). */
export const AUDIT_FILE = 'cluster';

export interface AuditOptions extends Omit<ListOptions, 'signal'> {
  /** The cluster's name in reports (kubeconfig context or Argo CD cluster name). */
  cluster: string;
  only?: ReadonlySet<string>;
  signal?: AbortSignal;
}

export interface AuditResult {
  report: ScanReport;
  /** Kinds that could not be listed (forbidden, not served): the audit is incomplete for them. */
  unlisted: Unlisted[];
  /** Kinds listed, as `group/version/kind`. */
  listed: string[];
}

const VIEW_KINDS: readonly WantedKind[] = [
  { group: '', kind: 'Namespace', versions: ['v1'] },
  { group: ESO_GROUP, kind: 'ClusterSecretStore', versions: ESO_VERSIONS['ClusterSecretStore'] ?? [] },
  { group: ESO_GROUP, kind: 'SecretStore', versions: ESO_VERSIONS['SecretStore'] ?? [] },
  { group: ESO_GROUP, kind: 'ExternalSecret', versions: ESO_VERSIONS['ExternalSecret'] ?? [] },
];

/** Group/kinds the enabled rules match, with the union of the versions they understand. */
export function ruleKinds(engine: Engine, only?: ReadonlySet<string>): WantedKind[] {
  const byKey = new Map<string, { group: string; kind: string; versions: Set<string> | undefined }>();
  for (const rule of engine.rules) {
    if (engine.config.rules.get(rule.meta.id)?.action === 'off') continue;
    if (only !== undefined && !only.has(rule.meta.id)) continue;
    for (const k of rule.meta.match.kinds) {
      const key = `${k.group}/${k.kind}`;
      const entry = byKey.get(key) ?? { group: k.group, kind: k.kind, versions: new Set<string>() };
      if (k.versions === undefined) entry.versions = undefined;
      else if (entry.versions !== undefined) for (const v of k.versions) entry.versions.add(v);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].map((e) => ({ group: e.group, kind: e.kind, versions: e.versions === undefined ? [] : [...e.versions] }));
}

/** A Pod, ReplicaSet or Job whose controller is itself a workload: the owner's template is checked instead. */
function ownedByWorkload(object: JsonObject, group: string, kind: string): boolean {
  if (podSpecPath(group, kind) === undefined) return false;
  return ownerReferencesOf(object).some((ref) => {
    if (!ref.controller) return false;
    const slash = ref.apiVersion.indexOf('/');
    return podSpecPath(slash === -1 ? '' : ref.apiVersion.slice(0, slash), ref.kind) !== undefined;
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof KubeHttpError) return error.statusCode === 403 ? 'forbidden (HTTP 403)' : `HTTP ${error.statusCode}`;
  // Only the class name: messages of network errors can carry the server's address and nothing else useful.
  return error instanceof Error ? error.name : 'error';
}

function idOf(resource: AuditResource): string {
  return `${resource.group === '' ? '' : resource.group + '/'}${resource.version}/${resource.kind}`;
}

/**
 * Lists the view's kinds into a ClusterIndex (records only), then every kind the rules match, page by
 * page: each object is checked and dropped, so a Secret's values live no longer than its page.
 * Throws when the API server cannot be reached for discovery; kinds that cannot be listed are reported.
 */
export async function runAudit(engine: Engine, transport: KubeTransport, options: AuditOptions): Promise<AuditResult> {
  const listOptions: ListOptions = {
    pageSize: options.pageSize,
    pageDelayMs: options.pageDelayMs,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  const wanted = ruleKinds(engine, options.only);
  // The rules' versions first: a kind both feed is listed in a version the rules understand.
  // A kind the server does not serve has no stored objects: nothing to audit, not an incomplete audit.
  const resources = await discover(transport, [...wanted, ...VIEW_KINDS]);
  const wantedKeys = new Set(wanted.map((w) => `${w.group}/${w.kind}`));
  const viewKeys = new Set(VIEW_KINDS.map((w) => `${w.group}/${w.kind}`));
  const unlisted: Unlisted[] = [];
  const listed: string[] = [];

  const view = new ClusterIndex();
  let viewComplete = true;
  for (const resource of resources.filter((r) => viewKeys.has(`${r.group}/${r.kind}`))) {
    try {
      await listEach(transport, resource, listOptions, (object) => view.upsert(object));
    } catch (error) {
      viewComplete = false;
      unlisted.push({ kind: `${resource.group === '' ? '' : resource.group + '/'}${resource.kind}`, reason: reasonOf(error) });
    }
  }
  view.synced = viewComplete;

  const findings: ScanFinding[] = [];
  const scanned: ScannedResource[] = [];
  const evaluateOptions = options.only === undefined ? {} : { only: options.only };
  for (const resource of resources.filter((r) => wantedKeys.has(`${r.group}/${r.kind}`))) {
    try {
      await listEach(transport, resource, listOptions, (object) => {
        if (ownedByWorkload(object, resource.group, resource.kind)) return;
        const subject = auditSubject(object, options.cluster);
        if (subject === undefined) return;
        const entry: ScannedResource = {
          resource: resourceOf(subject),
          file: AUDIT_FILE,
          line: 0,
          rules: engine.matchingRules(subject, evaluateOptions).map((r) => r.meta.id),
          findings: [],
        };
        scanned.push(entry);
        for (const finding of engine.evaluate(subject, view, evaluateOptions)) {
          const located: ScanFinding = { ...finding, file: AUDIT_FILE, line: 0, fingerprint: fingerprintOf(finding, object) };
          findings.push(located);
          entry.findings.push(located);
        }
      });
      listed.push(idOf(resource));
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      unlisted.push({ kind: `${resource.group === '' ? '' : resource.group + '/'}${resource.kind}`, reason: reasonOf(error) });
    }
  }
  return { report: { findings, suppressed: [], resources: scanned, summary: summarize(scanned.length, findings), skipped: [] }, unlisted, listed };
}
