// A rule that throws never becomes an allow (issue 15). Deliberate faults, planted through the rule
// registry in this process (test/server/faults.ts), make shipped rules throw all kinds of values: the
// real HTTPS server denies with an error finding for that rule, the other rules still run, and
// onDeadline allow changes nothing; the CLI scan exits 1 with the same finding. No thrown text is shown.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { JsonObject } from '../../src/k8s/json.js';
import type { Rule } from '../../src/engine/types.js';
import { allRules } from '../../src/rules/registry.js';
import { FAULT_NAMES, FAULTS } from './faults.js';
import { CANARY, fixture, repoRoot } from './helpers.js';
import { postTls, responseOf, startLive } from './live.js';

const FAULTY = 'no-sealing-key-in-git';
const REPORTING = 'no-plaintext-secret';

function plant(ruleId: string, fault: string): () => void {
  const rule = allRules.find((r) => r.meta.id === ruleId) as { check: Rule['check'] } | undefined;
  const make = FAULTS[fault];
  if (rule === undefined || make === undefined) throw new Error('unknown rule or fault');
  const original = rule.check;
  rule.check = make(original);
  return () => { rule.check = original; };
}

/** The captured CREATE (a plaintext password, which no-plaintext-secret denies). */
const plaintext = (uid: string): string => {
  const body = fixture('create');
  (body['request'] as JsonObject)['uid'] = uid;
  return JSON.stringify(body);
};
/** A Secret every shipped rule allows: no data, no file signal. */
const clean = (uid: string): string => {
  const body = fixture('create');
  const request = body['request'] as JsonObject;
  request['uid'] = uid;
  request['object'] = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'db', namespace: 'team-a' } };
  return JSON.stringify(body);
};

const live = await startLive({ config: 'webhook:\n  onDeadline: allow\n' });
t.teardown(() => live.close());

t.test('baseline without a fault: the clean Secret is allowed, the plaintext one denied by no-plaintext-secret only', async (t) => {
  t.same(responseOf(await postTls(live, '/validate', clean('base-clean'))), { uid: 'base-clean', allowed: true });
  const denied = responseOf(await postTls(live, '/validate', plaintext('base-plain')));
  t.equal(denied.allowed, false);
  t.match(denied.status?.message, new RegExp(`^\\[${REPORTING}\\]`));
  t.notMatch(denied.status?.message, /rule failed/);
});

t.test('over HTTPS with onDeadline allow: every kind of throw is an error finding that denies', async (t) => {
  for (const fault of Object.keys(FAULTS).filter((f) => f !== 'afterReport')) {
    const restore = plant(FAULTY, fault);
    try {
      const failed = `[${FAULTY}] the rule failed (${FAULT_NAMES[fault] ?? ''}) and could not check this object`;
      const alone = await postTls(live, '/validate', clean(`clean-${fault}`));
      t.equal(alone.status, 200);
      t.same(responseOf(alone), { uid: `clean-${fault}`, allowed: false, status: { code: 403, message: failed } }, `${fault}: the clean Secret is denied by the error`);
      const both = responseOf(await postTls(live, '/validate', plaintext(`plain-${fault}`)));
      t.equal(both.allowed, false);
      t.match(both.status?.message, new RegExp(`\\[${REPORTING}\\]`), `${fault}: the other rules still ran`);
      t.ok(both.status?.message.includes(failed), `${fault}: and the error is reported`);
      t.notMatch(JSON.stringify(both) + JSON.stringify(alone), CANARY, `${fault}: nothing thrown is quoted`);
    } finally {
      restore();
    }
  }
  t.notOk(live.sink.lines.some((l) => l.includes(CANARY)), 'nor logged');
});

t.test('a rule that reports and then throws keeps its findings and adds the error', async (t) => {
  t.teardown(plant(REPORTING, 'afterReport'));
  const response = responseOf(await postTls(live, '/validate', plaintext('after-report')));
  t.equal(response.allowed, false);
  t.match(response.status?.message, new RegExp(`^\\[${REPORTING}\\] (?!the rule failed)`), 'its finding first');
  t.match(response.status?.message, new RegExp(`\\[${REPORTING}\\] the rule failed \\(RangeError\\)`));
});

t.test('the CLI scan: exit code 1 and the error finding, for each kind of throw', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-fault-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  const file = path.join(dir, 'secret.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\ntype: Opaque\n');
  const child = path.join(repoRoot, 'dist/test/cli/faulty-rule-child.js');
  const scan = (fault: string, ...args: string[]) => spawnSync(process.execPath, [child, FAULTY, fault, 'scan', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const main = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli/main.js'), 'scan', file], { encoding: 'utf8' });
  t.equal(main.status, 0, 'without a fault the Secret passes');
  for (const fault of Object.keys(FAULTS).filter((f) => f !== 'afterReport')) {
    const text = scan(fault, file);
    t.equal(text.status, 1, `${fault}: exit 1`);
    t.match(text.stdout, `[${FAULTY}] the rule failed (${FAULT_NAMES[fault] ?? ''}) and could not check this object`, `${fault}: text output`);
    t.notMatch(text.stdout + text.stderr, CANARY, `${fault}: nothing thrown is printed`);
    const json = scan(fault, '--format', 'json', file);
    t.equal(json.status, 1);
    const report = JSON.parse(json.stdout) as { findings: { ruleId: string; action: string }[] };
    t.match(report.findings, [{ ruleId: FAULTY, action: 'error' }], `${fault}: json finding`);
    const stdin = scan(fault, '--format', 'sarif', '-');
    t.equal(stdin.status, 0, `${fault}: stdin without input has nothing to check`);
  }
  const plain = path.join(dir, 'plain.yaml');
  writeFileSync(plain, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: hunter2-but-longer-Zx9\n');
  const both = scan('typeError', plain);
  t.equal(both.status, 1);
  t.match(both.stdout, `[${FAULTY}] the rule failed (TypeError)`);
  t.match(both.stdout, `[${REPORTING}]`, 'the other rules still ran');
});
