import t from 'tap';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { Metrics } from '../../src/server/metrics.js';
import type { Engine } from '../../src/engine/engine.js';
import type { AdmissionReviewResponse } from '../../src/admission/review.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { CANARY, fixture, LogSink, ManualLag, secretReview, syncedView, testEngine } from './helpers.js';

function setup(options: { engine?: Engine; view?: ReturnType<typeof syncedView>; slowMs?: number; logLevel?: string } = {}) {
  const sink = new LogSink();
  // debug: allowed decisions are logged at debug by default, and these tests read every decision line.
  const logger = createLogger(options.logLevel ?? 'debug', sink);
  const metrics = new Metrics();
  const engine = options.engine ?? testEngine();
  const source =
    options.slowMs === undefined
      ? engine
      : {
          get: () => new Promise<Engine>((resolve) => setTimeout(() => { resolve(engine); }, options.slowMs)),
          webhook: () => engine.config.webhook,
        };
  const app = buildApp({ engine: source, view: options.view ?? syncedView(), logger, metrics, lagSource: new ManualLag() });
  return { app, sink, metrics, logger };
}

async function post(app: ReturnType<typeof setup>['app'], path: string, body: unknown, contentType = 'application/json') {
  const res = await app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return res;
}

function responseOf(body: string): AdmissionReviewResponse['response'] {
  const review = JSON.parse(body) as AdmissionReviewResponse;
  return review.response;
}

t.test('allow: a clean captured CREATE answers allowed with the request uid', async (t) => {
  const { app, sink, metrics } = setup();
  const review = fixture('create');
  const res = await post(app, '/validate', review);
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  const body = JSON.parse(res.body) as AdmissionReviewResponse;
  t.equal(body.apiVersion, 'admission.k8s.io/v1');
  t.equal(body.kind, 'AdmissionReview');
  t.same(body.response, { uid: (review['request'] as JsonObject)['uid'], allowed: true });
  const decisions = sink.records.filter((r) => r['msg'] === 'admission decision');
  t.equal(decisions.length, 1, 'one log line per decision');
  t.match(decisions[0], { uid: (review['request'] as JsonObject)['uid'], kind: 'Secret', namespace: 'team-a', name: 'db', operation: 'CREATE', user: 'admin', decision: 'allow', rules: [] });
  t.type(decisions[0]?.['durationMs'], 'number');
  t.match(await metrics.registry.metrics(), /secretguard_admission_requests_total\{endpoint="validate",kind="Secret",operation="CREATE",decision="allow"\} 1/);
});

t.test('deny: all deny findings joined into one 403 message with rule ids', async (t) => {
  const { app, sink, metrics } = setup();
  const res = await post(app, '/validate', secretReview({ deny: 'yes' }));
  const response = responseOf(res.body);
  t.equal(response.allowed, false);
  t.equal(response.status?.code, 403);
  t.equal(response.status?.message, '[test-deny] Secret db is refused; remove the deny label; [test-deny-two] second reason for db; fix it too');
  t.match(sink.records.find((r) => r['msg'] === 'admission decision'), { decision: 'deny', rules: ['test-deny', 'test-deny-two'] });
  const text = await metrics.registry.metrics();
  t.match(text, /secretguard_findings_total\{rule="test-deny",action="deny"\} 1/);
});

t.test('deny message is bounded by webhook.maxMessageLength', async (t) => {
  const { app } = setup({ engine: testEngine({ webhook: { maxMessageLength: 200 } }) });
  const review = secretReview({ deny: 'yes' });
  ((review['request'] as JsonObject)['object'] as JsonObject)['metadata'] = { name: 'n'.repeat(250), namespace: 'team-a', labels: { deny: 'yes' } };
  (review['request'] as JsonObject)['name'] = 'n'.repeat(250);
  const response = responseOf((await post(app, '/validate', review)).body);
  t.ok((response.status?.message.length ?? 0) <= 200, 'message within the bound');
  t.match(response.status?.message, /^\[test-deny\] Secret n+…; … and 1 more finding$/);
});

