import type { EventLogger } from '../log.js';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { ESO_GROUP, ESO_VERSIONS } from '../k8s/eso-api.js';
import { isObject, objectAt, stringAt, type JsonObject } from '../k8s/json.js';
import type { ClusterIndex } from './cluster-index.js';

/** The ESO kinds the view watches, with their resource names. */
const ESO_KINDS = [
  { kind: 'ClusterSecretStore', plural: 'clustersecretstores' },
  { kind: 'SecretStore', plural: 'secretstores' },
  { kind: 'ExternalSecret', plural: 'externalsecrets' },
] as const;

/** The read side of the Kubernetes API the informers use: a JSON GET and a line-delimited watch stream. */
export interface KubeTransport {
  getJson(path: string, query?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Opens a watch; `onOpen` once the server answered 200; resolves when the server ends the stream. */
  watch(path: string, query: Record<string, string>, onOpen: () => void, onLine: (line: string) => void, signal: AbortSignal): Promise<void>;
}

export class KubeHttpError extends Error {
  override name = 'KubeHttpError';
  constructor(readonly statusCode: number) {
    super(`HTTP ${statusCode}`);
  }
}

/** Transport through a kubeconfig (file, in-cluster, or default), using client-node's auth handling. */
export class KubeConfigTransport implements KubeTransport {
  constructor(private readonly kc: KubeConfig) {}

  static fromOptions(kubeconfig: string | undefined): KubeConfigTransport {
    const kc = new KubeConfig();
    if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
    return new KubeConfigTransport(kc);
  }

  private async open(path: string, query: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const cluster = this.kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const options: RequestOptions & { headers: Record<string, string> } = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = send(url, { ...options, ...(signal ? { signal } : {}) }, resolve);
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      req.on('error', reject);
      req.end();
    });
  }

  async getJson(path: string, query: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const response = await this.open(path, query, 60_000);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (an HTML error page from a proxy): the status code says enough
    }
    return { status: response.statusCode ?? 0, body };
  }

  async watch(path: string, query: Record<string, string>, onOpen: () => void, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    // The server ends the watch after timeoutSeconds; anything silent for longer is a dead connection.
    const idleMs = (Number(query['timeoutSeconds'] ?? '300') + 30) * 1000;
    const response = await this.open(path, query, idleMs, signal);
    if (response.statusCode !== 200) {
      response.resume();
      throw new KubeHttpError(response.statusCode ?? 0);
    }
    onOpen();
    const lines = createInterface({ input: response, crlfDelay: Infinity });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', onLine);
      lines.on('close', resolve);
      // readline re-emits its input's errors (a dropped connection is 'aborted'): without this listener they are uncaught.
      lines.on('error', reject);
      response.on('error', reject);
      response.on('aborted', () => {
        reject(new Error('watch aborted'));
      });
    });
  }
}

interface Resource {
  apiVersion: string;
  kind: string;
  /** Collection path, e.g. /api/v1/namespaces. */
  path: string;
}

export interface ViewStatus {
  synced: boolean;
  connected: boolean;
  /** Seconds since every watch was last live; 0 while connected. */
  staleSeconds: number;
  /** Resources watched (`v1/Namespace`, `external-secrets.io/v1/ExternalSecret`, …). */
  resources: string[];
}

export interface InformerOptions {
  pageSize?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side watch timeout; a new watch starts from the last resourceVersion afterwards. */
  watchTimeoutSeconds?: number;
}

class GoneError extends Error {
  override name = 'GoneError';
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/**
 * List-and-watch loops for Namespaces and ESO stores and ExternalSecrets, feeding a ClusterIndex.
 * Unlike client-node's ListWatch this keeps no copy of the objects (the index keeps only what
 * rules need, which matters at 100,000 ExternalSecrets), pages its lists, and reconnects with
 * capped exponential backoff, serving from the last known state meanwhile.
 */
export class ClusterInformers {
  private readonly abort = new AbortController();
  private readonly firstListDone = new Set<string>();
  private readonly live = new Set<string>();
  private resources: Resource[] = [];
  private discovered = false;
  /** When the view was last fully live; undefined while it is. */
  private staleSince: number | undefined = Date.now();
  private loops: Promise<void>[] = [];
  private readonly syncWaiters: (() => void)[] = [];
  private readonly pageSize: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly watchTimeoutSeconds: number;

  constructor(
    private readonly transport: KubeTransport,
    readonly index: ClusterIndex,
    private readonly logger: EventLogger,
    options: InformerOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  }

