// Metric label cardinality (issue 15): no value from a request becomes a label. Reviews with huge,
// random and label-breaking kinds, groups, operations, namespaces, names, users, paths and exemption
// annotations go through the real HTTPS server; /metrics stays the same size and quotes none of them.
import t from 'tap';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';
import { fixture } from './helpers.js';
import { getMetrics, postTls, startLive } from './live.js';
import type { JsonObject } from '../../src/k8s/json.js';

const MARK = 'hostilemark';
let seed = 15;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._/"\\{}=,\n\t é漢\u2028';
/** A string carrying MARK, of about `length` characters, with characters that could break the exposition format. */
function hostile(length: number): string {
  let out = MARK;
  while (out.length < length) out += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'x';
  return out;
}

function review(uid: string, edit: (request: JsonObject, object: JsonObject) => void): string {
  const body = fixture('create');
  const request = body['request'] as JsonObject;
  request['uid'] = uid;
  edit(request, request['object'] as JsonObject);
  return JSON.stringify(body);
}

const registered = new Set<string>();
for (const item of [...allRules, ...allMutators]) for (const kind of item.meta.match.kinds) registered.add(kind.kind);

/** secretguard's own series (not the process and Node.js defaults), without their values. */
const seriesOf = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('secretguard_') && !l.startsWith('secretguard_process') && !l.startsWith('secretguard_nodejs'))
    .map((l) => l.slice(0, l.lastIndexOf(' ')));

/** Every label value of secretguard's own series, by label name. */
function labelValues(text: string): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>();
  for (const line of seriesOf(text)) {
    if (!line.includes('{')) continue;
    const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    for (const match of labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      const [, name = '', value = ''] = match;
      if (!values.has(name)) values.set(name, new Set());
      values.get(name)?.add(value);
    }
  }
  return values;
}

