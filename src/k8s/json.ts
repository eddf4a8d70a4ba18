/** JSON as it arrives from the API server or a manifest: nothing about its shape is trusted. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Child object, or undefined when absent or of the wrong type. */
export function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const child = value[key];
  return isObject(child) ? child : undefined;
}

export function arrayAt(value: unknown, key: string): JsonValue[] | undefined {
  if (!isObject(value)) return undefined;
  const child = value[key];
  return Array.isArray(child) ? child : undefined;
}

export function stringAt(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const child = value[key];
  return typeof child === 'string' ? child : undefined;
}

/**
 * String entries of a map such as labels, annotations or Secret data; other value types are skipped.
 * The copy has no prototype, so a key such as `__proto__` (valid in Kubernetes) stays an ordinary key.
 */
export function stringMapAt(value: unknown, key: string): Record<string, string> {
  const map = objectAt(value, key);
  const result = Object.create(null) as Record<string, string>;
  if (map === undefined) return result;
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string') result[k] = v;
  }
  return result;
}

/** String entries of a map, in order, without copying the map: for loops over Secret or ConfigMap data. */
export function stringEntriesAt(value: unknown, key: string): [string, string][] {
  const map = objectAt(value, key);
  if (map === undefined) return [];
  const result: [string, string][] = [];
  for (const entryKey in map) {
    if (!Object.hasOwn(map, entryKey)) continue;
    const entry = map[entryKey];
    if (typeof entry === 'string') result.push([entryKey, entry]);
  }
  return result;
}

/** RFC 6901 JSON pointer from path segments. */
export function pointer(...segments: (string | number)[]): string {
  let result = '';
  for (const segment of segments) {
    const text = String(segment);
    result += '/' + (text.includes('~') || text.includes('/') ? text.replaceAll('~', '~0').replaceAll('/', '~1') : text);
  }
  return result;
}

export function parsePointer(ptr: string): string[] {
  if (ptr === '') return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
