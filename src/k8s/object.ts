import { isObject, objectAt, stringAt, stringMapAt, type JsonObject } from './json.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/** How an object without a name (CREATE with generateName) is named in messages. */
export const UNNAMED = '(unnamed)';

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects), as every report names a resource. */
export function resourceLabel(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? UNNAMED}`;
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function gvkOf(object: JsonObject): GroupVersionKind | undefined {
  const apiVersion = stringAt(object, 'apiVersion');
  const kind = stringAt(object, 'kind');
  if (apiVersion === undefined || kind === undefined || kind === '') return undefined;
  return { ...parseApiVersion(apiVersion), kind };
}

export function nameOf(object: unknown): string | undefined {
  const metadata = objectAt(object, 'metadata');
  return stringAt(metadata, 'name') ?? stringAt(metadata, 'generateName');
}

export function namespaceOf(object: unknown): string | undefined {
  return stringAt(objectAt(object, 'metadata'), 'namespace');
}

export function labelsOf(object: unknown): Record<string, string> {
  return stringMapAt(objectAt(object, 'metadata'), 'labels');
}

export function annotationsOf(object: unknown): Record<string, string> {
  return stringMapAt(objectAt(object, 'metadata'), 'annotations');
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  controller: boolean;
}

export function ownerReferencesOf(object: unknown): OwnerReference[] {
  const refs = objectAt(object, 'metadata')?.['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  const result: OwnerReference[] = [];
  for (const ref of refs) {
    if (!isObject(ref)) continue;
    result.push({
      apiVersion: stringAt(ref, 'apiVersion') ?? '',
      kind: stringAt(ref, 'kind') ?? '',
      name: stringAt(ref, 'name') ?? '',
      controller: ref['controller'] === true,
    });
  }
  return result;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  /** The entry's fieldsV1 owns `data` or `stringData` entries (a Secret's or ConfigMap's values). */
  ownsData: boolean;
}

function ownsData(fields: JsonObject | undefined): boolean {
  const owned = (key: string): boolean => {
    const map = objectAt(fields, key);
    return map !== undefined && Object.keys(map).some((child) => child.startsWith('f:'));
  };
  return owned('f:data') || owned('f:stringData');
}

export function managedFieldsOf(object: unknown): ManagedFieldsEntry[] {
  const entries = objectAt(object, 'metadata')?.['managedFields'];
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((entry) => ({
    manager: stringAt(entry, 'manager') ?? '',
    operation: stringAt(entry, 'operation') ?? '',
    ownsData: ownsData(objectAt(entry, 'fieldsV1')),
  }));
}
