// ClusterInformers against a TEST DOUBLE of the Kubernetes list/watch API (a small HTTP server on
// loopback), for what the real-API-server e2e tier cannot easily force: paged lists, a dropped
// watch, 410 Gone and relisting, discovery of the served ESO version. The real API server is
// exercised in test/e2e.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import t from 'tap';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { ClusterInformers, KubeConfigTransport } from '../../src/cluster/informers.js';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion: string; labels?: Record<string, string> };
  spec?: unknown;
}

/** Fake API server state: collections by path, and open watches. */
class FakeApi {
  rv = 100;
  esoVersions: string[] = ['v1', 'v1beta1'];
  collections = new Map<string, Map<string, Obj>>();
  watches: { path: string; res: ServerResponse }[] = [];
  requests: string[] = [];
  goneOnNextWatch: string | undefined;
  down = false;
  server = createServer((req, res) => { this.handle(req, res); });

  add(path: string, name: string, extra: Partial<Obj> = {}, namespace?: string): void {
    const object: Obj = { ...extra, metadata: { name, ...(namespace ? { namespace } : {}), resourceVersion: String(++this.rv), ...extra.metadata } };
    const key = `${namespace ?? ''}/${name}`;
    const collection = this.collections.get(path) ?? new Map<string, Obj>();
    const type = collection.has(key) ? 'MODIFIED' : 'ADDED';
    collection.set(key, object);
    this.collections.set(path, collection);
    this.emit(path, type, object);
  }

  delete(path: string, name: string, namespace?: string, silently = false): void {
    const key = `${namespace ?? ''}/${name}`;
    const object = this.collections.get(path)?.get(key);
    this.collections.get(path)?.delete(key);
    if (object && !silently) this.emit(path, 'DELETED', { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } });
    else this.rv++;
  }

  emit(path: string, type: string, object: unknown): void {
    for (const w of this.watches.filter((w) => w.path === path)) w.res.write(JSON.stringify({ type, object }) + '\n');
  }

  dropWatches(): void {
    for (const w of this.watches) w.res.destroy();
    this.watches = [];
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url.pathname + url.search);
    if (this.down) {
      res.destroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer test-token') {
      res.statusCode = 401;
      res.end('{}');
      return;
    }
    if (url.pathname === '/apis/external-secrets.io') {
      if (this.esoVersions.length === 0) {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      res.end(JSON.stringify({ kind: 'APIGroup', name: 'external-secrets.io', versions: this.esoVersions.map((v) => ({ groupVersion: `external-secrets.io/${v}`, version: v })) }));
      return;
    }
    const groupVersion = /^\/apis\/external-secrets\.io\/(v1|v1beta1)$/.exec(url.pathname);
    if (groupVersion) {
      const verbs = ['get', 'list', 'watch'];
      res.end(JSON.stringify({ kind: 'APIResourceList', resources: ['clustersecretstores', 'secretstores', 'externalsecrets'].map((name) => ({ name, verbs })) }));
      return;
    }
    const path = url.pathname;
    const collection = [...(this.collections.get(path) ?? new Map<string, Obj>()).values()];
    if (url.searchParams.get('watch') === 'true') {
      if (this.goneOnNextWatch === path) {
        this.goneOnNextWatch = undefined;
        res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }) + '\n');
        res.end();
        return;
      }
      res.writeHead(200);
      res.flushHeaders();
      this.watches.push({ path, res });
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const start = Number(url.searchParams.get('continue') ?? '0');
    const items = limit > 0 ? collection.slice(start, start + limit) : collection;
    const next = limit > 0 && start + limit < collection.length ? String(start + limit) : undefined;
    res.end(JSON.stringify({ kind: 'List', metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) }, items }));
  }
}

const NS = '/api/v1/namespaces';
const ES = '/apis/external-secrets.io/v1/externalsecrets';
const CSS = '/apis/external-secrets.io/v1/clustersecretstores';

