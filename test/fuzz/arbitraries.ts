// fast-check arbitraries shared by the fuzzers: strings and JSON values of every awkward kind, and
// realistic objects with fields replaced by values of the wrong type. Not a test file.
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { stringify } from 'yaml';
import type { JsonObject, JsonValue } from '../../src/k8s/json.js';
import { matchedKinds, pathsOf, replaceAt, samplesOf, WRONG_TYPES } from './samples.js';

export const kinds = [...matchedKinds(), { group: '', kind: 'List' }, { group: 'example.com', kind: 'Widget' }, { group: '', kind: 'Namespace' }];
export const samples: JsonObject[] = kinds.flatMap((k) => samplesOf(k));

export const weirdString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('\ud800', '\udfff x', 'a\u0000b', '\u202e\u2028\u2029', '\uFEFF', 'ｓｅｃｒｅｔ', '🔑'.repeat(40), 'ß'.repeat(300)) },
  { weight: 1, arbitrary: fc.nat({ max: 4_000 }).map((n) => 'x'.repeat(n)) },
);
export const leaf: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  weirdString,
);
export const anyJson: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 80, arbitrary: leaf },
  { weight: 40, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue> },
  { weight: 20, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 20, arbitrary: fc.dictionary(weirdString, leaf, { maxKeys: 8 }) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(300_000)) },
);

/** A sample object with some fields replaced by values of any type, or removed. */
export const mutatedObject: fc.Arbitrary<JsonValue> = fc
  .record({
    sample: fc.nat({ max: samples.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), value: fc.option(anyJson, { freq: 6 }) }), { maxLength: 4 }),
  })
  .map(({ sample, edits }) => {
    let value: JsonValue = structuredClone(samples[sample] ?? {});
    for (const edit of edits) {
      const paths = pathsOf(value);
      if (paths.length === 0) break;
      const at = paths[edit.at % paths.length] ?? [];
      value = edit.value === null ? removeAt(value, at) : replaceAt(value, at, edit.value);
    }
    return value;
  });

export function removeAt(value: JsonValue, at: readonly (string | number)[]): JsonValue {
  if (at.length === 0) return value;
  const parentPath = at.slice(0, -1);
  const key = at[at.length - 1];
  let parent: JsonValue = value;
  for (const segment of parentPath) {
    if (typeof parent !== 'object' || parent === null) return value;
    parent = Array.isArray(parent) ? (parent[Number(segment)] ?? null) : (parent[String(segment)] ?? null);
  }
  if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) Reflect.deleteProperty(parent, String(key));
  return value;
}


export const TOKENS = [
  '&a ', '*a', '&b ', '*b', '<<: *a\n', '<<: [*a, *b]\n', '---\n', '...\n', '--- ', '? ', ': ', '- ', '|\n  ', '>-\n  ', '"', "'", '{', '}', '[', ']', ',', '#', '\t',
  '!!binary ', '!!str ', '!!js/function ', '!!python/object ', '!<tag:yaml.org,2002:str> ', '%YAML 1.1\n', '%TAG ! tag:x,\n', '\r\n', '\r', '\n', '\uFEFF', '\u0000', '\u0085',
  'kind: List\nitems: ', 'apiVersion: v1\nkind: Secret\n', 'null', '~', '0x1F', '1e400', '.inf', 'yes', 'on', '2026-11-24', '0o17', '=', '`', '@', '\\', '\\u', '\ud800',
];

/** An alias bomb: `depth` levels, each an array of `width` aliases of the level below. */
export function aliasBomb(width: number, depth: number, merge = false): string {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', `l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let level = 1; level <= depth; level++) {
    lines.push(
      merge
        ? `l${level}: &l${level}\n  <<: [${Array(Math.min(width, level)).fill(`*l${level - 1}`).join(', ')}]\n  k${level}: [${Array(width).fill(`*l${level - 1}`).join(', ')}]`
        : `l${level}: &l${level} [${Array(width).fill(`*l${level - 1}`).join(', ')}]`,
    );
  }
  return lines.join('\n') + '\n';
}

export const documentArb: fc.Arbitrary<string> = fc
  .record({
    objects: fc.array(fc.oneof({ weight: 5, arbitrary: mutatedObject }, { weight: 1, arbitrary: anyJson }), { minLength: 1, maxLength: 4 }),
    how: fc.constantFrom('yaml', 'yaml-shared', 'js-yaml', 'json', 'list', 'flow'),
  })
  .map(({ objects, how }) => {
    switch (how) {
      case 'yaml-shared': {
        // the same node referenced twice: `yaml` writes an anchor and an alias
        const shared = objects[0] ?? null;
        return stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data: shared, more: shared, items: objects });
      }
      case 'js-yaml':
        return objects.map((o) => dump(o, { noRefs: false, skipInvalid: true })).join('---\n');
      case 'json':
        return objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n');
      case 'list':
        return stringify({ apiVersion: 'v1', kind: 'List', items: objects });
      case 'flow':
        return objects.map((o) => stringify(o, { collectionStyle: 'flow' })).join('---\n');
      default:
        return objects.map((o) => stringify(o)).join('---\n');
    }
  });

const INVALID_UTF8_BYTES = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c, 0x28], [0xc0, 0xaf]];

/** Bytes of a manifest stream, possibly broken. */
export const streamArb: fc.Arbitrary<Buffer> = fc
  .record({
    text: fc.oneof(
      { weight: 12, arbitrary: documentArb },
      { weight: 1, arbitrary: fc.record({ width: fc.integer({ min: 2, max: 12 }), depth: fc.integer({ min: 1, max: 12 }), merge: fc.boolean() }).map((b) => aliasBomb(b.width, b.depth, b.merge)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    ),
    edits: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(fc.record({ at: fc.nat(), token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })), remove: fc.nat({ max: 3 }) }), { maxLength: 5 }) }),
    crlf: fc.boolean(),
    bom: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    badBytes: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ at: fc.nat(), which: fc.nat({ max: INVALID_UTF8_BYTES.length - 1 }) }) }),
  })
  .map(({ text, edits, crlf, bom, badBytes }) => {
    let out = text;
    for (const edit of edits) {
      const at = edit.at % (out.length + 1);
      out = out.slice(0, at) + edit.token + out.slice(at + edit.remove);
    }
    if (crlf) out = out.replaceAll('\n', '\r\n');
    if (bom) out = '\uFEFF' + out;
    let bytes = Buffer.from(out, 'utf8');
    if (badBytes !== null) {
      const at = badBytes.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(INVALID_UTF8_BYTES[badBytes.which] ?? []), bytes.subarray(at)]);
    }
    return bytes;
  });

