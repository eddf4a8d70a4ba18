// Fuzz targets for the regex-bearing fields (Reloader reload entries, Reflector allowed namespaces, ESO
// namespaceRegexes) and for map keys no rule may lose (issue 15). Properties: a valid AdmissionReview answer,
// no rule error, bounded time per input; RE2 answers what a backtracking engine answers on the syntax both
// share; a credential is found whatever key it sits under. A fixed seed, counts printed with t.comment.
import fc from 'fast-check';
import t from 'tap';
import { decodeAdmissionReview, respondMutate, respondValidate } from '../../src/admission/review.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { resolveConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { compileRegex } from '../../src/k8s/regex.js';
import type { JsonObject, JsonValue } from '../../src/k8s/json.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';
import { reviewProblems } from './checks.js';

const SEED = 0x5ec7e9e;
const SCALE = Number(process.env['SECRETGUARD_FUZZ_SCALE'] ?? '1');
const RUNS = Math.round(3_000 * SCALE);
/** Generous for a shared 2-core CI runner: a sanity bound, not a speed measurement (bench/regex.ts is). */
const MAX_MS_PER_INPUT = 3_000;

const config = resolveConfig(
  {
    apiVersion: 'secretguard.io/v1alpha1',
    kind: 'SecretGuardConfig',
    tenancy: { tenants: { 'team-a': { namespaces: ['team-a', '^team-a-[a-z0-9-]+$'] }, 'team-b': { namespaces: ['team-b', '^(b+)+$'] } } },
  },
  'fuzz',
  allRules,
  allMutators,
);
const engine = new Engine(allRules, allMutators, config);

/** Fragments that make backtracking engines explode, syntax RE2 refuses, and ordinary pieces. */
const fragment = fc.constantFrom('a', 'b', 'aa', '.', '.*', '(a+)+', '(a|aa)*', '(.*a){20}', '((a*)*)*', 'x{2,10}', '{1000}', '(?=a)', '\\1', '[', ']', '(', ')', '|', '^', '$', '\\', '\\d', '[a-z]', '[^,]', '(?i)', ',', ' ', 'team-a', 'team-b', '\\p{L}', '\u00e9', '🔑');
const pattern: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fragment, fc.nat({ max: 3000 })).map(([f, n]) => f.repeat(Math.max(1, Math.floor(n / Math.max(1, f.length))))) },
);
const name = fc.oneof(fc.constantFrom('team-a', 'team-b', 'team-a-x', 'b'.repeat(63), 'a'.repeat(30), 'a'.repeat(253), 'db'), fc.stringMatching(/^[a-z0-9-]{0,63}$/));

const view = new ClusterIndex();
for (const ns of ['team-a', 'team-b', 'team-a-x', 'b'.repeat(63), 'a'.repeat(63)]) view.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
view.synced = true;

function reviewOf(object: JsonObject, group: string, resource: string): JsonValue {
  const apiVersion = object['apiVersion'] as string;
  const metadata = object['metadata'] as JsonObject;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'fuzz',
      kind: { group, version: apiVersion.split('/').at(-1) ?? 'v1', kind: object['kind'] as string },
      resource: { group, version: apiVersion.split('/').at(-1) ?? 'v1', resource },
      name: metadata['name'] ?? 'x',
      ...(typeof metadata['namespace'] === 'string' ? { namespace: metadata['namespace'] } : {}),
      operation: 'CREATE',
      userInfo: { username: 'tenant', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

function judge(review: JsonValue, mutate: boolean): { ms: number; denied: boolean } {
  const started = performance.now();
  const decoded = decodeAdmissionReview(JSON.parse(JSON.stringify(review)) as unknown);
  if (!decoded.ok) throw new Error(`decode failed: ${decoded.error}`);
  const outcome = mutate ? respondMutate(engine, view, decoded.request) : respondValidate(engine, view, decoded.request);
  const problems = reviewProblems(JSON.parse(JSON.stringify(outcome.review)), 'fuzz');
  if (problems.length > 0) throw new Error(problems.join(', '));
  if (outcome.findings.some((f) => f.messageId === 'ruleError')) throw new Error('a rule threw');
  const ms = performance.now() - started;
  if (ms > MAX_MS_PER_INPUT) throw new Error(`input took ${Math.round(ms)}ms`);
  return { ms, denied: !outcome.review.response.allowed };
}

t.test(`Reloader, Reflector and ESO regex fields: ${RUNS} inputs each (seed ${SEED})`, async (t) => {
  let slowest = 0;
  const track = (ms: number): void => { slowest = Math.max(slowest, ms); };
  fc.assert(
    fc.property(fc.array(pattern, { minLength: 1, maxLength: 6 }), fc.array(name, { minLength: 1, maxLength: 4 }), (entries, secrets) => {
      const deployment: JsonObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'team-a', annotations: { 'secret.reloader.stakater.com/reload': entries.join(',') } },
        spec: { template: { spec: { containers: [{ name: 'c', image: 'i', envFrom: secrets.map((s) => ({ secretRef: { name: s } })) }] } } },
      };
      track(judge(reviewOf(deployment, 'apps', 'deployments'), true).ms);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  fc.assert(
    fc.property(fc.array(pattern, { minLength: 1, maxLength: 6 }), fc.constantFrom('team-a', 'team-b', 'a'.repeat(63)), (entries, namespace) => {
      const secret: JsonObject = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'shared',
          namespace,
          annotations: { 'reflector.v1.k8s.emberstack.com/reflection-allowed': 'true', 'reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces': entries.join(',') },
        },
      };
      const { ms, denied } = judge(reviewOf(secret, '', 'secrets'), false);
      track(ms);
      // A pattern RE2 does not run can never be waved through.
      const list = entries.join(',').split(',').map((p) => p.trim()).filter((p) => p !== '');
      if (list.some((p) => !compileRegex(p).ok) && !denied) throw new Error('an unverifiable Reflector pattern was allowed');
    }),
    { seed: SEED + 1, numRuns: RUNS, endOnFailure: true },
  );
  fc.assert(
    fc.property(fc.array(pattern, { minLength: 1, maxLength: 6 }), (regexes) => {
      const store: JsonObject = { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'fuzz' }, spec: { provider: { fake: { data: [] } }, conditions: [{ namespaceRegexes: regexes }] } };
      track(judge(reviewOf(store, 'external-secrets.io', 'clustersecretstores'), false).ms);
      view.upsert(store);
      const externalSecret: JsonObject = { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: 'a'.repeat(63) }, spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'fuzz' }, target: { name: 'db' }, data: [{ secretKey: 'k', remoteRef: { key: 'k' } }] } };
      track(judge(reviewOf(externalSecret, 'external-secrets.io', 'externalsecrets'), false).ms);
    }),
    { seed: SEED + 2, numRuns: RUNS, endOnFailure: true },
  );
  t.comment(`regex fields: ${RUNS * 3} inputs, slowest ${slowest.toFixed(1)}ms`);
  t.pass('every input answered with a valid review and no rule error');
});

