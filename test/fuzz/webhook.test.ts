// Property-based fuzzing of the admission handler (issue 12): random and mutated AdmissionReviews,
// through app.inject (the real fastify handler) and through the pure decode → respond path.
// Property: never a crash, never a 500; a valid AdmissionReview answer or a 400/413; bounded time
// and memory per input. A fixed seed, counts printed with t.comment.
import fc from 'fast-check';
import t from 'tap';
import { decodeAdmissionReview, respondMutate, respondValidate } from '../../src/admission/review.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import type { JsonValue } from '../../src/k8s/json.js';
import { BODY_LIMIT, buildApp } from '../../src/server/app.js';
import { ManualLag } from '../server/helpers.js';
import { gcFunction, reviewProblems, uidOf } from './checks.js';
import { anyJson, kinds, mutatedObject, removeAt, weirdString } from './arbitraries.js';
import { apiVersionOf, deepJsonText, exampleObjects, pathsOf, replaceAt } from './samples.js';

export const SEED = 0x5ec6a7d;
const SCALE = Number(process.env['SECRETGUARD_FUZZ_SCALE'] ?? '1');
const INJECT_RUNS = Math.round(20_000 * SCALE);
const PURE_RUNS = Math.round(60_000 * SCALE);
/** Generous for a shared 2-core CI runner; a typical input takes well under a millisecond. */
const MAX_MS_PER_INPUT = 3_000;

const engine = buildEngine(loadEffectiveConfig(undefined));
const view = new ClusterIndex();
for (const name of ['team-a', 'team-b', 'default']) view.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'secretguard.io/tenant': name } } });
for (const object of exampleObjects()) view.upsert(object, 'default');
view.synced = true;

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

// ---- arbitraries ---------------------------------------------------------------------------

const objectArb: fc.Arbitrary<JsonValue> = fc.oneof({ weight: 6, arbitrary: mutatedObject }, { weight: 1, arbitrary: anyJson });

const reviewArb: fc.Arbitrary<JsonValue> = fc
  .record({
    kind: fc.nat({ max: kinds.length - 1 }),
    object: objectArb,
    oldObject: fc.option(objectArb),
    operation: fc.constantFrom(...OPERATIONS),
    uid: fc.oneof(fc.uuid(), weirdString),
    username: fc.oneof(fc.constantFrom('admin', 'system:serviceaccount:argocd:argocd-application-controller', 'tenant', 'system:serviceaccount:team-a:default'), weirdString),
    namespace: fc.oneof(fc.constantFrom('team-a', 'team-b', ''), weirdString),
    dryRun: fc.boolean(),
    subResource: fc.option(fc.constantFrom('status', 'scale', '')),
    edits: fc.array(fc.record({ at: fc.nat(), value: fc.option(anyJson, { freq: 4 }) }), { maxLength: 3 }),
  })
  .map((r) => {
    const kind = kinds[r.kind] ?? { group: '', kind: 'Secret' };
    const version = apiVersionOf(kind).split('/').pop() ?? 'v1';
    let review: JsonValue = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: r.uid,
        kind: { group: kind.group, version, kind: kind.kind },
        resource: { group: kind.group, version, resource: kind.kind.toLowerCase() + 's' },
        ...(r.subResource !== null ? { subResource: r.subResource } : {}),
        name: 'x',
        namespace: r.namespace,
        operation: r.operation,
        userInfo: { username: r.username, uid: 'u', groups: ['system:authenticated'] },
        object: r.object,
        oldObject: r.oldObject,
        dryRun: r.dryRun,
        options: null,
      },
    };
    for (const edit of r.edits) {
      const paths = pathsOf(review, [], [], 60);
      const at = paths[edit.at % paths.length] ?? [];
      review = edit.value === null ? removeAt(review, at) : replaceAt(review, at, edit.value);
    }
    return review;
  });

const INVALID_UTF8 = [Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf0, 0x28, 0x8c, 0x28]), Buffer.from([0xc0, 0xaf])];

