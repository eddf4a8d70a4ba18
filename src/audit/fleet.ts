/**
 * `audit --argocd-clusters`: from the hub, audit every spoke Argo CD knows, with the credentials its cluster
 * Secrets hold (bearer token and TLS client config, as Argo CD connects). Credentials stay in memory: they
 * reach no output, log or error message. Unreachable spokes are reported, never fatal.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigTransport, KubeHttpError, type KubeTransport } from '../cluster/informers.js';
import type { Engine } from '../engine/engine.js';
import type { Action } from '../engine/types.js';
import { isObject, objectAt, stringAt, stringMapAt, type JsonObject } from '../k8s/json.js';
import type { ResourceRef } from '../k8s/object.js';
import { runAudit } from './run.js';

export const CLUSTER_SECRET_SELECTOR = 'argocd.argoproj.io/secret-type=cluster';
const WORST = 5;

export interface Spoke {
  name: string;
  server: string;
  /** Set when the Secret can be used; otherwise `problem` says why not. */
  kubeConfig?: KubeConfig;
  problem?: string;
}

export interface FleetCluster {
  name: string;
  server: string;
  status: 'ok' | 'incomplete' | 'unreachable' | 'unsupported';
  reason?: string;
  resources?: number;
  counts?: Record<Action, number>;
  byRule?: Record<string, number>;
  worst?: { ruleId: string; action: Action; resource: ResourceRef; field: string; message: string }[];
}

const ACTION_ORDER: Record<Action, number> = { deny: 0, error: 1, warn: 2, audit: 3 };

function decode(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The spoke an Argo CD cluster Secret describes, with an in-memory kubeconfig for it. */
export function spokeFromSecret(secret: JsonObject): Spoke {
  const data = stringMapAt(secret, 'data');
  const name = decode(data['name']) ?? stringAt(objectAt(secret, 'metadata'), 'name') ?? '(unnamed)';
  const server = decode(data['server']) ?? '';
  if (!/^https?:\/\//.test(server)) return { name, server, problem: 'no server URL' };
  let config: unknown;
  try {
    config = JSON.parse(decode(data['config']) ?? '{}');
  } catch {
    return { name, server, problem: 'config is not JSON' };
  }
  if (!isObject(config)) return { name, server, problem: 'config is not a JSON object' };
  if (config['execProviderConfig'] !== undefined || config['awsAuthConfig'] !== undefined) {
    return { name, server, problem: 'exec and AWS authentication are not supported yet' };
  }
  const tls = objectAt(config, 'tlsClientConfig');
  const token = stringAt(config, 'bearerToken');
  const username = stringAt(config, 'username');
  const password = stringAt(config, 'password');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'spoke',
        server,
        skipTLSVerify: tls?.['insecure'] === true,
        ...(stringAt(tls, 'caData') !== undefined ? { caData: stringAt(tls, 'caData') } : {}),
        ...(stringAt(tls, 'serverName') !== undefined ? { tlsServerName: stringAt(tls, 'serverName') } : {}),
      },
    ],
    users: [
      {
        name: 'spoke',
        ...(token !== undefined ? { token } : {}),
        ...(username !== undefined && password !== undefined ? { username, password } : {}),
        ...(stringAt(tls, 'certData') !== undefined ? { certData: stringAt(tls, 'certData') } : {}),
        ...(stringAt(tls, 'keyData') !== undefined ? { keyData: stringAt(tls, 'keyData') } : {}),
      },
    ],
    contexts: [{ name: 'spoke', cluster: 'spoke', user: 'spoke' }],
    currentContext: 'spoke',
  });
  return { name, server, kubeConfig: kc };
}

function reasonOf(error: unknown): string {
  if (error instanceof KubeHttpError) return `HTTP ${error.statusCode}`;
  // Only the class name and a Node error code: messages can carry addresses and nothing more useful.
  const code = isObject(error) && typeof error['code'] === 'string' ? ` ${error['code']}` : '';
  return `${error instanceof Error ? error.name : 'error'}${code}`;
}