  /** Discover the served ESO version and start every loop. Returns at once; see `waitForSync`. */
  start(): void {
    this.loops.push(this.run());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  waitForSync(): Promise<void> {
    if (this.index.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  status(): ViewStatus {
    const connected = this.discovered && this.live.size === this.resources.length;
    return {
      synced: this.index.synced,
      connected,
      staleSeconds: connected || this.staleSince === undefined ? 0 : (Date.now() - this.staleSince) / 1000,
      resources: this.resources.map((r) => `${r.apiVersion}/${r.kind}`),
    };
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      try {
        this.resources = await this.discover();
        break;
      } catch (error) {
        attempt++;
        this.logger.warn({ attempt, reason: reasonOf(error) }, 'cluster discovery failed; retrying');
        await sleep(this.backoff(attempt), this.abort.signal);
      }
    }
    if (this.abort.signal.aborted) return;
    this.discovered = true;
    this.logger.info({ resources: this.resources.map((r) => `${r.apiVersion}/${r.kind}`) }, 'cluster view watching');
    await Promise.all(this.resources.map((resource) => this.reflect(resource)));
  }

  /** Namespaces always; the ESO kinds in the best version the API server serves, if ESO is installed. */
  private async discover(): Promise<Resource[]> {
    const resources: Resource[] = [{ apiVersion: 'v1', kind: 'Namespace', path: '/api/v1/namespaces' }];
    const group = await this.transport.getJson(`/apis/${ESO_GROUP}`);
    if (group.status === 404) {
      this.logger.warn({ group: ESO_GROUP }, 'external-secrets.io is not served: only Namespaces are watched');
      return resources;
    }
    if (group.status !== 200) throw new KubeHttpError(group.status);
    const versions = isObject(group.body) && Array.isArray(group.body['versions']) ? group.body['versions'] : [];
    const served = new Set(versions.map((v) => stringAt(v, 'version')).filter((v): v is string => v !== undefined));
    // The watched kinds share their versions; take the one the API server serves that secretguard prefers.
    const version = (ESO_VERSIONS['ExternalSecret'] ?? []).find((v) => served.has(v));
    if (version === undefined) {
      this.logger.warn({ served: [...served] }, 'no external-secrets.io version secretguard understands is served');
      return resources;
    }
    const list = await this.transport.getJson(`/apis/${ESO_GROUP}/${version}`);
    if (list.status !== 200) throw new KubeHttpError(list.status);
    const items = isObject(list.body) && Array.isArray(list.body['resources']) ? list.body['resources'] : [];
    for (const { kind, plural } of ESO_KINDS) {
      const entry = items.find((r) => stringAt(r, 'name') === plural);
      const verbs = isObject(entry) && Array.isArray(entry['verbs']) ? entry['verbs'] : [];
      if (!verbs.includes('list') || !verbs.includes('watch')) continue;
      resources.push({ apiVersion: `${ESO_GROUP}/${version}`, kind, path: `/apis/${ESO_GROUP}/${version}/${plural}` });
    }
    return resources;
  }

  private async reflect(resource: Resource): Promise<void> {
    const id = `${resource.apiVersion}/${resource.kind}`;
    const known = new Set<string>();
    let resourceVersion = '';
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (resourceVersion === '') {
          resourceVersion = await this.list(resource, known);
          this.markListed(id);
        }
        const query = {
          watch: 'true',
          allowWatchBookmarks: 'true',
          resourceVersion,
          timeoutSeconds: String(this.watchTimeoutSeconds),
        };
        // A watch event can end the watch (410 Gone, other ERROR events): abort it and rethrow here.
        const watchAbort = new AbortController();
        const onStop = (): void => {
          watchAbort.abort();
        };
        this.abort.signal.addEventListener('abort', onStop);
        let eventError: Error | undefined;
        try {
          await this.transport.watch(
            resource.path,
            query,
            () => {
              attempt = 0;
              this.markLive(id, true);
            },
            (line) => {
              if (eventError !== undefined) return;
              try {
                resourceVersion = this.apply(resource, known, line) ?? resourceVersion;
              } catch (error) {
                eventError = error instanceof Error ? error : new Error('watch event');
                watchAbort.abort();
              }
            },
            watchAbort.signal,
          );
        } catch (error) {
          if (eventError === undefined) throw error;
        } finally {
          this.abort.signal.removeEventListener('abort', onStop);
        }
        if (eventError !== undefined) throw eventError;
        // The server ended the watch (timeoutSeconds): watch again from the last resourceVersion.
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof GoneError || (error instanceof KubeHttpError && error.statusCode === 410)) {
          resourceVersion = '';
          continue;
        }
        this.markLive(id, false, error);
        attempt++;
        await sleep(this.backoff(attempt), this.abort.signal);
      }
    }
    this.markLive(id, false);
  }