t.test('hostile reviews over HTTPS add no series and no request text to /metrics', async (t) => {
  const live = await startLive({ config: 'objectExemptions:\n  allowedRules: [no-plaintext-secret]\n' });
  t.teardown(() => live.close());
  const sizes = [10, 200, 5_000, 100_000];
  let n = 0;
  const batch = async (): Promise<void> => {
    for (const size of sizes) {
      for (const endpoint of ['/validate', '/mutate']) {
        const shapes: ((request: JsonObject, object: JsonObject) => void)[] = [
          (request, object) => {
            request['kind'] = { group: '', version: 'v1', kind: hostile(size) };
            object['kind'] = hostile(size);
          },
          (request) => { request['kind'] = { group: hostile(size), version: 'v1', kind: 'Secret' }; },
          (request) => { request['kind'] = { group: hostile(size), version: hostile(size), kind: hostile(size) }; },
          (request) => { request['kind'] = { group: '', version: hostile(size), kind: 'Secret' }; },
          (request) => { request['kind'] = { group: '', version: 'v1', kind: `Secret",endpoint="${MARK}` }; },
          (request, object) => {
            request['namespace'] = hostile(size);
            request['name'] = hostile(size);
            (object['metadata'] as JsonObject)['name'] = hostile(size);
          },
          (request) => { request['userInfo'] = { username: hostile(size), groups: [hostile(size)], uid: hostile(size) }; },
          (request) => { request['subResource'] = hostile(size); },
          (_request, object) => {
            (object['metadata'] as JsonObject)['annotations'] = {
              'secretguard.io/exempt': [hostile(size), hostile(size), 'no-plaintext-secret'].join(','),
              'secretguard.io/exempt-reason': hostile(size),
            };
          },
          (request) => { request['operation'] = hostile(size); }, // refused by the schema: 400
          (request) => { request['resource'] = { group: hostile(size), version: 'v1', resource: hostile(size) }; },
        ];
        for (const shape of shapes) {
          const answer = await postTls(live, endpoint, review(`uid-${String(n++)}`, shape));
          if (answer.status !== 200 && answer.status !== 400) t.fail(`unexpected status ${String(answer.status)}`);
        }
      }
    }
    // Unknown paths and query strings are counted under endpoint="other".
    for (const size of sizes) {
      await postTls(live, `/${encodeURIComponent(hostile(size))}`, '{}');
      await postTls(live, `/validate?${encodeURIComponent(hostile(size))}=1`, '{}');
    }
  };

  // A 3 MB kind, as in the issue (40 of them grew /metrics to 160 MB).
  for (let i = 0; i < 4; i++) {
    const big = await postTls(live, i % 2 === 0 ? '/validate' : '/mutate', review(`big-${String(i)}`, (request, object) => {
      request['kind'] = { group: '', version: 'v1', kind: hostile(3_000_000) };
      object['kind'] = 'Secret';
    }));
    t.equal(big.status, 200, `3 MB kind ${String(i)} answered`);
  }
  await batch();
  const first = await getMetrics(live);
  for (let i = 0; i < 3; i++) await batch();
  const after = await getMetrics(live);
  t.comment(`/metrics after ${String(n)} hostile reviews: ${String(first.length)} bytes after the first round, ${String(after.length)} after four`);
  t.notOk(after.includes(MARK), 'no request-derived string in /metrics');
  t.ok(after.length < 64 * 1024, `/metrics stays small (${String(after.length)} bytes)`);
  t.same(seriesOf(after), seriesOf(first), 'three more rounds of new hostile values add no series');
  const values = labelValues(after);
  for (const kind of values.get('kind') ?? []) {
    if (!registered.has(kind) && kind !== 'other' && !['namespaces', 'clusterSecretStores', 'secretStores', 'externalSecrets'].includes(kind)) t.fail(`kind label ${kind}`);
  }
  t.ok(values.get('kind')?.has('other'), 'unregistered kinds count as other');
  t.ok(values.get('kind')?.has('Secret'), 'a registered kind keeps its name');
  t.same([...(values.get('operation') ?? [])].sort(), ['CREATE'], 'operation: only what the schema admits');
  t.same([...(values.get('endpoint') ?? [])].sort(), ['mutate', 'other', 'validate']);
  const ruleIds = new Set([...allRules, ...allMutators].map((r) => r.meta.id));
  for (const rule of values.get('rule') ?? []) if (!ruleIds.has(rule) && rule !== 'other') t.fail(`rule label ${rule}`);
  t.ok(values.get('rule')?.has('other'), 'an unknown rule id from an exemption annotation counts as other');
  for (const [name, set] of values) t.ok(set.size <= 40, `label ${name} has ${String(set.size)} values`);
});

t.test('hostile request strings cannot swell a decision log line', async (t) => {
  // Allowed decisions log at debug by default; this config logs them at info, so every case writes its line.
  const live = await startLive({ config: 'webhook:\n  allowedDecisionLogLevel: info\n' });
  t.teardown(() => live.close());
  const huge = (n: number) => 'a'.repeat(n);
  const cases: [string, (request: JsonObject, object: JsonObject) => void][] = [
    ['a 1 MB kind', (request) => { request['kind'] = { group: '', version: 'v1', kind: huge(1_000_000) }; }],
    ['a 1 MB group', (request) => { request['kind'] = { group: huge(1_000_000), version: 'v1', kind: 'Secret' }; }],
    ['a 500 KB name and namespace', (request) => { request['name'] = huge(500_000); request['namespace'] = huge(500_000); }],
    ['a 1 MB username', (request) => { request['userInfo'] = { username: huge(1_000_000), groups: [] }; }],
    ['a 1 MB uid', (request) => { request['uid'] = huge(1_000_000); }],
  ];
  for (const [name, edit] of cases) {
    const before = live.sink.lines.length;
    const answer = await postTls(live, '/validate', review(`log-${name}`, edit));
    // A uid longer than the schema allows is a malformed review (400); everything else is answered.
    t.equal(answer.status, name.includes('uid') ? 400 : 200, `${name}: answered`);
    const lines = live.sink.lines.slice(before);
    t.ok(lines.length > 0, `${name}: logged`);
    t.ok(lines.every((line) => line.length < 4096), `${name}: every log line under 4 KiB (longest ${Math.max(...lines.map((l) => l.length))})`);
  }
});
