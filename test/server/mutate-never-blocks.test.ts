// The mutating webhook never blocks a workload (issue 15): shed, past its deadline or with a
// failing engine, /mutate answers 200 allowed with no patch over the real HTTPS server, while
// /validate keeps following webhook.onDeadline for shedding and deadlines.
import t, { type Test } from 'tap';
import type { JsonObject } from '../../src/k8s/json.js';
import type { Mutator } from '../../src/engine/types.js';
import { allMutators } from '../../src/mutators/registry.js';
import { fixture } from './helpers.js';
import { postSlowly, postTls, responseOf, startLive, type LiveServer, type ReviewResponse } from './live.js';

const STATE = `apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db, namespace: team-a}
spec:
  secretStoreRef: {name: vault, kind: SecretStore}
  target: {name: db-secret}
  data: [{secretKey: password, remoteRef: {key: teams/team-a/db}}]
`;

/** A Deployment that consumes the ESO-managed db-secret: reloader-annotations patches it. */
function deploymentReview(uid: string, padding = 0): string {
  const body = fixture('create');
  const request = body['request'] as JsonObject;
  request['uid'] = uid;
  request['kind'] = { group: 'apps', version: 'v1', kind: 'Deployment' };
  request['resource'] = { group: 'apps', version: 'v1', resource: 'deployments' };
  request['name'] = 'web';
  request['object'] = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'team-a', labels: { padding: 'x'.repeat(Math.min(padding, 63)) }, ...(padding > 63 ? { annotations: { padding: 'p'.repeat(padding) } } : {}) },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'app', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'password' } } }] }] },
      },
    },
  };
  return JSON.stringify(body);
}

/** A Secret with a plaintext password: the validating webhook denies it. */
function secretReview(uid: string): string {
  const body = fixture('create');
  (body['request'] as JsonObject)['uid'] = uid;
  return JSON.stringify(body);
}

function unchanged(t: Test, response: ReviewResponse, uid: string, why: RegExp): void {
  t.equal(response.uid, uid);
  t.equal(response.allowed, true, `${uid}: allowed`);
  t.equal(response.patch, undefined, `${uid}: no patch`);
  t.equal(response.patchType, undefined, `${uid}: no patchType`);
  t.equal(response.status, undefined, `${uid}: no status`);
  t.match(response.warnings, [why], `${uid}: says why`);
}

const live: Record<'deny' | 'allow', LiveServer> = {
  deny: await startLive({ state: STATE, config: 'webhook:\n  deadlineMs: 100\n  onDeadline: deny\n' }),
  allow: await startLive({ state: STATE, config: 'webhook:\n  deadlineMs: 100\n  onDeadline: allow\n' }),
};
t.teardown(async () => { await Promise.all([live.deny.close(), live.allow.close()]); });

t.test('in normal operation /mutate patches the Deployment (the baseline the failures fall back from)', async (t) => {
  const response = responseOf(await postTls(live.deny, '/mutate', deploymentReview('normal')));
  t.equal(response.allowed, true);
  t.equal(response.patchType, 'JSONPatch');
  t.match(Buffer.from(response.patch ?? '', 'base64').toString('utf8'), /secret\.reloader\.stakater\.com\/reload/);
});