t.test(`RE2 agrees with a backtracking engine on the syntax both share: ${RUNS * 5} pairs (seed ${SEED + 3})`, async (t) => {
  // Short patterns and subjects so that the backtracking side stays fast; ASCII only, no flags or classes
  // whose meaning differs between the engines.
  const shared = fc.array(fc.constantFrom('a', 'b', '.', '*', '+', '?', '|', '(', ')', '^', '$', '[ab]', '{1,2}'), { maxLength: 8 }).map((p) => p.join(''));
  const subject = fc.stringMatching(/^[ab]{0,8}$/);
  let compared = 0;
  fc.assert(
    fc.property(shared, subject, (source, text) => {
      let js: RegExp;
      try {
        js = new RegExp(source);
      } catch {
        return;
      }
      const compiled = compileRegex(source);
      if (!compiled.ok) return;
      compared++;
      if (compiled.regex.search(text) !== js.test(text)) throw new Error(`search differs for /${source}/ on "${text}"`);
      const first = js.exec(text);
      const whole = first !== null && first.index === 0 && first[0].length === text.length;
      if (compiled.regex.firstMatchIsWhole(text) !== whole) throw new Error(`first match differs for /${source}/ on "${text}"`);
    }),
    { seed: SEED + 3, numRuns: RUNS * 5, endOnFailure: true },
  );
  t.comment(`compared ${compared} pattern/subject pairs`);
  t.ok(compared > RUNS, 'most generated patterns compile on both engines');
});

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'k'.repeat(253), 'x'.repeat(10_000)];
const CREDENTIAL = 'Zq8vN2mXw4Lp7Rt9Ks3H';

t.test(`map keys: ${KEYS.length} awkward keys in data, stringData, labels and annotations (seed ${SEED + 4})`, async (t) => {
  let runs = 0;
  fc.assert(
    fc.property(fc.constantFrom(...KEYS), fc.constantFrom('data', 'stringData'), fc.constantFrom(...KEYS), fc.constantFrom(...KEYS), (key, field, labelKey, annotationKey) => {
      runs++;
      const value = field === 'data' ? Buffer.from(CREDENTIAL).toString('base64') : CREDENTIAL;
      // JSON text, so that __proto__ is an own key exactly as the API server sends it.
      const text = `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"team-a","labels":{${JSON.stringify(labelKey)}:"x"},"annotations":{${JSON.stringify(annotationKey)}:"y","kubectl.kubernetes.io/last-applied-configuration":"{}"}},"${field}":{${JSON.stringify(key)}:${JSON.stringify(value)}}}`;
      const secret = JSON.parse(text) as JsonObject;
      const { denied } = judge(reviewOf(secret, '', 'secrets'), false);
      if (key !== '' && !denied) throw new Error(`a credential under key ${key.slice(0, 20)} in ${field} was not found`);
    }),
    { seed: SEED + 4, numRuns: Math.max(RUNS, 200), endOnFailure: true },
  );
  t.comment(`map keys: ${runs} Secrets`);
  t.pass('a credential under any non-empty key is denied; no key crashes a rule');
});
