/**
 * `audit --argocd-clusters`: from the hub, audit every spoke Argo CD knows, with the credentials its cluster
 * Secrets hold (bearer token and TLS client config, as Argo CD connects). Credentials stay in memory: they
 * reach no output, log or error message. Unreachable spokes are reported, never fatal.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigTransport, KubeHttpError, type KubeTransport } from '../cluster/informers.js';
import type { Engine } from '../engine/engine.js';
import type { Action } from '../engine/types.js';
import { arrayAt, isObject, objectAt, stringAt, stringMapAt, type JsonObject } from '../k8s/json.js';
import { resourceLabel, UNNAMED, type ResourceRef } from '../k8s/object.js';
import { MANAGED_BY, MANAGED_BY_LABEL, MAX_RESULTS, POLICY_REPORT_GROUP, POLICY_REPORT_VERSION } from './policyreport.js';
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

interface ExecUser {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  interactiveMode: 'Never';
}

/**
 * Argo CD's execProviderConfig (command, args, env as a map, apiVersion) as a kubeconfig exec user, which
 * @kubernetes/client-node runs as kubectl does: the command prints an ExecCredential, whose token is kept in
 * memory only. Argo CD's default apiVersion is client.authentication.k8s.io/v1beta1.
 */
function execUser(value: unknown): ExecUser | 'invalid' | undefined {
  if (value === undefined || value === null) return undefined;
  const command = stringAt(value, 'command');
  if (command === undefined || command === '') return 'invalid';
  const args = (arrayAt(value, 'args') ?? []).filter((arg): arg is string => typeof arg === 'string');
  const env = Object.entries(stringMapAt(value, 'env')).map(([envName, envValue]) => ({ name: envName, value: envValue }));
  return { command, args, env, apiVersion: stringAt(value, 'apiVersion') ?? 'client.authentication.k8s.io/v1beta1', interactiveMode: 'Never' };
}