t.test('load shedding: /mutate allowed unchanged; /validate per onDeadline', async (t) => {
  for (const mode of ['deny', 'allow'] as const) {
    const server = live[mode];
    for (const lagMs of [1_000, 30_000]) {
      server.lag.lagMs = lagMs;
      for (const [i, body] of [deploymentReview(`shed-${mode}-${String(lagMs)}-0`), deploymentReview(`shed-${mode}-${String(lagMs)}-1`, 500_000), secretReview(`shed-${mode}-${String(lagMs)}-2`)].entries()) {
        const answer = await postTls(server, '/mutate', body);
        t.equal(answer.status, 200);
        unchanged(t, responseOf(answer), `shed-${mode}-${String(lagMs)}-${String(i)}`, /secretguard is overloaded; the object was admitted without its changes/);
      }
      const validated = responseOf(await postTls(server, '/validate', secretReview(`v-${mode}`)));
      if (mode === 'deny') t.same(validated.status, { code: 503, message: 'secretguard is overloaded; retry shortly' }, 'validate sheds per onDeadline: deny');
      else t.same({ allowed: validated.allowed, warnings: validated.warnings }, { allowed: true, warnings: ['secretguard is overloaded; the request was allowed unchecked'] }, 'validate sheds per onDeadline: allow');
    }
    server.lag.lagMs = 0;
    t.equal(responseOf(await postTls(server, '/mutate', deploymentReview(`after-${mode}`))).patchType, 'JSONPatch', 'recovered');
  }
  const metrics = live.deny.server.metrics.registry.getSingleMetric('secretguard_admission_requests_total');
  t.match(JSON.stringify(await metrics?.get()), /"endpoint":"mutate","kind":"Deployment","operation":"CREATE","decision":"shed"/);
});

t.test('deadline: a body that arrives after the deadline gets /mutate allowed unchanged; /validate per onDeadline', async (t) => {
  for (const mode of ['deny', 'allow'] as const) {
    for (const [i, body] of [deploymentReview('late-0'), deploymentReview('late-1', 200_000)].entries()) {
      for (const pauseMs of [150, 400]) {
        const answer = await postSlowly(live[mode], '/mutate', body, { head: 20 + i * 1000, pauseMs });
        t.equal(answer.status, 200, `${mode} ${String(i)} ${String(pauseMs)}ms`);
        unchanged(t, responseOf(answer), `late-${String(i)}`, /secretguard could not finish within 100ms; the object was admitted without its changes/);
      }
    }
    const validated = responseOf(await postSlowly(live[mode], '/validate', secretReview('late-v'), { head: 50, pauseMs: 200 }));
    if (mode === 'deny') t.same(validated.status, { code: 503, message: 'secretguard could not decide within 100ms; retry shortly' }, 'validate per onDeadline: deny');
    else t.same({ allowed: validated.allowed, warnings: validated.warnings }, { allowed: true, warnings: ['secretguard could not decide within 100ms; the request was allowed unchecked'] }, 'validate per onDeadline: allow');
  }
});

t.test('engine error: a mutator whose patch cannot be encoded gets /mutate allowed unchanged', async (t) => {
  // A deliberate fault: the shipped mutator is swapped, in this process only, for one whose output
  // makes the engine's answer fail to encode.
  const mutator = allMutators.find((m) => m.meta.id === 'reloader-annotations') as { mutate: Mutator['mutate'] } | undefined;
  if (mutator === undefined) throw new Error('reloader-annotations not registered');
  const original = mutator.mutate;
  t.teardown(() => { mutator.mutate = original; });
  const cyclic: JsonObject = {};
  cyclic['self'] = cyclic;
  const faults: [string, unknown][] = [
    ['cyclic value', cyclic],
    ['bigint value', 10n],
    ['value whose getter throws', Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('deliberate fault'); } })],
  ];
  for (const [what, value] of faults) {
    mutator.mutate = () => ({ patch: [{ op: 'add', path: '/metadata/annotations', value: value as JsonObject }], notes: [] });
    for (const mode of ['deny', 'allow'] as const) {
      const answer = await postTls(live[mode], '/mutate', deploymentReview(`fault-${mode}`));
      t.equal(answer.status, 200, `${what}, onDeadline ${mode}`);
      unchanged(t, responseOf(answer), `fault-${mode}`, /secretguard failed; the object was admitted without its changes/);
    }
  }
  t.ok(live.deny.sink.records.some((r) => r['msg'] === 'engine failed' && r['error'] === 'TypeError'), 'logged with the class name only');
});
