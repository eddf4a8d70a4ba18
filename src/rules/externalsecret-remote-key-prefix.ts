import { createRule } from '../engine/rule.js';
import { remoteKeyPrefixes, tenantOf } from './support/tenancy.js';
import { arrayAt, isObject, objectAt, pointer, stringAt } from '../k8s/json.js';
import type { ClusterView } from '../cluster/view.js';
import { findPathSupport } from '../k8s/eso-providers.js';
import { CLUSTER_SECRET_STORE, esoKinds, esoUsage, reportUnknownEsoVersion, SECRET_STORE, UNKNOWN_VERSION_MESSAGE, type EsoUsage } from './support/eso.js';
import { displayName } from '../engine/subject.js';

type MessageId = 'keyOutsidePrefix' | 'findWithoutPath' | 'findPathIgnored' | 'unknownVersion';

interface RemoteKey {
  key: string;
  /** Path of the key under the spec; the JSON pointer is built only when a finding needs it. */
  path: (string | number)[];
  /** For a `dataFrom[].find.path`: the store the entry reads (its own sourceRef.storeRef, else the spec's secretStoreRef). */
  findStore?: { kind: string; name: string };
}

/**
 * The provider of the store a find reads from `namespace`, when that provider ignores `find.path` (or is unknown);
 * undefined when the path bounds the find, or when the store is not in the view (externalsecret-store-access reports that).
 */
function pathIgnoredBy(store: { kind: string; name: string }, namespace: string, view: ClusterView): { provider: string } | undefined {
  const record = store.kind === CLUSTER_SECRET_STORE ? view.clusterSecretStore(store.name) : view.secretStore(namespace, store.name);
  if (record === undefined) return undefined;
  if (record.provider === undefined) return { provider: '(none or several)' };
  return findPathSupport(record.provider) === 'ignores' ? { provider: record.provider } : undefined;
}

/** `a/./b/../c` → `a/c`, leading slashes dropped; `escapes` when `..` climbs above the root. */
export function normaliseRemoteKey(key: string): { key: string; escapes: boolean } {
  const out: string[] = [];
  let escapes = false;
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) escapes = true;
      else out.pop();
      continue;
    }
    out.push(segment);
  }
  // Keep a trailing slash: `team-a/` is a prefix of `team-a/db`.
  const trailing = key.endsWith('/') && out.length > 0 ? '/' : '';
  return { key: out.join('/') + trailing, escapes };
}

function remoteKeys(usage: EsoUsage, missingPath: (field: string) => void): RemoteKey[] {
  const keys: RemoteKey[] = [];
  const { spec, base } = usage;
  const add = (value: unknown, ...path: (string | number)[]): void => {
    if (typeof value === 'string' && value !== '') keys.push({ key: value, path });
  };
  if (usage.flavour === 'external') {
    (arrayAt(spec, 'data') ?? []).forEach((entry, index) => {
      if (objectAt(objectAt(entry, 'sourceRef'), 'generatorRef') !== undefined) return;
      add(stringAt(objectAt(entry, 'remoteRef'), 'key'), 'data', index, 'remoteRef', 'key');
    });
    const topStore = objectAt(spec, 'secretStoreRef');
    (arrayAt(spec, 'dataFrom') ?? []).forEach((entry, index) => {
      if (!isObject(entry) || objectAt(objectAt(entry, 'sourceRef'), 'generatorRef') !== undefined) return;
      const extract = objectAt(entry, 'extract');
      if (extract !== undefined) add(stringAt(extract, 'key'), 'dataFrom', index, 'extract', 'key');
      const find = objectAt(entry, 'find');
      if (find !== undefined) {
        const path = stringAt(find, 'path');
        if (path === undefined || path === '') {
          missingPath(pointer(...base, 'dataFrom', index, 'find'));
          return;
        }
        const storeRef = objectAt(objectAt(entry, 'sourceRef'), 'storeRef') ?? topStore;
        const storeName = stringAt(storeRef, 'name');
        const findStore = storeName !== undefined && storeName !== '' ? { kind: stringAt(storeRef, 'kind') || SECRET_STORE, name: storeName } : undefined;
        keys.push({ key: path, path: ['dataFrom', index, 'find', 'path'], ...(findStore !== undefined ? { findStore } : {}) });
      }
    });
  } else {
    (arrayAt(spec, 'data') ?? []).forEach((entry, index) => {
      add(stringAt(objectAt(objectAt(entry, 'match'), 'remoteRef'), 'remoteKey'), 'data', index, 'match', 'remoteRef', 'remoteKey');
    });
    (arrayAt(spec, 'dataTo') ?? []).forEach((entry, index) => {
      add(stringAt(entry, 'remoteKey'), 'dataTo', index, 'remoteKey');
    });
  }
  return keys;
}

