// A rule asks for cluster state only when this object needs it (issue 15). While the server's view is
// not synced, reflector-namespace-isolation answers "not synced" only for Secrets whose Reflector
// annotations make it look namespaces up, over the real HTTPS server; `secretguard review` without
// --cluster-state decides on an empty, synced view and says so on stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { EMPTY_VIEW_NOTE } from '../../src/cli/review.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from './helpers.js';
import { postTls, responseOf, startLive } from './live.js';

const R = 'reflector.v1.k8s.emberstack.com/';
const RULE = 'reflector-namespace-isolation';
const UNSYNCED = `[${RULE}] the cluster view is not synced yet, so this rule could not decide; retry shortly`;
// Tenants by label (read from the view) and one tenant listed by name (decided without it).
const CONFIG = 'tenancy:\n  tenantLabel: example.com/tenant\n  tenants:\n    billing:\n      namespaces: [billing]\n';
const STATE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {example.com/tenant: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-b\n  labels: {example.com/tenant: b}\n';

function secret(uid: string, namespace: string, annotations: Record<string, string> | undefined): JsonObject {
  const body = fixture('create');
  const request = body['request'] as JsonObject;
  request['uid'] = uid;
  request['namespace'] = namespace;
  request['object'] = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'db', namespace, ...(annotations ? { annotations } : {}) } };
  return body;
}

/** Secrets that reflector-namespace-isolation has no reason to look anything up for. */
const noReflection: [string, Record<string, string> | undefined][] = [
  ['no annotations', undefined],
  ['unrelated annotations', { 'example.com/owner': 'team-a', 'kubernetes.io/description': 'x'.repeat(2000) }],
  ['reflection-allowed false', { [`${R}reflection-allowed`]: 'false', [`${R}reflection-allowed-namespaces`]: 'team-b' }],
  ['a reflected copy (reflects), not a source', { [`${R}reflects`]: 'team-b/db' }],
  ['auto-enabled without allowed', { [`${R}reflection-auto-enabled`]: 'true' }],
];
/** Reflection sources whose check needs the Namespaces in the view. */
const needsState: [string, string, Record<string, string>][] = [
  ['a namespace by name (tenant from its label)', 'team-a', { [`${R}reflection-allowed`]: 'true', [`${R}reflection-allowed-namespaces`]: 'team-b' }],
  ['a pattern', 'team-a', { [`${R}reflection-allowed`]: 'true', [`${R}reflection-allowed-namespaces`]: 'team-.*' }],
  ['every namespace, auto', 'team-a', { [`${R}reflection-allowed`]: 'true', [`${R}reflection-auto-enabled`]: 'true' }],
  ['many names', 'team-a', { [`${R}reflection-allowed`]: 'True', [`${R}reflection-allowed-namespaces`]: Array.from({ length: 200 }, (_, i) => `ns-${String(i)}`).join(',') }],
];

t.test('unsynced server: only Secrets whose Reflector annotations need cluster state get "not synced"', async (t) => {
  const live = await startLive({ config: CONFIG, state: STATE });
  t.teardown(() => live.close());
  live.server.index.synced = false;
  for (const [what, annotations] of noReflection) {
    for (const namespace of ['team-a', 'billing', 'unknown-ns']) {
      const answer = await postTls(live, '/validate', JSON.stringify(secret(`${what}-${namespace}`, namespace, annotations)));
      t.same(responseOf(answer), { uid: `${what}-${namespace}`, allowed: true }, `${what} in ${namespace}: allowed`);
    }
  }
  for (const [what, namespace, annotations] of needsState) {
    const response = responseOf(await postTls(live, '/validate', JSON.stringify(secret(what, namespace, annotations))));
    t.same(response, { uid: what, allowed: false, status: { code: 403, message: UNSYNCED } }, `${what}: not synced`);
  }
  // The listed tenant is known without the view: billing reflecting into team-a is decided at once.
  const decided = responseOf(await postTls(live, '/validate', JSON.stringify(secret('listed', 'billing', { [`${R}reflection-allowed`]: 'true', [`${R}reflection-allowed-namespaces`]: 'billing' }))));
  t.same(decided, { uid: 'listed', allowed: true }, 'a tenant listed by name needs no view to reflect into its own namespace');

  // Once synced, the same Secrets are judged on the view.
  live.server.index.synced = true;
  for (const [what, namespace, annotations] of needsState) {
    const response = responseOf(await postTls(live, '/validate', JSON.stringify(secret(what, namespace, annotations))));
    t.equal(response.allowed, false, `${what}: denied on the view`);
    t.notMatch(response.status?.message, /not synced/);
    t.match(response.status?.message, new RegExp(`^\\[${RULE}\\]`));
  }
});

t.test('review without --cluster-state: an empty synced view, one line on stderr', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-review-state-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, `apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n${CONFIG}`);
  const state = path.join(dir, 'state.yaml');
  writeFileSync(state, STATE);
  for (const [what, annotations] of noReflection) {
    const result = runCli(['review', '--config', config, '-'], JSON.stringify(secret(what, 'team-a', annotations)));
    t.equal(result.code, 0, `${what}: exit 0`);
    t.same(JSON.parse(result.stdout), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: what, allowed: true } });
    t.equal(result.stderr, `${EMPTY_VIEW_NOTE}\n`, `${what}: the note, once`);
  }
  for (const [what, namespace, annotations] of needsState) {
    const result = runCli(['review', '--config', config, '-'], JSON.stringify(secret(what, namespace, annotations)));
    const response = (JSON.parse(result.stdout) as { response: { allowed: boolean; status?: { message: string } } }).response;
    t.notMatch(response.status?.message ?? '', /not synced/, `${what}: decided on the empty view, not "not synced"`);
    t.equal(result.code, response.allowed ? 0 : 1);
    t.equal(result.stderr, `${EMPTY_VIEW_NOTE}\n`);
  }
  // Into every namespace is denied whatever the view holds.
  const all = runCli(['review', '--config', config, '-'], JSON.stringify(secret('all', 'team-a', needsState[2]?.[2] ?? {})));
  t.equal(all.code, 1);
  t.match(all.stdout, /allows Reflector to copy its Secret into every namespace/);
  // With --cluster-state: judged on the files, no note.
  const withState = runCli(['review', '--config', config, '--cluster-state', state, '-'], JSON.stringify(secret('b', 'team-a', needsState[0]?.[2] ?? {})));
  t.equal(withState.code, 1);
  t.match(withState.stdout, /into namespace team-b, which belongs to tenant b, not a/);
  t.equal(withState.stderr, '');
});