async function start(api: FakeApi) {
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  const kc = new KubeConfig();
  const port = (api.server.address() as AddressInfo).port;
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  const logs: { msg: string; obj: object }[] = [];
  const log = (obj: object, msg: string) => logs.push({ msg, obj });
  const index = new ClusterIndex();
  const informers = new ClusterInformers(new KubeConfigTransport(kc), index, { info: log, warn: log, error: log }, { pageSize: 2, minBackoffMs: 20, maxBackoffMs: 100 });
  return { index, informers, logs };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('discovers ESO v1, lists in pages, syncs, follows watches, survives a drop and a 410', async (t) => {
  const api = new FakeApi();
  for (const name of ['a', 'b', 'c', 'd', 'e']) api.add(NS, name, { metadata: { name, resourceVersion: '', labels: { tenant: name } } });
  api.add(CSS, 'shared', { spec: { conditions: [{ namespaces: ['a'] }], provider: { fake: { data: [{ key: 'k', value: 'provider-secret-value' }] } } } });
  api.add(ES, 'db', { spec: { target: { name: 'db-secret' } } }, 'a');
  const { index, informers, logs } = await start(api);
  t.teardown(async () => {
    await informers.stop();
    api.dropWatches();
    api.server.close();
  });
  t.equal(index.synced, false);
  informers.start();
  await informers.waitForSync();
  t.equal(index.synced, true);
  t.same(index.counts, { namespaces: 5, clusterSecretStores: 1, secretStores: 0, externalSecrets: 1 });
  t.same(informers.status().resources, ['v1/Namespace', 'external-secrets.io/v1/ClusterSecretStore', 'external-secrets.io/v1/SecretStore', 'external-secrets.io/v1/ExternalSecret']);
  t.ok(api.requests.some((r) => r.startsWith(NS) && r.includes('continue=2')), 'lists are paged');
  t.equal(index.namespace('c')?.labels['tenant'], 'c');
  t.equal(index.externalSecretsTargeting('a', 'db-secret')[0]?.name, 'db');
  t.notMatch(JSON.stringify(index.clusterSecretStore('shared')), /provider-secret-value/, 'only the fields rules need are kept');

  await until('watches', () => informers.status().connected);
  api.add(NS, 'f');
  api.delete(NS, 'a');
  await until('watch events', () => index.namespace('f') !== undefined && index.namespace('a') === undefined);

  // The API server goes away: the view keeps its state, reports staleness, reconnects with backoff.
  api.down = true;
  api.dropWatches();
  await until('disconnected', () => !informers.status().connected);
  await new Promise((r) => setTimeout(r, 150));
  const status = informers.status();
  t.equal(status.synced, true, 'still synced (last known state)');
  t.ok(status.staleSeconds > 0.1, 'staleness reported');
  t.ok(index.namespace('f'), 'serving from the last known state');
  t.ok(logs.some((l) => l.msg === 'cluster view lost its watch; serving from the last known state'));
  api.add(NS, 'g'); // missed while down: the watch resumes from its resourceVersion and replays it
  api.down = false;
  await until('reconnected', () => informers.status().connected);
  t.equal(informers.status().staleSeconds, 0);

  // 410 Gone: relist; objects deleted meanwhile (no event) disappear from the view.
  api.delete(NS, 'b', undefined, true);
  api.goneOnNextWatch = NS;
  api.dropWatches();
  await until('relist', () => index.namespace('b') === undefined);
  t.ok(index.namespace('g'), 'object added while down is present after relist');
  t.ok(logs.some((l) => l.msg === 'cluster view live'));
});

t.test('ESO not installed: only Namespaces are watched; only v1beta1 served: that version is used', async (t) => {
  const none = new FakeApi();
  none.esoVersions = [];
  none.add(NS, 'x');
  const a = await start(none);
  a.informers.start();
  await a.informers.waitForSync();
  t.same(a.informers.status().resources, ['v1/Namespace']);
  await a.informers.stop();
  none.dropWatches();
  none.server.close();

  const old = new FakeApi();
  old.esoVersions = ['v1beta1'];
  old.add('/apis/external-secrets.io/v1beta1/externalsecrets', 'legacy', {}, 'x');
  const b = await start(old);
  b.informers.start();
  await b.informers.waitForSync();
  t.same(b.informers.status().resources, [
    'v1/Namespace',
    'external-secrets.io/v1beta1/ClusterSecretStore',
    'external-secrets.io/v1beta1/SecretStore',
    'external-secrets.io/v1beta1/ExternalSecret',
  ]);
  t.equal(b.index.externalSecretsTargeting('x', 'legacy').length, 1);
  await b.informers.stop();
  old.dropWatches();
  old.server.close();
});