/** How a review becomes bytes on the wire: plain JSON, or broken in one of the ways the issue lists. */
const encodedArb: fc.Arbitrary<Buffer> = fc
  .record({
    review: reviewArb,
    how: fc.constantFrom('json', 'json', 'json', 'json', 'crlf', 'bom', 'dupkeys', 'bytes', 'truncate', 'numbers-as-strings'),
    at: fc.nat(),
    bad: fc.nat({ max: INVALID_UTF8.length - 1 }),
  })
  .map(({ review, how, at, bad }) => {
    const text = JSON.stringify(review);
    switch (how) {
      case 'crlf':
        return Buffer.from(JSON.stringify(review, null, 1).replaceAll('\n', '\r\n'));
      case 'bom':
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
      case 'dupkeys':
        return Buffer.from(text.replace('"uid":', '"uid":"duplicate","uid":').replace('"kind":', '"kind":{"kind":"Secret"},"kind":').replace('"object":', '"object":null,"object":'));
      case 'bytes': {
        const bytes = Buffer.from(text);
        const cut = at % (bytes.length + 1);
        return Buffer.concat([bytes.subarray(0, cut), INVALID_UTF8[bad] ?? Buffer.alloc(0), bytes.subarray(cut)]);
      }
      case 'truncate':
        return Buffer.from(text.slice(0, at % (text.length + 1)));
      case 'numbers-as-strings':
        return Buffer.from(text.replace(/(:)(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/gi, '$1"$2"'));
      default:
        return Buffer.from(text);
    }
  });

const contentTypeArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/yaml', '', 'application/json;;;', 'multipart/form-data; boundary=x') },
);

// ---- properties ----------------------------------------------------------------------------

t.test(`handler via inject: ${INJECT_RUNS} random and mutated AdmissionReviews (seed ${SEED})`, async (t) => {
  const app = buildApp({ engine, view, lagSource: new ManualLag() });
  await app.ready();
  t.teardown(() => app.close());
  const gc = await gcFunction();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const statuses = new Map<number, number>();
  let maxMs = 0;
  let runs = 0;
  let bytes = 0;
  await fc.assert(
    fc.asyncProperty(encodedArb, contentTypeArb, fc.constantFrom('/validate', '/mutate'), async (body, contentType, url) => {
      runs++;
      bytes += body.length;
      const started = performance.now();
      const res = await app.inject({ method: 'POST', url, headers: contentType === '' ? {} : { 'content-type': contentType }, payload: body });
      const ms = performance.now() - started;
      maxMs = Math.max(maxMs, ms);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (ms > MAX_MS_PER_INPUT) throw new Error(`input took ${Math.round(ms)}ms`);
      if (![200, 400, 413].includes(res.statusCode)) throw new Error(`status ${res.statusCode}: ${res.body.slice(0, 200)}`);
      const answer = JSON.parse(res.body) as unknown;
      if (res.statusCode === 200) {
        const problems = reviewProblems(answer, uidOf(body));
        if (problems.length > 0) throw new Error(problems.join(', '));
      } else if ((answer as { code?: unknown }).code !== res.statusCode) {
        throw new Error('error body does not carry its status code');
      }
    }),
    { seed: SEED, numRuns: INJECT_RUNS, endOnFailure: true },
  );
  gc();
  const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  t.comment(`fuzz cases (handler via inject): ${runs}, ${(bytes / 2 ** 20).toFixed(1)} MiB of bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, slowest ${maxMs.toFixed(1)}ms, heap growth after gc ${heapGrowthMiB.toFixed(1)} MiB`);
  t.equal(runs, INJECT_RUNS);
  t.ok((statuses.get(200) ?? 0) > INJECT_RUNS / 4, 'a good share of the inputs reach the engine');
  t.ok(heapGrowthMiB < 64, 'memory returns to where it was');
});