/** The spoke an Argo CD cluster Secret describes, with an in-memory kubeconfig for it. */
export function spokeFromSecret(secret: JsonObject): Spoke {
  const data = stringMapAt(secret, 'data');
  const name = decode(data['name']) ?? stringAt(objectAt(secret, 'metadata'), 'name') ?? UNNAMED;
  const server = decode(data['server']) ?? '';
  if (!/^https?:\/\//.test(server)) return { name, server, problem: 'no server URL' };
  let config: unknown;
  try {
    config = JSON.parse(decode(data['config']) ?? '{}');
  } catch {
    return { name, server, problem: 'config is not JSON' };
  }
  if (!isObject(config)) return { name, server, problem: 'config is not a JSON object' };
  if (config['awsAuthConfig'] !== undefined) return { name, server, problem: 'AWS authentication (argocd-k8s-auth aws) is not supported yet' };
  const exec = execUser(config['execProviderConfig']);
  if (exec === 'invalid') return { name, server, problem: 'execProviderConfig has no command' };
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
        ...(exec !== undefined ? { exec } : {}),
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

/** Every item of a list path matching a label selector, 100 a page. */
async function listItems(transport: KubeTransport, path: string, labelSelector: string): Promise<JsonObject[]> {
  const items: JsonObject[] = [];
  let continueToken = '';
  do {
    const query: Record<string, string> = { labelSelector, limit: '100' };
    if (continueToken !== '') query['continue'] = continueToken;
    const page = await transport.getJson(path, query);
    if (page.status !== 200) throw new KubeHttpError(page.status);
    const pageItems = isObject(page.body) && Array.isArray(page.body['items']) ? page.body['items'] : [];
    for (const item of pageItems) if (isObject(item)) items.push(item);
    continueToken = stringAt(objectAt(page.body, 'metadata'), 'continue') ?? '';
  } while (continueToken !== '');
  return items;
}

/** Argo CD's cluster Secrets in `namespace` on the hub, paged. */
export async function clusterSecrets(hub: KubeTransport, namespace: string): Promise<JsonObject[]> {
  return listItems(hub, `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`, CLUSTER_SECRET_SELECTOR);
}

type Worst = NonNullable<FleetCluster['worst']>[number];

/** The counts, per-rule totals and worst offenders of a spoke, from its findings. */
function tally(findings: readonly Worst[]): Required<Pick<FleetCluster, 'counts' | 'byRule' | 'worst'>> {
  const counts: Record<Action, number> = { deny: 0, warn: 0, audit: 0, error: 0 };
  const byRule: Record<string, number> = {};
  for (const f of findings) {
    counts[f.action]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  const worst = [...findings].sort((a, b) => ACTION_ORDER[a.action] - ACTION_ORDER[b.action]).slice(0, WORST);
  return { counts, byRule, worst };
}

const REPORTS_PATH = `/apis/${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}`;
const ACTIONS: readonly Action[] = ['deny', 'warn', 'audit', 'error'];

/** A result's action: the one secretguard wrote in its properties, else read back from result and severity. */
function actionOf(result: JsonObject): Action {
  const written = stringAt(objectAt(result, 'properties'), 'action');
  if (written !== undefined && (ACTIONS as readonly string[]).includes(written)) return written as Action;
  const outcome = stringAt(result, 'result');
  if (outcome === 'fail') return 'deny';
  if (outcome === 'error') return 'error';
  return stringAt(result, 'severity') === 'low' ? 'audit' : 'warn';
}

/**
 * A spoke's own background audit, read back from the PolicyReports it wrote (secretguard's only, by label), so
 * the hub reads Secrets on no spoke. Reports keep at most MAX_RESULTS results each: a capped report makes the
 * spoke `incomplete`, since its counts then cover only the results kept.
 */
async function readSpokeReports(spoke: Spoke): Promise<FleetCluster> {
  const base = { name: spoke.name, server: spoke.server };
  if (spoke.kubeConfig === undefined) return { ...base, status: 'unsupported', reason: spoke.problem ?? 'unusable' };
  const transport = new KubeConfigTransport(spoke.kubeConfig);
  const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
  let reports: JsonObject[];
  try {
    reports = [...(await listItems(transport, `${REPORTS_PATH}/policyreports`, selector)), ...(await listItems(transport, `${REPORTS_PATH}/clusterpolicyreports`, selector))];
  } catch (error) {
    if (error instanceof KubeHttpError && error.statusCode === 404) return { ...base, status: 'unsupported', reason: 'no PolicyReport API on the spoke (install the CRDs and turn background audit on)' };
    return { ...base, status: 'unreachable', reason: reasonOf(error) };
  }
  if (reports.length === 0) return { ...base, status: 'incomplete', reason: 'no secretguard PolicyReports on the spoke (is background audit on?)', ...tally([]) };
  const findings: Worst[] = [];
  let capped = false;
  for (const report of reports) {
    const results = (arrayAt(report, 'results') ?? []).filter(isObject);
    const summary = objectAt(report, 'summary');
    const counted = ['fail', 'warn', 'error'].reduce((sum, key) => sum + (typeof summary?.[key] === 'number' ? summary[key] : 0), 0);
    if (counted > results.length) capped = true;
    for (const result of results) {
      const resource = (arrayAt(result, 'resources') ?? []).find(isObject);
      const namespace = stringAt(resource, 'namespace');
      const name = stringAt(resource, 'name');
      findings.push({
        ruleId: stringAt(result, 'policy') ?? '',
        action: actionOf(result),
        resource: { apiVersion: stringAt(resource, 'apiVersion') ?? '', kind: stringAt(resource, 'kind') ?? '', ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) },
        field: stringAt(objectAt(result, 'properties'), 'field') ?? '',
        message: stringAt(result, 'message') ?? '',
      });
    }
  }
  return { ...base, status: capped ? 'incomplete' : 'ok', ...(capped ? { reason: `results capped at ${MAX_RESULTS} per report` } : {}), ...tally(findings) };
}

async function auditSpoke(engine: Engine, spoke: Spoke, options: { pageSize: number; pageDelayMs: number }): Promise<FleetCluster> {
  const base = { name: spoke.name, server: spoke.server };
  if (spoke.kubeConfig === undefined) return { ...base, status: 'unsupported', reason: spoke.problem ?? 'unusable' };
  try {
    const result = await runAudit(engine, new KubeConfigTransport(spoke.kubeConfig), { cluster: spoke.name, pageSize: options.pageSize, pageDelayMs: options.pageDelayMs });
    return {
      ...base,
      status: result.unlisted.length === 0 ? 'ok' : 'incomplete',
      ...(result.unlisted.length > 0 ? { reason: result.unlisted.map((u) => `${u.kind}: ${u.reason}`).join(', ') } : {}),
      resources: result.report.summary.resources,
      ...tally(result.report.findings.map((f) => ({ ruleId: f.ruleId, action: f.action, resource: f.resource, field: f.field, message: f.message }))),
    };
  } catch (error) {
    return { ...base, status: 'unreachable', reason: reasonOf(error) };
  }
}

/**
 * Every spoke audited, at most `concurrency` at a time, in the order of their names; with `fromPolicyReports`,
 * each spoke's PolicyReports are read instead.
 */
export async function auditFleet(
  engine: Engine,
  spokes: readonly Spoke[],
  options: { pageSize: number; pageDelayMs: number; concurrency: number; fromPolicyReports?: boolean },
): Promise<FleetCluster[]> {
  const sorted = [...spokes].sort((a, b) => a.name.localeCompare(b.name));
  const results: FleetCluster[] = new Array<FleetCluster>(sorted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sorted.length) {
      const index = next++;
      const spoke = sorted[index];
      if (spoke !== undefined) results[index] = options.fromPolicyReports === true ? await readSpokeReports(spoke) : await auditSpoke(engine, spoke, options);
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
    const resources = c.resources === undefined ? '' : `, ${c.resources} resources`;
    lines.push(`${c.name} (${c.server}): ${c.status}${c.reason !== undefined ? ` (${c.reason})` : ''}${resources}: ${s.deny} deny, ${s.warn} warn, ${s.audit} audit, ${s.error} error`);
    for (const [rule, n] of Object.entries(c.byRule ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))) lines.push(`  ${rule}: ${n}`);
    for (const w of c.worst ?? []) {
      const r = w.resource;
      lines.push(`  ${w.action} ${resourceLabel(r)}${w.field === '' ? '' : ' ' + w.field}: ${w.message}`);
    }
  }
  const reached = clusters.filter((c) => c.counts !== undefined).length;
  lines.push(`${clusters.length} clusters, ${reached} audited, ${clusters.length - reached} not reached`);
  return lines.join('\n') + '\n';
}

export function formatFleetJson(clusters: readonly FleetCluster[]): string {
  return JSON.stringify({ clusters }, null, 2) + '\n';
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}
section{border:1px solid #ccc;border-radius:6px;margin:1em 0;padding:.5em 1em}h2{font-size:1.1em;margin:.3em 0}
.status{padding:.1em .5em;border-radius:4px;font-size:.85em}.ok{background:#d7f5dd}.incomplete{background:#fdf0c2}
.unreachable,.unsupported{background:#f9d0d0}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .6em;text-align:left;vertical-align:top}
.deny,.error{color:#b00020;font-weight:600}.warn{color:#9a6700}.audit{color:#0a5a8a}`;

/** A self-contained page (inline style, no script, nothing fetched): one section per cluster. */
export function formatFleetHtml(clusters: readonly FleetCluster[]): string {
  const sections = clusters.map((c) => {
    const head = `<h2>${escapeHtml(c.name)} <span class="status ${c.status}">${c.status}</span></h2><p>${escapeHtml(c.server)}${c.reason !== undefined ? ` — ${escapeHtml(c.reason)}` : ''}</p>`;
    if (c.counts === undefined) return `<section>${head}</section>`;
    const s = c.counts;
    const counts = `<p>${c.resources ?? 0} resources: <span class="deny">${s.deny} deny</span>, <span class="warn">${s.warn} warn</span>, <span class="audit">${s.audit} audit</span>, <span class="error">${s.error} error</span></p>`;
    const rules = Object.entries(c.byRule ?? {}).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const ruleTable = rules.length === 0 ? '' : `<table><tr><th>rule</th><th>findings</th></tr>${rules.map(([r, n]) => `<tr><td>${escapeHtml(r)}</td><td>${n}</td></tr>`).join('')}</table>`;
    const worst = (c.worst ?? []).map((w) => {
      const r = w.resource;
      const where = `${resourceLabel(r)}${w.field === '' ? '' : ' ' + w.field}`;
      return `<tr><td class="${w.action}">${w.action}</td><td>${escapeHtml(where)}</td><td>${escapeHtml(w.message)}</td></tr>`;
    });
    const worstTable = worst.length === 0 ? '' : `<table><tr><th>action</th><th>resource</th><th>finding</th></tr>${worst.join('')}</table>`;
    return `<section>${head}${counts}${ruleTable}${worstTable}</section>`;
  });
  const reached = clusters.filter((c) => c.counts !== undefined).length;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>secretguard fleet audit</title><style>${STYLE}</style></head>
<body><h1>secretguard fleet audit</h1><p>${clusters.length} clusters, ${reached} audited, ${clusters.length - reached} not reached</p>
${sections.join('\n')}
</body></html>
`;
}
