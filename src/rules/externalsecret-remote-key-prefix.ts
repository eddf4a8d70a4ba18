import { createRule } from '../engine/rule.js';
import { remoteKeyPrefixes, tenantOf } from './support/tenancy.js';
import { arrayAt, isObject, objectAt, pointer, stringAt } from '../k8s/json.js';
import { esoKinds, esoUsage, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE, type EsoUsage } from './support/eso.js';

type MessageId = 'keyOutsidePrefix' | 'findWithoutPath' | 'unknownVersion';

interface RemoteKey {
  key: string;
  /** Path of the key under the spec; the JSON pointer is built only when a finding needs it. */
  path: (string | number)[];
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
    (arrayAt(spec, 'dataFrom') ?? []).forEach((entry, index) => {
      if (!isObject(entry) || objectAt(objectAt(entry, 'sourceRef'), 'generatorRef') !== undefined) return;
      const extract = objectAt(entry, 'extract');
      if (extract !== undefined) add(stringAt(extract, 'key'), 'dataFrom', index, 'extract', 'key');
      const find = objectAt(entry, 'find');
      if (find !== undefined) {
        const path = stringAt(find, 'path');
        if (path === undefined || path === '') missingPath(pointer(...base, 'dataFrom', index, 'find'));
        else add(path, 'dataFrom', index, 'find', 'path');
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

export default createRule<Record<string, never>, MessageId>({
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
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    messageActions: { unknownVersion: 'warn' },
    remediation: "Keep every remote key (and every find.path) under the tenant's prefix, for example `teams/<tenant>/…`; never use `..`.",
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    const { subject, view } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const name = subject.name || '(unnamed)';
    if (reportUnknownEsoVersion(context, name)) return;
    const usage = esoUsage(kind, object, subject.namespace, view);
    if (usage === undefined) return;
    const seen = new Set<string>();
    // The keys and their normal forms do not depend on the namespace: collect them once, on first need.
    let collected: { missing: string[]; keys: { key: string; path: (string | number)[]; normalised: { key: string; escapes: boolean } }[] } | undefined;
    const collect = (): NonNullable<typeof collected> => {
      if (collected === undefined) {
        const missing: string[] = [];
        const keys = [];
        for (const { key, path } of remoteKeys(usage, (field) => { missing.push(field); })) {
          keys.push({ key, path, normalised: normaliseRemoteKey(key) });
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
      for (const { key, path, normalised } of keys) {
        const inside = !normalised.escapes && prefixes.some((prefix) => normalised.key.startsWith(prefix));
        if (!inside) report('keyOutsidePrefix', pointer(...usage.base, ...path), { key, normalised: normalised.escapes ? `${normalised.key} (escapes the root)` : normalised.key });
      }
    }
  },
});