t.test('warn: warnings are single lines under 120 characters; audit: annotations keyed by rule id', async (t) => {
  const { app } = setup();
  const response = responseOf((await post(app, '/validate', secretReview({ warn: 'v', audit: 'yes' }))).body);
  t.equal(response.allowed, true);
  t.equal(response.warnings?.length, 1);
  const warning = response.warnings?.[0] ?? '';
  t.ok(warning.length < 120, 'under 120 characters');
  // eslint-disable-next-line no-control-regex
  t.notMatch(warning, /[\u0000-\u001f]/, 'no control characters');
  t.match(warning, /^\[test-warn\] line one line two v and a long tail: x+…$/);
  t.same(response.auditAnnotations, { 'test-audit': 'audited db' });
});

t.test('error findings fail closed in the validating webhook, without the error message', async (t) => {
  const { app, sink } = setup();
  const res = await post(app, '/validate', secretReview({ throw: 'yes' }));
  const response = responseOf(res.body);
  t.equal(response.allowed, false);
  t.equal(response.status?.code, 403);
  t.match(response.status?.message, /\[test-throws\] the rule failed \(SyntaxError\)/);
  t.notMatch(res.body, CANARY);
  t.match(sink.records.find((r) => r['msg'] === 'admission decision'), { decision: 'error' });
});

t.test('cluster state missing: error (deny) by default, warning with missingState=warn', async (t) => {
  const unsynced = syncedView();
  unsynced.synced = false;
  const strict = setup({ view: unsynced });
  const denied = responseOf((await post(strict.app, '/validate', secretReview({ state: 'x' }))).body);
  t.equal(denied.allowed, false);
  t.match(denied.status?.message, /\[test-needs-state\] the cluster view is not synced yet/);
  const lenient = setup({ view: unsynced, engine: testEngine({ clusterView: { missingState: 'warn' } }) });
  const warned = responseOf((await post(lenient.app, '/validate', secretReview({ state: 'x' }))).body);
  t.equal(warned.allowed, true);
  t.match(warned.warnings?.[0], /\[test-needs-state\] the cluster view is not synced/);
  const synced = setup({ view: syncedView(['other']) });
  const fromView = responseOf((await post(synced.app, '/validate', secretReview({ state: 'x' }))).body);
  t.match(fromView.status?.message, /namespace team-a is not in the cluster view/);
});

t.test('captured shapes: UPDATE, DELETE, generateName, dry run and subresource', async (t) => {
  const { app, sink } = setup();
  for (const name of ['update', 'delete', 'generate-name', 'dry-run', 'subresource-status']) {
    const review = fixture(name);
    const res = await post(app, '/validate', review);
    t.equal(res.statusCode, 200, name);
    t.same(responseOf(res.body), { uid: (review['request'] as JsonObject)['uid'], allowed: true }, name);
  }
  const records = sink.records.filter((r) => r['msg'] === 'admission decision');
  t.match(records.map((r) => r['operation']), ['UPDATE', 'DELETE', 'CREATE', 'UPDATE', 'UPDATE']);
  t.match(records[3], { dryRun: true });
  t.match(records[4], { subResource: 'status', decision: 'skip', kind: 'Service' });
  t.equal(records[2]?.['name'], 'token-99m8z', 'kube-apiserver 1.36 fills request.name for generateName before admission');

  // DELETE reaches rules that ask for it, through oldObject
  const deleteReview = fixture('delete');
  const old = (deleteReview['request'] as JsonObject)['oldObject'] as JsonObject;
  (old['metadata'] as JsonObject)['labels'] = { deny: 'yes' };
  t.equal(responseOf((await post(app, '/validate', deleteReview)).body).allowed, false, 'DELETE evaluated on oldObject');

  // a subresource request is skipped even when its object would be denied
  const status = fixture('subresource-status');
  const kindOf = (status['request'] as JsonObject)['kind'] as JsonObject;
  kindOf['kind'] = 'Secret';
  ((status['request'] as JsonObject)['object'] as JsonObject)['metadata'] = { name: 'web', labels: { deny: 'yes' } };
  t.equal(responseOf((await post(app, '/validate', status)).body).allowed, true);
});

