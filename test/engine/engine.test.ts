import t from 'tap';
import { resolveConfig } from '../../src/config/load.js';
import type { SecretGuardConfigFile } from '../../src/config/types.js';
import { Engine } from '../../src/engine/engine.js';
import { createRule } from '../../src/engine/rule.js';
import type { Rule, Subject } from '../../src/engine/types.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { viewOf } from '../rule-tester.js';

const noOptions = { type: 'object', additionalProperties: false, properties: {} };

const secretRule = createRule({
  meta: {
    id: 'test-secret',
    description: 'reports every Secret, and a stricter message for bad ones',
    defaultAction: 'warn',
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }], operations: ['CREATE', 'UPDATE', 'DELETE'] },
    optionsSchema: noOptions,
    defaultOptions: {},
    messages: { seen: 'saw {{name}}', broken: 'broken {{name}}' },
    defaultActionByMessage: { broken: 'deny' },
    remediation: 'none needed, this is a test rule',
  },
  check(context) {
    const messageId = context.subject.name === 'broken' ? 'broken' : 'seen';
    context.report({ messageId, data: { name: context.subject.name }, field: '/metadata/name' });
  },
});

const throwingRule = createRule({
  meta: {
    id: 'test-throws',
    description: 'throws with a message that quotes its input',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'Secret' }] },
    optionsSchema: noOptions,
    defaultOptions: {},
    messages: { never: 'never' },
    remediation: 'none needed, this is a test rule',
  },
  check() {
    JSON.parse('{"password": "s3cr3t-canary-value"');
  },
});

const isolationRule = createRule({
  meta: {
    id: 'test-isolation',
    description: 'an isolation rule that needs cluster state',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'Secret' }] },
    optionsSchema: noOptions,
    defaultOptions: {},
    messages: { always: 'always' },
    remediation: 'none needed, this is a test rule',
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    // Reads the view unless the object says not to: only a read makes an unsynced view matter.
    if (context.subject.name !== 'no-state') context.view.namespace(context.subject.namespace);
    context.report({ messageId: 'always', field: '' });
  },
});

const configMapRule = createRule({
  meta: {
    id: 'test-configmap',
    description: 'reports ConfigMaps only',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'ConfigMap' }] },
    optionsSchema: noOptions,
    defaultOptions: {},
    messages: { seen: 'saw it' },
    remediation: 'none needed, this is a test rule',
  },
  check(context) {
    context.report({ messageId: 'seen', field: '' });
  },
});

const badOptionsRule = createRule({
  meta: {
    id: 'test-bad-options',
    description: 'reports that its options are unusable',
    defaultAction: 'warn',
    match: { kinds: [{ group: '', kind: 'ConfigMap' }] },
    optionsSchema: noOptions,
    defaultOptions: {},
    messages: { unusable: 'options unusable' },
    defaultActionByMessage: { unusable: 'error' },
    remediation: 'none needed, this is a test rule',
  },
  check(context) {
    context.report({ messageId: 'unusable', field: '' });
  },
});

const rules: Rule[] = [secretRule, throwingRule, isolationRule, configMapRule, badOptionsRule];

function engine(config: Omit<SecretGuardConfigFile, 'apiVersion' | 'kind'> = {}): Engine {
  return new Engine(rules, [], resolveConfig({ apiVersion: 'secretguard.io/v1alpha1', kind: 'SecretGuardConfig', ...config }, 'test', rules, []));
}

function subject(name: string, overrides: Partial<Subject> = {}, annotations: Record<string, string> = {}): Subject {
  const object: JsonObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'team-a', annotations } };
  return {
    gvk: { group: '', version: 'v1', kind: 'Secret' },
    object,
    oldObject: null,
    operation: 'CREATE',
    requester: { username: 'alice', groups: ['devs'] },
    namespace: 'team-a',
    name,
    dryRun: false,
    source: 'webhook',
    origin: { kind: 'webhook', uid: 'u1' },
    ...overrides,
  };
}

const synced = viewOf([]);
const summary = (findings: { ruleId: string; action: string; messageId: string }[]) => findings.map((f) => `${f.ruleId}:${f.messageId}:${f.action}`);

t.test('rules run by kind; a throwing rule becomes one error finding and the others still run', async (t) => {
  const findings = engine().evaluate(subject('app'), synced);
  t.same(summary(findings), ['test-secret:seen:warn', 'test-throws:ruleError:error', 'test-isolation:always:deny']);
  const error = findings.find((f) => f.ruleId === 'test-throws');
  t.equal(error?.message, '[test-throws] the rule failed (SyntaxError) and could not check this object');
  t.notMatch(JSON.stringify(findings), 's3cr3t', 'the error message of the rule is not passed on');
  t.same(engine().watchedKinds, ['/ConfigMap', '/Secret']);
});

