/**
 * Writes an audit's PolicyReports: server-side apply of each (updated in place, never recreated), then
 * deletion of secretguard's reports no longer produced (a namespace emptied or deleted).
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError, type KubeTransport } from '../cluster/informers.js';
import { isObject, objectAt, stringAt, type JsonObject } from '../k8s/json.js';
import { MANAGED_BY, MANAGED_BY_LABEL, POLICY_REPORT_GROUP, POLICY_REPORT_VERSION } from './policyreport.js';

export const FIELD_MANAGER = 'secretguard-audit';

/** The write side audit needs: a server-side apply and a delete. */
export interface KubeWriter {
  apply(path: string, object: JsonObject): Promise<number>;
  delete(path: string): Promise<number>;
}

export class KubeConfigWriter implements KubeWriter {
  constructor(private readonly kc: KubeConfig) {}

  private async send(method: string, path: string, query: Record<string, string>, body?: string, contentType?: string): Promise<number> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    const options: RequestOptions & { headers: Record<string, string> } = { method, headers };
    await this.kc.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(url, options, (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode ?? 0);
        });
        response.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  apply(path: string, object: JsonObject): Promise<number> {
    return this.send('PATCH', path, { fieldManager: FIELD_MANAGER, force: 'true' }, JSON.stringify(object), 'application/apply-patch+yaml');
  }

  delete(path: string): Promise<number> {
    return this.send('DELETE', path, {});
  }
}

const BASE = `/apis/${POLICY_REPORT_GROUP}/${POLICY_REPORT_VERSION}`;

function reportPath(report: JsonObject): string {
  const metadata = objectAt(report, 'metadata');
  const name = encodeURIComponent(stringAt(metadata, 'name') ?? '');
  const namespace = stringAt(metadata, 'namespace');
  return namespace === undefined ? `${BASE}/clusterpolicyreports/${name}` : `${BASE}/namespaces/${encodeURIComponent(namespace)}/policyreports/${name}`;
}

/** `namespace/name` (or `/name`) of secretguard's existing reports, read with the managed-by label. */
async function existingReports(transport: KubeTransport, plural: 'policyreports' | 'clusterpolicyreports'): Promise<string[]> {
  const keys: string[] = [];
  let continueToken = '';
  do {
    const query: Record<string, string> = { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`, limit: '500' };
    if (continueToken !== '') query['continue'] = continueToken;
    const page = await transport.getJson(`${BASE}/${plural}`, query);
    if (page.status !== 200) throw new KubeHttpError(page.status);
    const items = isObject(page.body) && Array.isArray(page.body['items']) ? page.body['items'] : [];
    for (const item of items) {
      const metadata = objectAt(item, 'metadata');
      keys.push(`${stringAt(metadata, 'namespace') ?? ''}/${stringAt(metadata, 'name') ?? ''}`);
    }
    continueToken = stringAt(objectAt(page.body, 'metadata'), 'continue') ?? '';
  } while (continueToken !== '');
  return keys;
}

export interface WriteOutcome {
  applied: number;
  deleted: number;
}

/** Applies every report, then deletes secretguard's reports that this audit did not produce. */
export async function writeReports(transport: KubeTransport, writer: KubeWriter, reports: readonly JsonObject[]): Promise<WriteOutcome> {
  const wanted = new Set<string>();
  for (const report of reports) {
    const metadata = objectAt(report, 'metadata');
    wanted.add(`${stringAt(metadata, 'namespace') ?? ''}/${stringAt(metadata, 'name') ?? ''}`);
    const status = await writer.apply(reportPath(report), report);
    if (status < 200 || status >= 300) throw new KubeHttpError(status);
  }
  let deleted = 0;
  for (const plural of ['policyreports', 'clusterpolicyreports'] as const) {
    for (const key of await existingReports(transport, plural)) {
      if (wanted.has(key)) continue;
      const slash = key.indexOf('/');
      const namespace = key.slice(0, slash);
      const name = encodeURIComponent(key.slice(slash + 1));
      const path = namespace === '' ? `${BASE}/clusterpolicyreports/${name}` : `${BASE}/namespaces/${encodeURIComponent(namespace)}/policyreports/${name}`;
      const status = await writer.delete(path);
      if (status !== 404 && (status < 200 || status >= 300)) throw new KubeHttpError(status);
      deleted++;
    }
  }
  return { applied: reports.length, deleted };
}