t.test('dry run is answered exactly like the real request', async (t) => {
  const { app } = setup();
  const real = secretReview({ deny: 'yes', warn: 'w', audit: 'a' }, 'update');
  const dry = secretReview({ deny: 'yes', warn: 'w', audit: 'a' }, 'dry-run');
  (dry['request'] as JsonObject)['uid'] = (real['request'] as JsonObject)['uid'] as string;
  const a = await post(app, '/validate', real);
  const b = await post(app, '/validate', dry);
  t.equal(b.body, a.body);
});

t.test('mutate: base64 JSONPatch only when the patch is non-empty; notes become warnings', async (t) => {
  const { app, sink } = setup();
  const plain = responseOf((await post(app, '/mutate', fixture('create'))).body);
  t.same(Object.keys(plain).sort(), ['allowed', 'uid']);
  const response = responseOf((await post(app, '/mutate', secretReview({ mutate: 'yes', deny: 'yes' }))).body);
  t.equal(response.allowed, true, 'the mutating webhook never denies for findings');
  t.equal(response.patchType, 'JSONPatch');
  t.same(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')), [
    { op: 'add', path: '/metadata/annotations', value: { 'example.com/touched': 'true' } },
  ]);
  t.same(response.warnings, ['test-annotate added example.com/touched']);
  t.match(sink.records.filter((r) => r['msg'] === 'admission decision').map((r) => r['decision']), ['allow', 'patch']);
  const off = setup({ engine: testEngine({ mutators: { 'test-annotate': 'off' } }) });
  t.same(Object.keys(responseOf((await post(off.app, '/mutate', secretReview({ mutate: 'yes' }))).body)).sort(), ['allowed', 'uid']);
});

t.test('deadline: a slow engine is answered per webhook.onDeadline before the API server times out', async (t) => {
  const deny = setup({ engine: testEngine({ webhook: { deadlineMs: 100, onDeadline: 'deny' } }), slowMs: 1000 });
  const started = Date.now();
  const denied = responseOf((await post(deny.app, '/validate', fixture('create'))).body);
  t.ok(Date.now() - started < 800, 'answered at the deadline');
  t.equal(denied.allowed, false);
  t.equal(denied.status?.code, 503);
  t.match(denied.status?.message, /could not decide within 100ms/);
  t.match(deny.sink.records.find((r) => r['msg'] === 'admission decision'), { decision: 'deadline' });
  const allow = setup({ engine: testEngine({ webhook: { deadlineMs: 100, onDeadline: 'allow' } }), slowMs: 1000 });
  const allowed = responseOf((await post(allow.app, '/validate', fixture('create'))).body);
  t.equal(allowed.allowed, true);
  t.match(allowed.warnings?.[0], /allowed unchecked/);
  // The mutating webhook never blocks a workload: allowed without a patch whatever onDeadline says.
  const mutated = responseOf((await post(deny.app, '/mutate', secretReview({ mutate: 'yes' }))).body);
  t.same({ allowed: mutated.allowed, patch: mutated.patch, warnings: mutated.warnings }, { allowed: true, patch: undefined, warnings: ['secretguard could not finish within 100ms; the object was admitted without its changes'] });
  const fast = setup({ engine: testEngine({ webhook: { deadlineMs: 500 } }), slowMs: 10 });
  t.equal(responseOf((await post(fast.app, '/validate', secretReview({ deny: 'y' }))).body).status?.code, 403, 'in time: the real answer');
});