t.test(`decode → respond (pure handler path): ${PURE_RUNS} reviews (seed ${SEED + 1})`, async (t) => {
  let runs = 0;
  let decided = 0;
  let maxMs = 0;
  fc.assert(
    fc.property(reviewArb, fc.boolean(), (review, mutate) => {
      runs++;
      const started = performance.now();
      // Through JSON text, as the handler sees it.
      const decoded = decodeAdmissionReview(JSON.parse(JSON.stringify(review)) as unknown);
      if (!decoded.ok) {
        if (typeof decoded.error !== 'string' || decoded.error === '') throw new Error('decode error without a message');
        return;
      }
      decided++;
      const outcome = mutate ? respondMutate(engine, view, decoded.request) : respondValidate(engine, view, decoded.request);
      const problems = reviewProblems(JSON.parse(JSON.stringify(outcome.review)), decoded.request.uid);
      if (problems.length > 0) throw new Error(problems.join(', '));
      if (outcome.findings.some((f) => f.messageId === 'ruleError')) throw new Error(`a rule threw: ${outcome.findings.map((f) => f.message).join('; ')}`);
      const ms = performance.now() - started;
      maxMs = Math.max(maxMs, ms);
      if (ms > MAX_MS_PER_INPUT) throw new Error(`input took ${Math.round(ms)}ms`);
    }),
    { seed: SEED + 1, numRuns: PURE_RUNS, endOnFailure: true },
  );
  t.comment(`fuzz cases (decode → respond): ${runs}, ${decided} reached the engine, slowest ${maxMs.toFixed(1)}ms`);
  t.equal(runs, PURE_RUNS);
});

t.test('extreme inputs: huge, deep, wide, List of 10,000, missing uid, null objects', async (t) => {
  const app = buildApp({ engine, view, lagSource: new ManualLag() });
  await app.ready();
  t.teardown(() => app.close());
  const request = (object: string, extra = ''): string =>
    `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"group":"","version":"v1","kind":"Secret"},"resource":{"group":"","version":"v1","resource":"secrets"},"namespace":"team-a","name":"db","operation":"CREATE","userInfo":{"username":"admin"},"object":${object}${extra}}}`;
  const secretList = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    metadata: { name: 'db' },
    items: Array.from({ length: 10_000 }, (_, i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` }, data: { password: Buffer.from(`Zq8vN2mXw4Lp7Rt9-${i}`).toString('base64') } })),
  });
  const wideData = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, Buffer.from(`v${i}-Zq8vN2mXw4Lp`).toString('base64')])) });
  const cases: { name: string; body: string; status: number[] }[] = [
    { name: 'List with 10,000 Secret items as the object', body: request(secretList), status: [200] },
    { name: '10,000 keys in data', body: request(wideData), status: [200] },
    { name: 'nesting 10,000 deep under data', body: request(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":${deepJsonText(10_000)}}`), status: [200] },
    { name: 'nesting 100,000 deep under metadata', body: request(`{"apiVersion":"v1","kind":"Secret","metadata":${deepJsonText(100_000)}}`), status: [200, 400] },
    { name: 'a 3.9 MiB string value', body: request(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"${'Zq8vN2mX'.repeat(500_000)}"}}`), status: [200] },
    { name: 'a body over the limit', body: request(`{"x":"${'a'.repeat(BODY_LIMIT)}"}`), status: [413] },
    { name: 'object null on CREATE', body: request('null'), status: [200] },
    { name: 'object a string', body: request('"Secret"'), status: [400] },
    { name: 'missing uid', body: request('{}').replace('"uid":"u-1",', ''), status: [400] },
    { name: 'request null', body: '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null}', status: [400] },
    { name: 'unknown kind', body: request('{"apiVersion":"example.com/v1","kind":"Widget"}').replace('"kind":"Secret"', '"kind":"Widget"'), status: [200] },
    { name: 'lone surrogates and RTL in keys and values', body: request('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"\\ud800\\u202e","labels":{"\\udfff":"\\u0000"}},"stringData":{"\\ud83d":"\\ude00"}}'), status: [200] },
    { name: 'duplicate keys: the last wins, as in Go', body: request('{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"}}', ',"uid":"u-2"'), status: [200] },
    { name: 'JSON array body', body: '[1,2,3]', status: [400] },
    { name: 'empty object', body: '{}', status: [400] },
  ];
  for (const c of cases) {
    const started = performance.now();
    const res = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: c.body });
    const ms = performance.now() - started;
    t.ok(c.status.includes(res.statusCode), `${c.name}: status ${res.statusCode} (${Math.round(ms)}ms)`);
    t.ok(ms < 10_000, `${c.name}: bounded time`);
    if (res.statusCode === 200) t.same(reviewProblems(JSON.parse(res.body), uidOf(c.body)), [], `${c.name}: a valid AdmissionReview`);
  }
  t.comment(`RSS after extreme inputs: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
  t.ok(process.memoryUsage().rss < 1.5 * 2 ** 30, 'memory stays bounded');
});
