// Realistic objects of every kind a rule or mutator matches, for the fuzzers to mutate: every object
// in examples/, plus synthesized ones for kinds the examples lack. Not a test file.
import path from 'node:path';
import { collectFiles, parseManifests, readSource } from '../../src/manifests/load.js';
import type { JsonObject, JsonValue } from '../../src/k8s/json.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';

/** Repository root, from dist/test/fuzz. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface KindRef {
  group: string;
  kind: string;
  versions?: readonly string[];
}

export function apiVersionOf(kind: KindRef, fallback = 'v1'): string {
  const version = kind.versions?.[0] ?? (kind.group === 'external-secrets.io' ? 'v1' : kind.group === 'bitnami.com' ? 'v1alpha1' : kind.group === 'argoproj.io' ? 'v1alpha1' : fallback);
  return kind.group === '' ? version : `${kind.group}/${version}`;
}

/** Every kind any rule or mutator matches, unique by group/kind. */
export function matchedKinds(): KindRef[] {
  const seen = new Map<string, KindRef>();
  for (const item of [...allRules, ...allMutators]) {
    for (const kind of item.meta.match.kinds) seen.set(`${kind.group}/${kind.kind}`, kind);
  }
  return [...seen.values()];
}

let cache: JsonObject[] | undefined;

/** Every object in examples/ (Lists flattened). */
export function exampleObjects(): JsonObject[] {
  if (cache !== undefined) return cache;
  const objects: JsonObject[] = [];
  for (const file of collectFiles([path.join(ROOT, 'examples')])) {
    try {
      for (const manifest of parseManifests(readSource(file))) objects.push(manifest.object);
    } catch {
      // a values file that is not a manifest
    }
  }
  cache = objects.filter((o) => typeof o['kind'] === 'string' && typeof o['apiVersion'] === 'string');
  return cache;
}

const podSpec: JsonObject = {
  containers: [
    {
      name: 'app',
      image: 'example/app:1',
      env: [
        { name: 'DB_PASSWORD', value: 'Zq8vN2mXw4Lp7Rt9' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
      ],
      envFrom: [{ secretRef: { name: 'app-env' } }],
    },
  ],
  initContainers: [{ name: 'init', image: 'busybox', env: [{ name: 'X', value: 'y' }] }],
  volumes: [{ name: 'v', secret: { secretName: 'db' } }, { name: 'p', projected: { sources: [{ secret: { name: 'p' } }] } }],
};

/** A plausible object of `kind`: an example when one exists, otherwise a synthesized one. */
export function samplesOf(kind: KindRef): JsonObject[] {
  const found = exampleObjects().filter((o) => {
    const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
    return o['kind'] === kind.kind && apiVersion.split('/').length === (kind.group === '' ? 1 : 2) && (kind.group === '' || apiVersion.startsWith(`${kind.group}/`));
  });
  if (found.length > 0) return found.map((o) => structuredClone(o));
  const metadata: JsonObject = { name: `sample-${kind.kind.toLowerCase()}`, namespace: 'team-a', labels: { app: 'x' }, annotations: { note: 'y' } };
  const base: JsonObject = { apiVersion: apiVersionOf(kind), kind: kind.kind, metadata };
  const template: JsonObject = { metadata: { labels: { app: 'x' } }, spec: structuredClone(podSpec) };
  switch (kind.kind) {
    case 'Pod':
      return [{ ...base, spec: structuredClone(podSpec) }];
    case 'CronJob':
      return [{ ...base, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } }];
    case 'ReplicationController':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    case 'Rollout':
    case 'Deployment':
      return [{ ...base, spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template } }];
    case 'ClusterPushSecret':
    case 'PushSecret': {
      const spec: JsonObject = {
        refreshInterval: '1h',
        secretStoreRefs: [{ name: 'vault', kind: 'ClusterSecretStore' }],
        selector: { secret: { name: 'db' } },
        data: [{ match: { secretKey: 'password', remoteRef: { remoteKey: 'team-a/db', property: 'password' } } }],
      };
      return [kind.kind === 'PushSecret' ? { ...base, spec } : { ...base, metadata: { name: 'cps' }, spec: { namespaceSelectors: [{ matchLabels: { a: 'b' } }], pushSecretSpec: spec } }];
    }
    default:
      return [{ ...base, spec: { a: 'b' }, data: { k: 'dmFsdWU=' } }];
  }
}

/** Every JSON pointer path inside a value (inner nodes and leaves), as key arrays. */
export function pathsOf(value: JsonValue, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 400): (string | number)[][] {
  if (out.length >= limit) return out;
  if (Array.isArray(value)) {
    value.forEach((child, index) => {
      out.push([...prefix, index]);
      pathsOf(child, [...prefix, index], out, limit);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      out.push([...prefix, key]);
      pathsOf(child, [...prefix, key], out, limit);
    }
  }
  return out;
}

/** A copy of `value` with the node at `at` replaced. */
export function replaceAt(value: JsonValue, at: readonly (string | number)[], replacement: JsonValue): JsonValue {
  if (at.length === 0) return replacement;
  const [head, ...rest] = at;
  if (Array.isArray(value)) {
    const copy = [...value];
    const index = Number(head);
    copy[index] = replaceAt(copy[index] ?? null, rest, replacement);
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const key = String(head);
    return { ...value, [key]: replaceAt(value[key] ?? null, rest, replacement) };
  }
  return value;
}

/** A value nested `depth` levels deep, built as text (JSON.stringify would recurse). */
export function deepJsonText(depth: number, leaf = '"x"'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

/** Values of every JSON type, for "every field of the wrong type". */
export const WRONG_TYPES: readonly JsonValue[] = [
  null,
  0,
  -1,
  1.5,
  1e308,
  true,
  false,
  '',
  'x',
  '123',
  'true',
  '\u0000\u202e\uFFFF',
  'A'.repeat(5_000),
  [],
  [null],
  ['a', 1, {}],
  {},
  { '': null, __proto__x: 1 },
  { constructor: 'x', toString: 1, hasOwnProperty: [] },
];