t.test('engine failure: /validate denies even with onDeadline allow; /mutate is allowed unchanged', async (t) => {
  for (const onDeadline of ['deny', 'allow'] as const) {
    const engine = testEngine({ webhook: { onDeadline } });
    // A deliberate fault: the engine cannot be had, as when building it throws.
    const faults: (() => never)[] = [
      () => { throw new TypeError('deliberate fault ' + CANARY); },
      () => { throw Object.assign(new Error(CANARY), { name: CANARY + ' with spaces' }); },
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is the fault under test
      () => { throw CANARY; },
    ];
    for (const fault of faults) {
      const sink = new LogSink();
      const app = buildApp({ engine: { get: fault, webhook: () => engine.config.webhook }, view: syncedView(), logger: createLogger('info', sink), lagSource: new ManualLag() });
      const denied = await post(app, '/validate', fixture('create'));
      t.equal(denied.statusCode, 200);
      t.same(responseOf(denied.body), {
        uid: (fixture('create')['request'] as JsonObject)['uid'],
        allowed: false,
        status: { code: 500, message: 'secretguard failed to check this object; retry, and if it persists see the secretguard logs' },
      }, `validate denied (onDeadline ${onDeadline})`);
      const mutated = responseOf((await post(app, '/mutate', secretReview({ mutate: 'yes' }))).body);
      t.same({ allowed: mutated.allowed, patch: mutated.patch, warnings: mutated.warnings }, { allowed: true, patch: undefined, warnings: ['secretguard failed; the object was admitted without its changes'] });
      t.notOk(sink.lines.some((l) => l.includes(CANARY)), 'the thrown text is not logged');
      t.match(sink.records.filter((r) => r['msg'] === 'admission decision').map((r) => r['decision']), ['error', 'error']);
    }
  }
});

t.test('bad input: 400 with a JSON error, logged once without the body', async (t) => {
  const { app, sink, metrics } = setup();
  const create = fixture('create');
  const noUid = fixture('create');
  delete (noUid['request'] as JsonObject)['uid'];
  const v1beta1 = fixture('create');
  v1beta1['apiVersion'] = 'admission.k8s.io/v1beta1';
  const cases: [string, string | Buffer, string, string][] = [
    ['wrong content type', JSON.stringify(create), 'text/plain', 'UnsupportedContentType'],
    ['yaml content type', 'a: b', 'application/yaml', 'UnsupportedContentType'],
    ['not JSON', `{"password": "${CANARY}"`, 'application/json', 'InvalidJSON'],
    ['JSON array', '[1,2]', 'application/json', 'NotAdmissionReview'],
    ['empty body', '', 'application/json', 'EmptyBody'],
    ['v1beta1 review', JSON.stringify(v1beta1), 'application/json', 'NotAdmissionReview'],
    ['missing uid', JSON.stringify(noUid), 'application/json; charset=utf-8', 'MissingUID'],
    ['no request', JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), 'application/json', 'NotAdmissionReview'],
  ];
  for (const [name, body, type, reason] of cases) {
    const before = sink.lines.length;
    const res = await post(app, '/validate', body, type);
    t.equal(res.statusCode, 400, name);
    t.match(res.headers['content-type'], /application\/json/, name);
    const error = JSON.parse(res.body) as { code: number; reason: string; message: string };
    t.equal(error.code, 400, name);
    t.equal(error.reason, reason, name);
    t.equal(sink.lines.length - before, 1, `${name}: one log line`);
    t.notMatch(res.body + sink.lines.join('\n'), CANARY, `${name}: the body never echoes`);
  }
  const missing = await post(app, '/validate', JSON.stringify(noUid));
  t.equal((JSON.parse(missing.body) as { message: string }).message, 'request.uid is missing');
  t.match(await metrics.registry.metrics(), /secretguard_admission_bad_requests_total\{endpoint="validate",reason="InvalidJSON"\} 1/);
  const noType = await app.inject({ method: 'POST', url: '/validate', payload: JSON.stringify(create) });
  t.equal(noType.statusCode, 400, 'no content type');
});

