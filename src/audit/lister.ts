/** Discovery and paged, rate-limited lists of the kinds audit reads, through a KubeTransport. */
import { KubeHttpError, type KubeTransport } from '../cluster/informers.js';
import { isObject, objectAt, stringAt, type JsonObject } from '../k8s/json.js';

export interface WantedKind {
  group: string;
  kind: string;
  /** Versions the rules understand, preferred first; empty means any. */
  versions: readonly string[];
}

export interface AuditResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface ListOptions {
  /** Objects per page (`limit`). */
  pageSize: number;
  /** Pause between two page requests, so that a big cluster's audit does not load the API server. */
  pageDelayMs: number;
  /** Only this namespace (namespaced kinds); cluster-scoped kinds are listed whole. */
  namespace?: string;
  signal?: AbortSignal;
}

/** A kind audit wanted but could not read, and why (an HTTP status). */
export interface Unlisted {
  kind: string;
  reason: string;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted === true) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

function apiPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

async function getOk(transport: KubeTransport, path: string): Promise<unknown> {
  const response = await transport.getJson(path);
  if (response.status !== 200) throw new KubeHttpError(response.status);
  return response.body;
}

/**
 * For each wanted kind, the version to list: the first one the API server serves that the rules
 * understand, in the server's order of preference. Kinds the server does not serve are left out.
 */
export async function discover(transport: KubeTransport, wanted: readonly WantedKind[]): Promise<AuditResource[]> {
  const groups = new Map<string, string[]>([['', ['v1']]]);
  if (wanted.some((w) => w.group !== '')) {
    const body = await getOk(transport, '/apis');
    const list = isObject(body) && Array.isArray(body['groups']) ? body['groups'] : [];
    for (const group of list) {
      const name = stringAt(group, 'name');
      const versions = isObject(group) && Array.isArray(group['versions']) ? group['versions'] : [];
      const preferred = stringAt(objectAt(group, 'preferredVersion'), 'version');
      const served = versions.map((v) => stringAt(v, 'version')).filter((v): v is string => v !== undefined);
      if (name !== undefined) groups.set(name, preferred !== undefined ? [preferred, ...served.filter((v) => v !== preferred)] : served);
    }
  }
  const catalogues = new Map<string, unknown[]>();
  const catalogue = async (group: string, version: string): Promise<unknown[]> => {
    const key = `${group}/${version}`;
    let items = catalogues.get(key);
    if (items === undefined) {
      const body = await getOk(transport, apiPath(group, version));
      items = isObject(body) && Array.isArray(body['resources']) ? body['resources'] : [];
      catalogues.set(key, items);
    }
    return items;
  };
  const resources: AuditResource[] = [];
  const seen = new Set<string>();
  for (const want of wanted) {
    if (seen.has(`${want.group}/${want.kind}`)) continue;
    seen.add(`${want.group}/${want.kind}`);
    const served = groups.get(want.group);
    if (served === undefined) continue;
    const candidates = want.versions.length === 0 ? served : served.filter((v) => want.versions.includes(v));
    let found: AuditResource | undefined;
    for (const version of candidates) {
      const entry = (await catalogue(want.group, version)).find((r) => stringAt(r, 'kind') === want.kind && !(stringAt(r, 'name') ?? '').includes('/'));
      if (entry === undefined) continue;
      const verbs = isObject(entry) && Array.isArray(entry['verbs']) ? entry['verbs'] : [];
      if (!verbs.includes('list')) continue;
      found = { group: want.group, version, kind: want.kind, plural: stringAt(entry, 'name') ?? '', namespaced: isObject(entry) && entry['namespaced'] === true };
      break;
    }
    if (found !== undefined) resources.push(found);
  }
  return resources;
}

/** The collection path of a resource, in one namespace when given and the resource is namespaced. */
export function collectionPath(resource: AuditResource, namespace: string | undefined): string {
  const base = apiPath(resource.group, resource.version);
  return resource.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}` : `${base}/${resource.plural}`;
}

/**
 * Every object of a resource, page by page (`limit`/`continue`), each handed to `visit` and then
 * dropped: a page is the most that is ever alive. Throws KubeHttpError when a page is refused.
 */
export async function listEach(transport: KubeTransport, resource: AuditResource, options: ListOptions, visit: (object: JsonObject) => void): Promise<void> {
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  const path = collectionPath(resource, options.namespace);
  let continueToken = '';
  let first = true;
  do {
    if (!first) await sleep(options.pageDelayMs, options.signal);
    first = false;
    if (options.signal?.aborted === true) return;
    const query: Record<string, string> = { limit: String(options.pageSize) };
    if (continueToken !== '') query['continue'] = continueToken;
    const page = await transport.getJson(path, query);
    if (page.status !== 200) throw new KubeHttpError(page.status);
    const items = isObject(page.body) && Array.isArray(page.body['items']) ? page.body['items'] : [];
    // Lists leave apiVersion and kind out of their items.
    for (const item of items) if (isObject(item)) visit({ ...item, apiVersion, kind: resource.kind });
    continueToken = stringAt(objectAt(page.body, 'metadata'), 'continue') ?? '';
  } while (continueToken !== '');
}
