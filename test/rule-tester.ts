import t from 'tap';
import { ClusterIndex } from '../src/cluster/cluster-index.js';
import type { ClusterView } from '../src/cluster/view.js';
import { resolveConfig } from '../src/config/load.js';
import type { SecretGuardConfigFile } from '../src/config/types.js';
import { Engine } from '../src/engine/engine.js';
import type { Action, ConfigurableAction, Finding, Operation, Requester, Rule, Subject } from '../src/engine/types.js';
import type { JsonObject } from '../src/k8s/json.js';
import { gvkOf, nameOf, namespaceOf, type GroupVersionKind } from '../src/k8s/object.js';
import { manifestSubject, webhookSubject } from '../src/engine/subject.js';
import { isClusterScoped } from '../src/k8s/scope.js';
import { allMutators } from '../src/mutators/registry.js';
import { allRules } from '../src/rules/registry.js';

/** Options a case sets: any part of the rule's options, checked against their type. */
export type CaseOptions<Options> = Options extends object ? { [K in keyof Options]?: Options[K] } : Record<string, unknown>;

export interface RuleCase<Options = Record<string, unknown>> {
  name: string;
  /** The admitted object; null only for DELETE. */
  object: JsonObject | null;
  oldObject?: JsonObject | null;
  /** Default CREATE. */
  operation?: Operation;
  /** Default: a person, `alice`, with no GitOps identity. */
  requester?: Requester;
  /** Default `webhook`. */
  source?: 'webhook' | 'cli';
  dryRun?: boolean;
  /** The request's subresource (webhook only), e.g. `ephemeralcontainers`. */
  subResource?: string;
  /** Objects in the cluster view (Namespaces, stores, ExternalSecrets). */
  cluster?: JsonObject[];
  /** Default true. */
  clusterSynced?: boolean;
  /** This rule's options (merged over its defaults). */
  options?: CaseOptions<Options>;
  /** Any other part of the config file (tenancy, gitops, exemptions...). */
  config?: Omit<SecretGuardConfigFile, 'apiVersion' | 'kind'>;
}

export interface ExpectedFinding<MessageId extends string = string> {
  messageId: MessageId;
  action: Action;
  field: string;
  /** Substrings the message must contain (names, keys, detectors). */
  messageIncludes?: string[];
}

export interface InvalidRuleCase<Options = Record<string, unknown>, MessageId extends string = string> extends RuleCase<Options> {
  /** Exactly the findings of this rule, in order; a message id the rule does not have is a type error. */
  errors: ExpectedFinding<MessageId | EngineMessageId>[];
  /** Substrings that must never appear in any message: planted secret values. */
  canaries?: string[];
}

export const PERSON: Requester = { username: 'alice', groups: ['system:authenticated'] };
export const ARGOCD: Requester = {
  username: 'system:serviceaccount:argocd:argocd-application-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
};

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function viewOf(objects: readonly JsonObject[], synced = true): ClusterView {
  const index = new ClusterIndex();
  for (const object of objects) index.upsert(object);
  index.synced = synced;
  return index;
}

/** The case's own setting for the rule under test: an action from `config.rules` plus `options`. */
function ruleSetting(ruleId: string, testCase: RuleCase): { action?: ConfigurableAction; options?: Record<string, unknown> } {
  const configured = testCase.config?.rules?.[ruleId];
  const action = typeof configured === 'string' ? configured : configured?.action;
  return { ...(action !== undefined ? { action } : {}), ...(testCase.options !== undefined ? { options: testCase.options } : {}) };
}

/** Run one case through the real engine with only `rule`'s findings kept. */
export function runCase(rule: Rule, testCase: RuleCase): Finding[] {
  const rules = allRules.includes(rule) ? allRules : [...allRules, rule];
  const config = resolveConfig(
    {
      apiVersion: 'secretguard.io/v1alpha1',
      kind: 'SecretGuardConfig',
      ...testCase.config,
      rules: { ...testCase.config?.rules, [rule.meta.id]: ruleSetting(rule.meta.id, testCase) },
    },
    'test case',
    rules,
    allMutators,
  );
  const engine = new Engine(rules, allMutators, config);
  const object = testCase.object === null ? null : deepFreeze(structuredClone(testCase.object));
  const oldObject = testCase.oldObject == null ? null : deepFreeze(structuredClone(testCase.oldObject));
  const reference = object ?? oldObject;
  if (reference === null) throw new Error(`case "${testCase.name}" has neither object nor oldObject`);
  const gvk = gvkOf(reference);
  if (gvk === undefined) throw new Error(`case "${testCase.name}" has no apiVersion/kind`);
  const subject = subjectFor(testCase, gvk, object, oldObject, reference);
  const view = viewOf(deepFreeze(structuredClone(testCase.cluster ?? [])), testCase.clusterSynced ?? true);
  return engine.evaluate(subject, view, { only: new Set([rule.meta.id]) });
}

