import t from 'tap';
import { webhookSubject } from '../../src/engine/subject.js';
import {
  auditKey,
  decodeAdmissionReview,
  encodeAuditAnnotations,
  encodeWarnings,
  joinBounded,
} from '../../src/admission/review.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { fixture } from '../server/helpers.js';

t.test('decode: captured reviews become typed requests and Subjects', async (t) => {
  for (const name of ['create', 'update', 'delete', 'dry-run', 'generate-name', 'subresource-status']) {
    const decoded = decodeAdmissionReview(fixture(name));
    t.ok(decoded.ok, name);
  }
  const del = decodeAdmissionReview(fixture('delete'));
  if (!del.ok) throw new Error('decode');
  const subject = webhookSubject(del.request);
  t.match(subject, { operation: 'DELETE', object: null, namespace: 'team-a', name: 'db', source: 'webhook', dryRun: false, gvk: { group: '', version: 'v1', kind: 'Secret' } });
  t.ok(subject.oldObject);
  t.match(subject.requester, { username: 'admin', uid: 'uid-admin', groups: ['system:masters', 'system:authenticated'] });
  t.same(subject.origin, { kind: 'webhook', uid: del.request.uid });
  const dry = decodeAdmissionReview(fixture('dry-run'));
  t.equal(dry.ok && webhookSubject(dry.request).dryRun, true);
  const status = decodeAdmissionReview(fixture('subresource-status'));
  t.equal(status.ok && webhookSubject(status.request).subResource, 'status');
  const create = decodeAdmissionReview(fixture('create'));
  t.equal(create.ok && 'subResource' in webhookSubject(create.request), false);
});

t.test('decode errors name fields, never values', async (t) => {
  const bad = (mutate: (r: JsonObject) => void) => {
    const review = fixture('create');
    mutate(review);
    const decoded = decodeAdmissionReview(review);
    return decoded.ok ? 'ok' : decoded.error;
  };
  t.equal(bad((r) => delete (r['request'] as JsonObject)['uid']), 'request.uid is missing');
  t.match(bad((r) => ((r['request'] as JsonObject)['uid'] = '')), /\/request\/uid/);
  t.match(bad((r) => ((r['request'] as JsonObject)['operation'] = 'SECRET-VALUE')), /\/request\/operation: must be one of "CREATE"/);
  t.notMatch(bad((r) => ((r['request'] as JsonObject)['operation'] = 'SECRET-VALUE')), /SECRET-VALUE/);
  t.match(bad((r) => ((r['request'] as JsonObject)['object'] = 'SECRET-VALUE')), /\/request\/object: must be object,null/);
  t.match(bad((r) => (r['kind'] = 'AdmissionResponse')), /\/kind/);
  t.equal(decodeAdmissionReview(null).ok, false);
  t.equal(decodeAdmissionReview('x').ok, false);
});

t.test('warnings: one line, under 120 characters, unique, well-formed', async (t) => {
  const warnings = encodeWarnings(['a\nb\tc', 'a\nb\tc', 'x'.repeat(300), 'lone \ud800 surrogate', '', '\u0007']);
  t.same(warnings.slice(0, 1), ['a b c']);
  t.equal(warnings.length, 3);
  for (const w of warnings) {
    t.ok(w.length < 120);
    // eslint-disable-next-line no-control-regex
    t.notMatch(w, /[\u0000-\u001f]/);
    t.notMatch(w, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone surrogate');
  }
  t.ok(encodeWarnings(Array.from({ length: 100 }, (_, i) => `${i} ` + 'w'.repeat(110))).join('').length <= 4096, 'total bounded');
});

t.test('audit annotations: keys are qualified-name parts without /, one per rule', async (t) => {
  t.equal(auditKey('no-plaintext-secret'), 'no-plaintext-secret');
  t.equal(auditKey('a/b'), 'a-b');
  t.equal(auditKey('-x'.repeat(40)).length <= 63, true);
  t.equal(auditKey('///'), 'secretguard');
  const resource = { apiVersion: 'v1', kind: 'Secret' };
  t.same(
    encodeAuditAnnotations([
      { ruleId: 'r', messageId: 'm', action: 'audit', message: '[r] one', resource, field: '' },
      { ruleId: 'r', messageId: 'm', action: 'audit', message: '[r] two', resource, field: '' },
      { ruleId: 'r', messageId: 'm', action: 'audit', message: '[r] one', resource, field: '' },
    ]),
    { r: 'one; two' },
  );
});

t.test('joinBounded keeps whole messages and counts the rest', async (t) => {
  t.equal(joinBounded(['[a] x', '[b] y', '[a] x'], 100), '[a] x; [b] y');
  const long = Array.from({ length: 20 }, (_, i) => `[r${i}] ` + 'm'.repeat(30));
  const joined = joinBounded(long, 200);
  t.ok(joined.length <= 200);
  t.match(joined, /; … and \d+ more findings$/);
});