t.test('body limit: a 3 MiB review is accepted, a larger-than-limit one gets 413; wrong method 405', async (t) => {
  const { app, sink } = setup();
  const big = fixture('update');
  const request = big['request'] as JsonObject;
  const blob = 'A'.repeat(1024 * 1024);
  ((request['object'] as JsonObject)['data'] as JsonObject)['big'] = blob;
  ((request['oldObject'] as JsonObject)['data'] as JsonObject)['big'] = blob;
  ((request['object'] as JsonObject)['data'] as JsonObject)['big2'] = blob;
  const body = JSON.stringify(big);
  t.ok(body.length > 3 * 1024 * 1024, 'over 3 MiB');
  const ok = await post(app, '/validate', body);
  t.equal(ok.statusCode, 200);
  const huge = await post(app, '/validate', '{"a":"' + 'B'.repeat(5 * 1024 * 1024) + '"}');
  t.equal(huge.statusCode, 413);
  t.equal((JSON.parse(huge.body) as { reason: string }).reason, 'BodyTooLarge');
  t.notMatch(sink.lines.join('\n'), /AAAAAAAA|BBBBBBBB/, 'bodies never logged');
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/mutate' });
    t.equal(res.statusCode, 405, method);
    t.equal(res.headers['allow'], 'POST');
  }
  const notFound = await post(app, '/metrics', '{}');
  t.equal(notFound.statusCode, 404, 'probes and metrics are not on the admission port');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 404);
});

t.test('logs never carry a secret value, even at trace level', async (t) => {
  const sink = new LogSink();
  const logger = createLogger('trace', sink);
  const app = buildApp({ engine: testEngine(), view: syncedView(), logger, lagSource: new ManualLag() });
  for (const name of ['create', 'update', 'dry-run', 'delete']) await post(app, '/validate', fixture(name));
  await post(app, '/validate', '{"x":"' + CANARY + '"', 'application/json');
  const text = sink.lines.join('\n');
  t.notMatch(text, CANARY);
  t.notMatch(text, Buffer.from(`${CANARY}-1`).toString('base64').slice(0, 16));
  logger.info({ request: { object: { data: { a: CANARY } } }, stringData: CANARY }, 'redaction net');
  t.notMatch(sink.lines.join('\n'), CANARY, 'redact paths catch object, data and stringData');
});

t.test('decision log levels: allowed requests at debug by default, everything else at info, all counted', async (t) => {
  const decisionLines = (sink: LogSink) => sink.records.filter((r) => r['msg'] === 'admission decision');
  const send = async (app: ReturnType<typeof setup>['app']) => {
    await post(app, '/validate', fixture('create'));
    await post(app, '/validate', fixture('subresource-status'));
    await post(app, '/validate', secretReview({ deny: 'yes' }));
    await post(app, '/validate', secretReview({ warn: 'w' }));
    await post(app, '/mutate', secretReview({ mutate: 'yes' }));
  };

  const quiet = setup({ logLevel: 'info' });
  await send(quiet.app);
  t.same(decisionLines(quiet.sink).map((r) => [r['decision'], r['level']]), [['deny', 30], ['warn', 30], ['patch', 30]], 'at info: allow and skip are not logged');
  const counted = await quiet.metrics.registry.metrics();
  for (const decision of ['allow', 'skip', 'deny', 'warn', 'patch']) {
    t.match(counted, new RegExp(`secretguard_admission_requests_total\\{[^}]*decision="${decision}"\\} 1`), `${decision} counted in metrics`);
  }

  // The level follows the logger's, which a config reload sets: the same app logs allowed requests once it is debug.
  quiet.logger.level = 'debug';
  await post(quiet.app, '/validate', fixture('create'));
  t.match(decisionLines(quiet.sink).at(-1), { decision: 'allow', level: 20 }, 'at debug: allow is logged at debug');

  const loud = setup({ logLevel: 'info', engine: testEngine({ webhook: { allowedDecisionLogLevel: 'info' } }) });
  await send(loud.app);
  t.same(decisionLines(loud.sink).map((r) => [r['decision'], r['level']]), [['allow', 30], ['skip', 30], ['deny', 30], ['warn', 30], ['patch', 30]], 'webhook.allowedDecisionLogLevel: info logs every decision at info');

  const silent = setup({ logLevel: 'warn' });
  await send(silent.app);
  t.same(decisionLines(silent.sink), [], 'at warn: no decision lines');
});
