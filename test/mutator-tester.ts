import jsonpatch from 'fast-json-patch';
import t from 'tap';
import { resolveConfig } from '../src/config/load.js';
import type { SecretGuardConfigFile } from '../src/config/types.js';
import { Engine } from '../src/engine/engine.js';
import type { MutationResult, Mutator, Operation, PatchOperation, Subject } from '../src/engine/types.js';
import type { JsonObject } from '../src/k8s/json.js';
import { gvkOf, nameOf, namespaceOf } from '../src/k8s/object.js';
import { isClusterScoped } from '../src/k8s/scope.js';
import { allMutators } from '../src/mutators/registry.js';
import { allRules } from '../src/rules/registry.js';
import { deepFreeze, PERSON, viewOf } from './rule-tester.js';

export interface MutatorCase {
  name: string;
  object: JsonObject;
  oldObject?: JsonObject;
  /** Default CREATE. */
  operation?: Operation;
  /** Default `webhook`. */
  source?: 'webhook' | 'cli';
  /** Objects in the cluster view (ExternalSecrets, Namespaces, stores). */
  cluster?: JsonObject[];
  /** This mutator's options (merged over its defaults). */
  options?: Record<string, unknown>;
  config?: Omit<SecretGuardConfigFile, 'apiVersion' | 'kind'>;
}

export interface ChangingMutatorCase extends MutatorCase {
  /** Exactly the patch the mutator returns. */
  patch: PatchOperation[];
  /** The object after a JSON Patch library applied the patch. */
  output: JsonObject;
  /** Exactly the notes. */
  notes: string[];
}

function configuredMode(id: string, testCase: MutatorCase): 'on' | 'off' | undefined {
  const configured = testCase.config?.mutators?.[id];
  return typeof configured === 'string' ? configured : configured?.mode;
}

/** Run one case through the real engine with this mutator on and only it. */
export function runMutatorCase(mutator: Mutator, testCase: MutatorCase, object: JsonObject = testCase.object): MutationResult {
  const mutators = [mutator];
  const config = resolveConfig(
    {
      apiVersion: 'secretguard.io/v1alpha1',
      kind: 'SecretGuardConfig',
      ...testCase.config,
      mutators: { [mutator.meta.id]: { mode: configuredMode(mutator.meta.id, testCase) ?? 'on', ...(testCase.options !== undefined ? { options: testCase.options } : {}) } },
    },
    'test case',
    allRules,
    allMutators.includes(mutator) ? allMutators : [...allMutators, mutator],
  );
  const engine = new Engine([], mutators, config);
  const frozen = deepFreeze(structuredClone(object));
  const gvk = gvkOf(frozen);
  if (gvk === undefined) throw new Error(`case "${testCase.name}" has no apiVersion/kind`);
  const source = testCase.source ?? 'webhook';
  const subject: Subject = {
    gvk,
    object: frozen,
    oldObject: testCase.oldObject === undefined ? null : deepFreeze(structuredClone(testCase.oldObject)),
    operation: testCase.operation ?? 'CREATE',
    requester: PERSON,
    namespace: isClusterScoped(gvk.group, gvk.kind) ? '' : (namespaceOf(frozen) ?? 'default'),
    name: nameOf(frozen) ?? '',
    dryRun: false,
    source,
    origin: source === 'cli' ? { kind: 'manifest', file: 'test.yaml', line: 1 } : { kind: 'webhook', uid: 'test-uid' },
  };
  return engine.mutate(subject, viewOf(deepFreeze(structuredClone(testCase.cluster ?? []))));
}

/** Apply a patch the way the API server does: validated RFC 6902 on a copy. */
export function applyJsonPatch(object: JsonObject, patch: readonly PatchOperation[]): JsonObject {
  return jsonpatch.applyPatch(structuredClone(object), patch as jsonpatch.Operation[], true, false).newDocument;
}

/**
 * Table tests for a mutator: `unchanged` cases must produce no patch and no notes; `changed` cases must
 * produce exactly `patch` and `notes`, the patch applied with fast-json-patch must give `output`, and
 * admitting `output` again must produce nothing (idempotence under reinvocation and repeated applies).
 */
export function mutatorTester(mutator: Mutator, cases: { unchanged: MutatorCase[]; changed: ChangingMutatorCase[] }): void {
  t.test(`${mutator.meta.id}: unchanged`, async (t) => {
    for (const testCase of cases.unchanged) {
      t.same(runMutatorCase(mutator, testCase), { patch: [], notes: [] }, testCase.name);
    }
  });
  t.test(`${mutator.meta.id}: changed`, async (t) => {
    for (const testCase of cases.changed) {
      const result = runMutatorCase(mutator, testCase);
      t.same(result.patch, testCase.patch, `${testCase.name}: patch`);
      t.same(result.notes, testCase.notes, `${testCase.name}: notes`);
      for (const note of result.notes) {
        t.ok(note.length <= 120 && !note.includes('\n'), `${testCase.name}: note fits one admission warning`);
      }
      const output = applyJsonPatch(testCase.object, result.patch);
      t.same(output, testCase.output, `${testCase.name}: patched object`);
      t.same(runMutatorCase(mutator, testCase, output), { patch: [], notes: [] }, `${testCase.name}: admitting the result again changes nothing`);
    }
  });
}