/**
 * The subject of a case, built by the front ends' own constructors: a manifest file for `source: 'cli'`
 * (always a CREATE by the CLI), else an admission request from `requester` (a person by default).
 */
function subjectFor(testCase: RuleCase, gvk: GroupVersionKind, object: JsonObject | null, oldObject: JsonObject | null, reference: JsonObject): Subject {
  if (testCase.source === 'cli') {
    if (object === null) throw new Error(`case "${testCase.name}": a manifest has an object`);
    if (testCase.operation !== undefined && testCase.operation !== 'CREATE') throw new Error(`case "${testCase.name}": the CLI only creates`);
    const subject = manifestSubject(object, 'test.yaml', 1, 'default');
    if (subject === undefined) throw new Error(`case "${testCase.name}" has no apiVersion/kind`);
    return subject;
  }
  const requester = testCase.requester ?? PERSON;
  return webhookSubject({
    uid: 'test-uid',
    kind: gvk,
    ...(testCase.subResource !== undefined ? { subResource: testCase.subResource } : {}),
    name: nameOf(reference) ?? '',
    namespace: isClusterScoped(gvk.group, gvk.kind) ? '' : (namespaceOf(reference) ?? 'default'),
    operation: testCase.operation ?? 'CREATE',
    userInfo: { username: requester.username, ...(requester.uid !== undefined ? { uid: requester.uid } : {}), groups: requester.groups },
    object,
    oldObject,
    dryRun: testCase.dryRun ?? false,
  });
}

/**
 * The placeholders of a finding's message template that stayed unfilled: each `{{word}}` of the template still
 * written as it is in the message. A value that is itself a Go template (`{{ .key }}`, as
 * sealedsecret-template-plaintext prints) is not a placeholder of the template and passes.
 */
export function unfilledPlaceholders(rule: Rule, finding: Finding): string[] {
  const template = rule.meta.messages[finding.messageId];
  if (template === undefined) return [];
  const tokens = [...template.matchAll(/\{\{\s*\w+\s*\}\}/g)].map((match) => match[0]);
  return [...new Set(tokens)].filter((token) => finding.message.includes(token));
}

/** The message ids a rule reports, the engine's own included: `ExpectedFinding<MessageIdOf<typeof rule>>`. */
export type MessageIdOf<R> = R extends { meta: { messages: Record<infer MessageId, string> } } ? MessageId | EngineMessageId : never;

/** Message ids the engine itself reports for any rule: refused object exemptions, a throw, an unsynced view. */
type EngineMessageId = 'exemptionNotHonoured' | 'ruleError' | 'clusterStateMissing';

/**
 * Table-driven rule tests in the style of ESLint's RuleTester, typed over the rule's options and message ids
 * as typescript-eslint's RuleTester is.
 */
export function ruleTester<Options, MessageId extends string>(
  rule: Rule<Options, MessageId>,
  // Options and message ids come from the rule alone: the cases are checked against them, never widen them.
  cases: { valid: RuleCase<NoInfer<Options>>[]; invalid: InvalidRuleCase<NoInfer<Options>, NoInfer<MessageId>>[] },
): void {
  t.test(`${rule.meta.id}: valid`, async (t) => {
    for (const testCase of cases.valid) {
      const findings = runCase(rule, testCase);
      t.same(
        findings.map((f) => `${f.action} ${f.messageId} ${f.field}: ${f.message}`),
        [],
        testCase.name,
      );
    }
  });
  t.test(`${rule.meta.id}: invalid`, async (t) => {
    for (const testCase of cases.invalid) {
      const findings = runCase(rule, testCase);
      t.same(
        findings.map((f) => ({ ruleId: f.ruleId, messageId: f.messageId, action: f.action, field: f.field })),
        testCase.errors.map((e) => ({ ruleId: rule.meta.id, messageId: e.messageId, action: e.action, field: e.field })),
        testCase.name,
      );
      for (const finding of findings) {
        t.same(unfilledPlaceholders(rule, finding), [], `${testCase.name}: ${finding.messageId} fills every placeholder`);
      }
      testCase.errors.forEach((expected, index) => {
        for (const fragment of expected.messageIncludes ?? []) {
          t.match(findings[index]?.message ?? '', fragment, `${testCase.name}: message ${index} names ${fragment}`);
        }
      });
      for (const canary of testCase.canaries ?? []) {
        for (const finding of findings) {
          t.notMatch(finding.message, canary, `${testCase.name}: no secret value in the message`);
        }
      }
    }
  });
}