/** Argo CD's cluster Secrets in `namespace` on the hub, paged. */
export async function clusterSecrets(hub: KubeTransport, namespace: string): Promise<JsonObject[]> {
  const secrets: JsonObject[] = [];
  let continueToken = '';
  do {
    const query: Record<string, string> = { labelSelector: CLUSTER_SECRET_SELECTOR, limit: '100' };
    if (continueToken !== '') query['continue'] = continueToken;
    const page = await hub.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`, query);
    if (page.status !== 200) throw new KubeHttpError(page.status);
    const items = isObject(page.body) && Array.isArray(page.body['items']) ? page.body['items'] : [];
    for (const item of items) if (isObject(item)) secrets.push(item);
    continueToken = stringAt(objectAt(page.body, 'metadata'), 'continue') ?? '';
  } while (continueToken !== '');
  return secrets;
}

async function auditSpoke(engine: Engine, spoke: Spoke, options: { pageSize: number; pageDelayMs: number }): Promise<FleetCluster> {
  const base = { name: spoke.name, server: spoke.server };
  if (spoke.kubeConfig === undefined) return { ...base, status: 'unsupported', reason: spoke.problem ?? 'unusable' };
  try {
    const result = await runAudit(engine, new KubeConfigTransport(spoke.kubeConfig), { cluster: spoke.name, pageSize: options.pageSize, pageDelayMs: options.pageDelayMs });
    const counts: Record<Action, number> = { deny: 0, warn: 0, audit: 0, error: 0 };
    const byRule: Record<string, number> = {};
    for (const f of result.report.findings) {
      counts[f.action]++;
      byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    }
    const worst = [...result.report.findings]
      .sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action])
      .slice(0, WORST)
      .map((f) => ({ ruleId: f.ruleId, action: f.action, resource: f.resource, field: f.field, message: f.message }));
    return {
      ...base,
      status: result.unlisted.length === 0 ? 'ok' : 'incomplete',
      ...(result.unlisted.length > 0 ? { reason: result.unlisted.map((u) => `${u.kind}: ${u.reason}`).join(', ') } : {}),
      resources: result.report.summary.resources,
      counts,
      byRule,
      worst,
    };
  } catch (error) {
    return { ...base, status: 'unreachable', reason: reasonOf(error) };
  }
}

/** Every spoke audited, at most `concurrency` at a time, in the order of their names. */
export async function auditFleet(engine: Engine, spokes: readonly Spoke[], options: { pageSize: number; pageDelayMs: number; concurrency: number }): Promise<FleetCluster[]> {
  const sorted = [...spokes].sort((a, b) => a.name.localeCompare(b.name));
  const results: FleetCluster[] = new Array<FleetCluster>(sorted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sorted.length) {
      const index = next++;
      const spoke = sorted[index];
      if (spoke !== undefined) results[index] = await auditSpoke(engine, spoke, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, sorted.length) }, () => worker()));
  return results;
}

export function formatFleetText(clusters: readonly FleetCluster[]): string {
  const lines: string[] = [];
  for (const c of clusters) {
    if (c.counts === undefined) {
      lines.push(`${c.name} (${c.server}): ${c.status}${c.reason !== undefined ? ` (${c.reason})` : ''}`);
      continue;
    }
    const s = c.counts;
    lines.push(`${c.name} (${c.server}): ${c.status}${c.reason !== undefined ? ` (${c.reason})` : ''}, ${c.resources ?? 0} resources: ${s.deny} deny, ${s.warn} warn, ${s.audit} audit, ${s.error} error`);
    for (const [rule, n] of Object.entries(c.byRule ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))) lines.push(`  ${rule}: ${n}`);
    for (const w of c.worst ?? []) {
      const r = w.resource;
      lines.push(`  ${w.action} ${r.kind} ${r.namespace !== undefined ? r.namespace + '/' : ''}${r.name ?? '(unnamed)'}${w.field === '' ? '' : ' ' + w.field}: ${w.message}`);
    }
  }
  const reached = clusters.filter((c) => c.counts !== undefined).length;
  lines.push(`${clusters.length} clusters, ${reached} audited, ${clusters.length - reached} not reached`);
  return lines.join('\n') + '\n';
}

export function formatFleetJson(clusters: readonly FleetCluster[]): string {
  return JSON.stringify({ clusters }, null, 2) + '\n';
}
