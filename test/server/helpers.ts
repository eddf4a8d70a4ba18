// Shared by the webhook tests: small test-only rules and a mutator, so every decision path can be
// reached without depending on the real rules (which other engineers are still writing).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { resolveConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { createMutator, createRule } from '../../src/engine/rule.js';
import type { Mutator, Rule } from '../../src/engine/types.js';
import { labelsOf } from '../../src/k8s/object.js';
import type { JsonObject } from '../../src/k8s/json.js';
import type { LagSource } from '../../src/server/pressure.js';

export const CANARY = 'fixture-not-a-secret';
const secretKind = [{ group: '', kind: 'Secret' }] as const;

const labelRule = (id: string, label: string, action: 'deny' | 'warn' | 'audit', message: string): Rule =>
  createRule<Record<string, never>, 'hit'>({
    meta: {
      id,
      description: `test rule: ${action} when label ${label} is set`,
      defaultAction: action,
      match: { kinds: secretKind, operations: ['CREATE', 'UPDATE', 'DELETE'] },
      optionsSchema: { type: 'object', additionalProperties: false },
      defaultOptions: {},
      messages: { hit: message },
      remediation: 'remove the label',
    },
    check(context) {
      const labels = labelsOf(context.subject.object ?? context.subject.oldObject);
      if (labels[label] !== undefined) context.report({ messageId: 'hit', data: { name: context.subject.name, value: labels[label] }, field: '/metadata/labels' });
    },
  });

export const testRules: Rule[] = [
  labelRule('test-deny', 'deny', 'deny', 'Secret {{name}} is refused; remove the deny label'),
  labelRule('test-deny-two', 'deny', 'deny', 'second reason for {{name}}; fix it too'),
  labelRule('test-warn', 'warn', 'warn', 'line one\nline two {{value}} and a long tail: ' + 'x'.repeat(200)),
  labelRule('test-audit', 'audit', 'audit', 'audited {{name}}'),
  createRule<Record<string, never>, 'hit'>({
    meta: {
      id: 'test-throws',
      description: 'test rule that throws',
      defaultAction: 'deny',
      match: { kinds: secretKind },
      optionsSchema: { type: 'object', additionalProperties: false },
      defaultOptions: {},
      messages: { hit: 'never' },
      remediation: 'none',
    },
    check(context) {
      if (labelsOf(context.subject.object).throw !== undefined) JSON.parse('{"not json ' + CANARY);
    },
  }),
  createRule<Record<string, never>, 'missing'>({
    meta: {
      id: 'test-needs-state',
      description: 'test rule that reads the cluster view',
      defaultAction: 'deny',
      match: { kinds: secretKind },
      optionsSchema: { type: 'object', additionalProperties: false },
      defaultOptions: {},
      messages: { missing: 'namespace {{namespace}} is not in the cluster view' },
      remediation: 'create the namespace',
      needsClusterState: true,
    },
    check(context) {
      if (labelsOf(context.subject.object).state === undefined) return;
      if (context.view.namespace(context.subject.namespace) === undefined) {
        context.report({ messageId: 'missing', data: { namespace: context.subject.namespace }, field: '/metadata/namespace' });
      }
    },
  }),
];

export const testMutators: Mutator[] = [
  createMutator<Record<string, never>>({
    meta: {
      id: 'test-annotate',
      description: 'test mutator: annotates Secrets labelled mutate',
      defaultMode: 'on',
      match: { kinds: secretKind },
      optionsSchema: { type: 'object', additionalProperties: false },
      defaultOptions: {},
    },
    mutate(context) {
      if (labelsOf(context.subject.object).mutate === undefined) return { patch: [], notes: [] };
      return {
        patch: [{ op: 'add', path: '/metadata/annotations', value: { 'example.com/touched': 'true' } }],
        notes: ['test-annotate added example.com/touched'],
      };
    },
  }),
];

export function testEngine(config: Record<string, unknown> = {}): Engine {
  const resolved = resolveConfig({ apiVersion: 'secretguard.io/v1alpha1', kind: 'SecretGuardConfig', ...config }, 'test', testRules, testMutators);
  return new Engine(testRules, testMutators, resolved);
}

export function syncedView(namespaces: string[] = ['team-a']): ClusterIndex {
  const index = new ClusterIndex();
  for (const name of namespaces) index.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  index.synced = true;
  return index;
}

/** Repository root, from dist/test/server. */
export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export function fixture(name: string): JsonObject {
  return JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/admission', `${name}.json`), 'utf8')) as JsonObject;
}

/** A captured CREATE of Secret team-a/db, with extra labels on the object. */
export function secretReview(labels: Record<string, string> = {}, base = 'create'): JsonObject {
  const review = fixture(base);
  const request = review['request'] as JsonObject;
  const object = request['object'] as JsonObject | null;
  if (object !== null) {
    const metadata = object['metadata'] as JsonObject;
    metadata['labels'] = { ...(metadata['labels'] as JsonObject), ...labels };
  }
  return review;
}

/** A writable stream collecting log lines. */
export class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    callback();
  }
  get records(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** Event-loop lag the test sets, so shedding depends on the test and never on how busy the machine is. */
export class ManualLag implements LagSource {
  constructor(public lagMs = 0) {}
}
