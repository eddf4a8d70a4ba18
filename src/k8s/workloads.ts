/**
 * Where each workload kind keeps its pod template, and what a pod spec references.
 * Shared by the env-credential rule and the Reloader mutator; every accessor survives any shape.
 */
import { arrayAt, isObject, objectAt, pointer, stringAt, type JsonObject } from './json.js';

/** Path segments from the object root to the pod spec, by `group/kind`. */
const POD_SPEC_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['/Pod', ['spec']],
  ['apps/Deployment', ['spec', 'template', 'spec']],
  ['apps/StatefulSet', ['spec', 'template', 'spec']],
  ['apps/DaemonSet', ['spec', 'template', 'spec']],
  ['apps/ReplicaSet', ['spec', 'template', 'spec']],
  ['/ReplicationController', ['spec', 'template', 'spec']],
  ['batch/Job', ['spec', 'template', 'spec']],
  ['batch/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  ['argoproj.io/Rollout', ['spec', 'template', 'spec']],
]);

/** The workload kinds with a pod template, as rule `match.kinds` entries. */
export const WORKLOAD_KINDS: readonly { group: string; kind: string }[] = [...POD_SPEC_PATHS.keys()].map((key) => {
  const slash = key.indexOf('/');
  return { group: key.slice(0, slash), kind: key.slice(slash + 1) };
});

export function podSpecPath(group: string, kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS.get(`${group}/${kind}`);
}

export interface PodSpecLocation {
  spec: JsonObject;
  /** JSON pointer of the pod spec, e.g. `/spec/template/spec`. */
  pointer: string;
  /** Path segments of the pod spec. */
  path: readonly string[];
}

/** The pod spec of a workload object, or undefined for other kinds or a missing/mistyped template. */
export function podSpecOf(object: unknown, group: string, kind: string): PodSpecLocation | undefined {
  const path = podSpecPath(group, kind);
  if (path === undefined) return undefined;
  let current: unknown = object;
  for (const segment of path) {
    current = objectAt(current, segment);
    if (current === undefined) return undefined;
  }
  return isObject(current) ? { spec: current, pointer: pointer(...path), path } : undefined;
}

export type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';
export const CONTAINER_LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

export interface ContainerLocation {
  container: JsonObject;
  list: ContainerList;
  index: number;
  /** Container name, or `#<index>` when it has none. */
  name: string;
  /** JSON pointer of the container relative to the pod spec, e.g. `/containers/0`. */
  pointer: string;
}

/** Every container of a pod spec (init, regular, ephemeral), with pointers relative to the pod spec. */
export function containersOf(podSpec: unknown): ContainerLocation[] {
  const result: ContainerLocation[] = [];
  for (const list of CONTAINER_LISTS) {
    const items = arrayAt(podSpec, list) ?? [];
    items.forEach((container, index) => {
      if (!isObject(container)) return;
      result.push({ container, list, index, name: stringAt(container, 'name') ?? `#${index}`, pointer: pointer(list, index) });
    });
  }
  return result;
}

export interface EnvLiteral {
  container: ContainerLocation;
  /** Env var name ('' when missing). */
  name: string;
  value: string;
  /** JSON pointer relative to the pod spec, e.g. `/containers/0/env/2/value`. */
  pointer: string;
}

/** Literal `env[].value` strings of every container. */
export function envLiterals(podSpec: unknown): EnvLiteral[] {
  const result: EnvLiteral[] = [];
  for (const container of containersOf(podSpec)) {
    (arrayAt(container.container, 'env') ?? []).forEach((entry, index) => {
      const value = stringAt(entry, 'value');
      if (value === undefined) return;
      result.push({ container, name: stringAt(entry, 'name') ?? '', value, pointer: `${container.pointer}${pointer('env', index, 'value')}` });
    });
  }
  return result;
}

export type SecretReferenceVia = 'env.secretKeyRef' | 'envFrom.secretRef' | 'volume.secret' | 'volume.projected.secret';

export interface SecretReference {
  /** Name of the referenced Secret (same namespace as the pod). */
  name: string;
  via: SecretReferenceVia;
  /** The key for `secretKeyRef`, when given. */
  key?: string;
  optional: boolean;
  /** Container name for env/envFrom references. */
  container?: string;
  /** JSON pointer of the name field, relative to the pod spec. */
  pointer: string;
}

/**
 * Every Secret a pod spec consumes: `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`,
 * `volumes[].secret.secretName` and `volumes[].projected.sources[].secret`, in init, regular and
 * ephemeral containers. `imagePullSecrets` are deliberately not included (not a reload trigger).
 */
export function secretReferences(podSpec: unknown): SecretReference[] {
  const result: SecretReference[] = [];
  for (const container of containersOf(podSpec)) {
    (arrayAt(container.container, 'env') ?? []).forEach((entry, index) => {
      const ref = objectAt(objectAt(entry, 'valueFrom'), 'secretKeyRef');
      const name = stringAt(ref, 'name');
      if (ref === undefined || name === undefined || name === '') return;
      const key = stringAt(ref, 'key');
      result.push({
        name,
        via: 'env.secretKeyRef',
        ...(key !== undefined ? { key } : {}),
        optional: ref['optional'] === true,
        container: container.name,
        pointer: `${container.pointer}${pointer('env', index, 'valueFrom', 'secretKeyRef', 'name')}`,
      });
    });
    (arrayAt(container.container, 'envFrom') ?? []).forEach((entry, index) => {
      const ref = objectAt(entry, 'secretRef');
      const name = stringAt(ref, 'name');
      if (ref === undefined || name === undefined || name === '') return;
      result.push({
        name,
        via: 'envFrom.secretRef',
        optional: ref['optional'] === true,
        container: container.name,
        pointer: `${container.pointer}${pointer('envFrom', index, 'secretRef', 'name')}`,
      });
    });
  }
  (arrayAt(podSpec, 'volumes') ?? []).forEach((volume, index) => {
    const secret = objectAt(volume, 'secret');
    const secretName = stringAt(secret, 'secretName');
    if (secret !== undefined && secretName !== undefined && secretName !== '') {
      result.push({ name: secretName, via: 'volume.secret', optional: secret['optional'] === true, pointer: pointer('volumes', index, 'secret', 'secretName') });
    }
    (arrayAt(objectAt(volume, 'projected'), 'sources') ?? []).forEach((source, sourceIndex) => {
      const projected = objectAt(source, 'secret');
      const name = stringAt(projected, 'name');
      if (projected === undefined || name === undefined || name === '') return;
      result.push({
        name,
        via: 'volume.projected.secret',
        optional: projected['optional'] === true,
        pointer: pointer('volumes', index, 'projected', 'sources', sourceIndex, 'secret', 'name'),
      });
    });
  });
  return result;
}
