// Cluster view memory: 10,000 Namespaces, 50 ClusterSecretStores and 100,000 ExternalSecrets fed
// through the real informer code (ClusterInformers: discovery, paged list, JSON bodies as the API
// server sends them, then a watch) into a ClusterIndex. Run in its own process with --expose-gc
// (bench/run.ts does that); prints one JSON line.
import { ClusterIndex } from '../src/cluster/cluster-index.js';
import { ClusterInformers, type KubeTransport } from '../src/cluster/informers.js';
import type { JsonObject } from '../src/k8s/json.js';
import { clusterSecretStore, externalSecret, namespaceObject, TENANTS } from './fixtures.js';

const NAMESPACES = Number(process.argv[2] ?? 10_000);
const EXTERNAL_SECRETS = Number(process.argv[3] ?? 100_000);
const PAGE = 500;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** The metadata and status the API server adds to every listed object. */
function asServed(object: JsonObject, n: number): JsonObject {
  const metadata = object['metadata'] as JsonObject;
  return {
    ...object,
    metadata: {
      ...metadata,
      uid: `0f8b6a4e-${String(n).padStart(4, '0').slice(-4)}-4c1d-9a7e-${String(n).padStart(12, '0')}`,
      resourceVersion: String(100_000 + n),
      generation: 1,
      creationTimestamp: '2026-11-24T07:57:41Z',
      managedFields: [{ manager: 'argocd-controller', operation: 'Apply', apiVersion: 'external-secrets.io/v1', time: '2026-11-24T07:57:41Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', lastTransitionTime: '2026-11-24T07:58:00Z' }], refreshTime: '2026-11-24T07:58:00Z' },
  };
}

function items(path: string, start: number, end: number): JsonObject[] {
  const list: JsonObject[] = [];
  for (let n = start; n < end; n++) {
    if (path.endsWith('/namespaces')) list.push(asServed(namespaceObject(n), n));
    else if (path.endsWith('/clustersecretstores')) list.push(asServed(clusterSecretStore(n), n));
    else if (path.endsWith('/externalsecrets')) {
      const ns = n % NAMESPACES;
      list.push(asServed(externalSecret(ns, `es-${ns}-${Math.floor(n / NAMESPACES)}`, 3), n));
    }
  }
  return list;
}

const totals: Record<string, number> = { namespaces: NAMESPACES, clustersecretstores: TENANTS, secretstores: 0, externalsecrets: EXTERNAL_SECRETS };

/** An API server in memory: each page is serialized and parsed again, as the real transport does. */
const transport: KubeTransport = {
  getJson(path, query = {}) {
    if (path === '/apis/external-secrets.io') return Promise.resolve({ status: 200, body: { versions: [{ version: 'v1' }] } });
    if (path === '/apis/external-secrets.io/v1') {
      const verbs = ['get', 'list', 'watch'];
      return Promise.resolve({
        status: 200,
        body: { resources: ['clustersecretstores', 'secretstores', 'externalsecrets'].map((name) => ({ name, verbs })) },
      });
    }
    const plural = path.split('/').pop() ?? '';
    const total = totals[plural] ?? 0;
    const start = Number(query['continue'] ?? '0');
    const end = Math.min(total, start + Number(query['limit'] ?? PAGE));
    const page = { metadata: { resourceVersion: '200000', ...(end < total ? { continue: String(end) } : {}) }, items: items(path, start, end) };
    return Promise.resolve({ status: 200, body: JSON.parse(JSON.stringify(page)) as unknown });
  },
  watch(_path, _query, onOpen, _onLine, signal) {
    onOpen();
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        resolve();
      });
    });
  },
};

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

gc();
gc();
const before = process.memoryUsage();
const started = performance.now();
const index = new ClusterIndex();
const informers = new ClusterInformers(transport, index, silent, { pageSize: PAGE });
informers.start();
await informers.waitForSync();
const syncMs = performance.now() - started;
await informers.stop();
gc();
gc();
const after = process.memoryUsage();
const counts = index.counts;
process.stdout.write(
  JSON.stringify({
    counts,
    syncMs,
    heapBytes: after.heapUsed - before.heapUsed,
    heapUsedBytes: after.heapUsed,
    rssBytes: after.rss,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineHeapBytes: before.heapUsed,
    baselineRssBytes: before.rss,
  }) + '\n',
);
// Keep the index reachable until measured.
if (index.counts.externalSecrets < 0) process.exitCode = 3;
