// Every rule fed objects of each of its kinds with every field, one at a time, replaced by a value of
// each JSON type (issue 12): findings or no findings, never an exception escaping the rule (the engine
// would turn one into a `ruleError` finding, which this test counts as a failure).
import t from 'tap';
import type { JsonObject, JsonValue } from '../../src/k8s/json.js';
import { allRules } from '../../src/rules/registry.js';
import { allMutators } from '../../src/mutators/registry.js';
import { Engine } from '../../src/engine/engine.js';
import { defaultConfig } from '../../src/config/load.js';
import type { Subject } from '../../src/engine/types.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { deepFreeze } from '../rule-tester.js';
import { exampleObjects, pathsOf, replaceAt, samplesOf } from './samples.js';

const VALUES: readonly JsonValue[] = [null, 0, -1, 1e308, true, '', '123', 'A'.repeat(5_000), [], [null, 1], {}, { a: { b: 'c' } }];
const engine = new Engine(allRules, allMutators, defaultConfig(allRules, allMutators));
const view = new ClusterIndex();
for (const object of exampleObjects()) view.upsert(object, 'default');
view.synced = true;

function subjectOf(object: JsonObject, gvk: { group: string; version: string; kind: string }, operation: 'CREATE' | 'UPDATE' | 'DELETE'): Subject {
  return {
    gvk,
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'CREATE' ? null : object,
    operation,
    requester: { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts'] },
    namespace: 'team-a',
    name: 'x',
    dryRun: false,
    source: 'webhook',
    origin: { kind: 'webhook', uid: 'fuzz' },
  };
}

let total = 0;
for (const rule of allRules) {
  t.test(rule.meta.id, async (t) => {
    let cases = 0;
    const escaped: string[] = [];
    for (const kind of rule.meta.match.kinds) {
      const gvk = { group: kind.group, version: kind.versions?.[0] ?? 'v1', kind: kind.kind };
      for (const sample of samplesOf(kind)) {
        const variants: JsonValue[] = [];
        for (const at of pathsOf(sample, [], [], 150)) for (const value of VALUES) variants.push(replaceAt(sample, at, value));
        for (const value of VALUES) variants.push(value);
        for (const variant of variants) {
          const object = deepFreeze(variant) as JsonObject;
          for (const operation of ['CREATE', 'UPDATE', 'DELETE'] as const) {
            cases++;
            const findings = engine.evaluate(subjectOf(object, gvk, operation), view, { only: new Set([rule.meta.id]) });
            for (const finding of findings) if (finding.messageId === 'ruleError' && escaped.length < 5) escaped.push(`${kind.kind} ${operation}: ${finding.message}`);
          }
        }
      }
    }
    total += cases;
    t.same(escaped, [], `${cases} malformed objects: no exception escaped the rule`);
  });
}

t.teardown(() => {
  console.log(`# fuzz cases (every rule, every field of the wrong type): ${total}`);
});