  /** Full paged list; returns the list's resourceVersion. Objects gone since the last list are removed. */
  private async list(resource: Resource, known: Set<string>): Promise<string> {
    const seen = new Set<string>();
    let continueToken = '';
    let resourceVersion: string;
    do {
      const query: Record<string, string> = { limit: String(this.pageSize) };
      if (continueToken !== '') query['continue'] = continueToken;
      const page = await this.transport.getJson(resource.path, query);
      if (page.status !== 200) throw new KubeHttpError(page.status);
      const metadata = objectAt(page.body, 'metadata');
      const items = isObject(page.body) && Array.isArray(page.body['items']) ? page.body['items'] : [];
      for (const item of items) {
        if (!isObject(item)) continue;
        const object = { ...item, apiVersion: resource.apiVersion, kind: resource.kind };
        if (this.index.upsert(object)) seen.add(keyOf(object));
      }
      continueToken = stringAt(metadata, 'continue') ?? '';
      resourceVersion = stringAt(metadata, 'resourceVersion') ?? '';
    } while (continueToken !== '' && !this.abort.signal.aborted);
    for (const key of known) {
      if (!seen.has(key)) this.index.remove(stubOf(resource, key));
    }
    known.clear();
    for (const key of seen) known.add(key);
    return resourceVersion;
  }

  /** One watch event; returns its resourceVersion. */
  private apply(resource: Resource, known: Set<string>, line: string): string | undefined {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return undefined;
    }
    const type = stringAt(event, 'type');
    const object = objectAt(event, 'object');
    if (object === undefined) return undefined;
    if (type === 'ERROR') {
      if (object['code'] === 410) throw new GoneError('resourceVersion too old');
      throw new KubeHttpError(typeof object['code'] === 'number' ? object['code'] : 0);
    }
    const typed = { ...object, apiVersion: resource.apiVersion, kind: resource.kind };
    if (type === 'ADDED' || type === 'MODIFIED') {
      if (this.index.upsert(typed)) known.add(keyOf(typed));
    } else if (type === 'DELETED') {
      this.index.remove(typed);
      known.delete(keyOf(typed));
    }
    return stringAt(objectAt(object, 'metadata'), 'resourceVersion');
  }

  private markListed(id: string): void {
    this.firstListDone.add(id);
    if (!this.index.synced && this.resources.every((r) => this.firstListDone.has(`${r.apiVersion}/${r.kind}`))) {
      this.index.synced = true;
      this.logger.info({ counts: this.index.counts }, 'cluster view synced');
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
  }

  private markLive(id: string, live: boolean, error?: unknown): void {
    const wasConnected = this.live.size === this.resources.length;
    if (live) this.live.add(id);
    else this.live.delete(id);
    const connected = this.live.size === this.resources.length;
    if (wasConnected && !connected) {
      this.staleSince = Date.now();
      if (!this.abort.signal.aborted) {
        this.logger.warn({ resource: id, reason: reasonOf(error) }, 'cluster view lost its watch; serving from the last known state');
      }
    } else if (!wasConnected && connected) {
      const staleSeconds = this.staleSince === undefined ? 0 : (Date.now() - this.staleSince) / 1000;
      this.staleSince = undefined;
      if (this.index.synced) this.logger.info({ staleSeconds }, 'cluster view live');
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(attempt - 1, 20));
    return base / 2 + Math.random() * (base / 2);
  }
}

function keyOf(object: JsonObject): string {
  const metadata = objectAt(object, 'metadata');
  return `${stringAt(metadata, 'namespace') ?? ''}/${stringAt(metadata, 'name') ?? ''}`;
}

function stubOf(resource: Resource, key: string): JsonObject {
  const slash = key.indexOf('/');
  const namespace = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return { apiVersion: resource.apiVersion, kind: resource.kind, metadata: { name, ...(namespace !== '' ? { namespace } : {}) } };
}

/** An error's HTTP status or class name; never its message, which could quote a response body. */
function reasonOf(error: unknown): string {
  if (error instanceof KubeHttpError) return `HTTP ${error.statusCode}`;
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.name;
  return 'closed';
}
