// A small in-process stand-in for kube-apiserver's read side, for audit tests that need no peers: discovery
// (/api/v1, /apis, /apis/<group>/<version>) and paged lists (limit/continue) of the objects it holds,
// plus a kubeconfig pointing at it over plain HTTP. Not a test file.
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../../src/k8s/json.js';

interface Kind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export const KINDS: readonly Kind[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true },
  { group: 'bitnami.com', version: 'v1alpha1', kind: 'SealedSecret', plural: 'sealedsecrets', namespaced: true },
  { group: 'external-secrets.io', version: 'v1', kind: 'ClusterSecretStore', plural: 'clustersecretstores', namespaced: false },
  { group: 'external-secrets.io', version: 'v1', kind: 'SecretStore', plural: 'secretstores', namespaced: true },
  { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret', plural: 'externalsecrets', namespaced: true },
];

/** What the API server would store: stringData folded into data, with managedFields of `manager` owning the payload. */
export function stored(object: JsonObject, manager: string): JsonObject {
  const copy = structuredClone(object);
  const stringData = copy['stringData'];
  if (typeof stringData === 'object' && stringData !== null && !Array.isArray(stringData)) {
    const data = { ...((copy['data'] ?? {}) as Record<string, string>) };
    for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v).toString('base64');
    copy['data'] = data;
    delete copy['stringData'];
  }
  const metadata = (copy['metadata'] ?? {}) as JsonObject;
  const owned = Object.fromEntries(['data', 'spec', 'binaryData'].filter((k) => k in copy).map((k) => [`f:${k}`, {}]));
  metadata['managedFields'] = [{ manager, operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: owned }];
  copy['metadata'] = metadata;
  return copy;
}

export class FakeApiServer {
  readonly requests: string[] = [];
  /** Paths answered with this status instead (e.g. 403 for a forbidden list). */
  readonly refuse = new Map<string, number>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly objects: JsonObject[]) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => { resolve(); }));
  }

  /** A kubeconfig for this server (plain HTTP, a bearer token the output must never show). */
  writeKubeconfig(file: string, token: string): void {
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node talks plain HTTP only with TLS verification off (there is no TLS to verify).
      clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${this.port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'u' } }],
      'current-context': 'fake',
    }));
  }

  private handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(url.pathname + url.search);
    const send = (status: number, body: unknown): true => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return true;
    };
    const refused = this.refuse.get(url.pathname);
    if (refused !== undefined) return send(refused, { kind: 'Status', code: refused });
    // secretguard's own reports, listed to find stale ones: none stored here.
    if (req.method === 'GET' && url.pathname.startsWith('/apis/wgpolicyk8s.io/')) return send(200, { kind: 'List', metadata: {}, items: [] });
    if (url.pathname === '/apis') {
      const groups = [...new Set(KINDS.filter((k) => k.group !== '').map((k) => `${k.group}/${k.version}`))].map((gv) => {
        const [name, version] = gv.split('/');
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
      return send(200, { kind: 'APIGroupList', groups });
    }
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(url.pathname);
    if (discovery !== null) {
      const group = discovery[2] ?? '';
      const version = discovery[1] ?? discovery[3] ?? '';
      const resources = KINDS.filter((k) => k.group === group && k.version === version).map((k) => ({ name: k.plural, kind: k.kind, namespaced: k.namespaced, verbs: ['get', 'list', 'watch'] }));
      return resources.length === 0 ? send(404, {}) : send(200, { kind: 'APIResourceList', resources });
    }
    const list = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)$/.exec(url.pathname);
    const kind = list === null ? undefined : KINDS.find((k) => k.group === (list[1] ?? '') && k.plural === list[3]);
    if (list === null || kind === undefined) return send(404, {});
    const namespace = list[2];
    const items = this.objects.filter((o) => {
      const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      const ns = (o['metadata'] as JsonObject | undefined)?.['namespace'];
      return group === kind.group && o['kind'] === kind.kind && (namespace === undefined || ns === namespace);
    });
    const limit = Number(url.searchParams.get('limit') ?? '500');
    const offset = Number(url.searchParams.get('continue') ?? '0');
    const page = items.slice(offset, offset + limit).map((o) => {
      const copy: JsonObject = { ...o };
      delete copy['apiVersion'];
      delete copy['kind'];
      return copy;
    });
    const next = offset + limit < items.length ? String(offset + limit) : '';
    return send(200, { kind: `${kind.kind}List`, metadata: { resourceVersion: '1', ...(next !== '' ? { continue: next } : {}) }, items: page });
  }
}