t.test('a message may be stricter by default; an action from config applies to every message', async (t) => {
  t.same(summary(engine().evaluate(subject('broken'), synced, { only: new Set(['test-secret']) })), ['test-secret:broken:deny']);
  const configured = engine({ rules: { 'test-secret': 'audit' } });
  t.same(summary(configured.evaluate(subject('broken'), synced, { only: new Set(['test-secret']) })), ['test-secret:broken:audit']);
  t.same(summary(engine({ rules: { 'test-secret': 'off' } }).evaluate(subject('x'), synced, { only: new Set(['test-secret']) })), []);
  const configMap = { ...subject('cm'), gvk: { group: '', version: 'v1', kind: 'ConfigMap' } };
  const lowered = engine({ rules: { 'test-bad-options': 'audit' } }).evaluate(configMap, synced, { only: new Set(['test-bad-options']) });
  t.same(summary(lowered), ['test-bad-options:unusable:error'], 'no config action lowers an error message');
});

t.test('operations and versions filter rules', async (t) => {
  const only = { only: new Set(['test-secret', 'test-throws']) };
  t.same(summary(engine().evaluate(subject('x', { operation: 'DELETE', object: null }), synced, only)), ['test-secret:seen:warn']);
  t.same(summary(engine().evaluate(subject('x', { gvk: { group: '', version: 'v2', kind: 'Secret' } }), synced, only)), ['test-throws:ruleError:error']);
});

t.test('a rule needing cluster state reports per clusterView.missingState when the view is not synced', async (t) => {
  const unsynced = viewOf([], false);
  const only = { only: new Set(['test-isolation']) };
  t.same(summary(engine().evaluate(subject('x'), unsynced, only)), ['test-isolation:clusterStateMissing:error']);
  t.same(summary(engine({ clusterView: { missingState: 'warn' } }).evaluate(subject('x'), unsynced, only)), ['test-isolation:clusterStateMissing:warn']);
  t.same(summary(engine().evaluate(subject('no-state'), unsynced, only)), ['test-isolation:always:deny'], 'a rule that does not read the view for this object decides');
});

t.test('config exemptions: every given criterion must match', async (t) => {
  const exempt = engine({
    exemptions: [{ rules: ['test-secret'], namespaces: ['^team-.*$'], groups: ['devs'], reason: 'migration' }],
  });
  const only = { only: new Set(['test-secret']) };
  t.same(summary(exempt.evaluate(subject('x'), synced, only)), [], 'namespace regex and group match');
  t.same(summary(exempt.evaluate(subject('x', { requester: { username: 'bob', groups: [] } }), synced, only)), ['test-secret:seen:warn'], 'group does not match');
  const bySa = engine({ exemptions: [{ rules: ['*'], serviceAccounts: ['ci/*'], reason: 'CI deployer' }] });
  const ci = { requester: { username: 'system:serviceaccount:ci:deployer', groups: [] } };
  t.same(summary(bySa.evaluate(subject('x', ci), synced)), [], 'every rule, any service account of ci');
  t.same(summary(bySa.evaluate(subject('x', { requester: { username: 'system:serviceaccount:other:deployer', groups: [] } }), synced, only)), ['test-secret:seen:warn']);
});

t.test('object exemption annotations are honoured only for allowed, non-isolation rules with a reason', async (t) => {
  // Listing test-isolation in allowedRules is a config error now (test/config); the engine refuses it anyway.
  const allowed = engine({ objectExemptions: { allowedRules: ['test-secret'] } });
  const annotations = { 'secretguard.io/exempt': 'test-secret, test-isolation, test-configmap', 'secretguard.io/exempt-reason': 'ticket 42' };
  const findings = allowed.evaluate(subject('x', {}, annotations), synced, { only: new Set(['test-secret', 'test-isolation', 'test-configmap']) });
  t.same(summary(findings), ['test-isolation:exemptionNotHonoured:warn', 'test-configmap:exemptionNotHonoured:warn', 'test-isolation:always:deny']);
  t.match(findings[0]?.message, 'tenant isolation rules cannot be exempted');
  t.match(findings[1]?.message, 'not in objectExemptions.allowedRules');
  const noReason = allowed.evaluate(subject('x', {}, { 'secretguard.io/exempt': 'test-secret' }), synced, { only: new Set(['test-secret']) });
  t.same(summary(noReason), ['test-secret:exemptionNotHonoured:warn', 'test-secret:seen:warn']);
  t.match(noReason[0]?.message, 'exempt-reason is missing');
  t.same(summary(engine().evaluate(subject('x', {}, { 'secretguard.io/exempt': 'test-secret', 'secretguard.io/exempt-reason': 'r' }), synced, { only: new Set(['test-secret']) })), [
    'test-secret:exemptionNotHonoured:warn',
    'test-secret:seen:warn',
  ], 'default config honours no object exemption');
});