export default createRule({
  meta: {
    id: 'externalsecret-remote-key-prefix',
    description: "Remote keys read or written through ESO must start with one of the tenant's remoteKeyPrefixes.",
    defaultAction: 'deny',
    match: { kinds: esoKinds('ExternalSecret', 'PushSecret', 'ClusterExternalSecret', 'ClusterPushSecret') },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      keyOutsidePrefix:
        '{{kind}} {{name}}: remote key {{key}} (normalised {{normalised}}) used from namespace {{namespace}} is outside the prefixes of tenant {{tenant}}: {{prefixes}}',
      findWithoutPath:
        '{{kind}} {{name}}: dataFrom find without a path would search the whole store from namespace {{namespace}}; set find.path to one of tenant {{tenant}}\'s prefixes: {{prefixes}}',
      findPathIgnored:
        '{{kind}} {{name}}: dataFrom find reads store {{store}} from namespace {{namespace}}, whose provider {{provider}} ignores find.path (it filters by name and tags only), so it searches the whole store; fetch keys under tenant {{tenant}}\'s prefixes ({{prefixes}}) with data[] or dataFrom[].extract instead',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { unknownVersion: 'warn' },
    remediation: "Keep every remote key (and every find.path) under the tenant's prefix, for example `teams/<tenant>/…`; never use `..`.",
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    const { subject, view } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const name = displayName(subject);
    if (reportUnknownEsoVersion(context, name)) return;
    const usage = esoUsage(kind, object, subject.namespace, view);
    if (usage === undefined) return;
    const seen = new Set<string>();
    // The keys and their normal forms do not depend on the namespace: collect them once, on first need.
    let collected: { missing: string[]; keys: (RemoteKey & { normalised: { key: string; escapes: boolean } })[] } | undefined;
    const collect = (): NonNullable<typeof collected> => {
      if (collected === undefined) {
        const missing: string[] = [];
        const keys = [];
        for (const remoteKey of remoteKeys(usage, (field) => { missing.push(field); })) {
          keys.push({ ...remoteKey, normalised: normaliseRemoteKey(remoteKey.key) });
        }
        collected = { missing, keys };
      }
      return collected;
    };
    for (const namespace of usage.namespaces) {
      const tenant = tenantOf(namespace, view, context.config.tenancy);
      const rawPrefixes = remoteKeyPrefixes(tenant, namespace);
      if (rawPrefixes === undefined) continue;
      const prefixes = rawPrefixes.map((p) => normaliseRemoteKey(p).key);
      const data = { kind, name, namespace, tenant: tenant.name, prefixes: prefixes.join(', ') || '(none)' };
      const report = (messageId: MessageId, field: string, extra: Record<string, string> = {}): void => {
        const key = `${messageId}|${field}|${namespace}`;
        if (seen.has(key)) return;
        seen.add(key);
        context.report({ messageId, data: { ...data, ...extra }, field });
      };
      const { missing, keys } = collect();
      for (const field of missing) report('findWithoutPath', field);
      for (const { key, path, normalised, findStore } of keys) {
        const ignored = findStore !== undefined ? pathIgnoredBy(findStore, namespace, view) : undefined;
        if (ignored !== undefined && findStore !== undefined) {
          report('findPathIgnored', pointer(...usage.base, ...path), { store: `${findStore.kind} ${findStore.name}`, provider: ignored.provider });
          continue;
        }
        const inside = !normalised.escapes && prefixes.some((prefix) => normalised.key.startsWith(prefix));
        if (!inside) report('keyOutsidePrefix', pointer(...usage.base, ...path), { key, normalised: normalised.escapes ? `${normalised.key} (escapes the root)` : normalised.key });
      }
    }
  },
});
