// Overload (issue 12): when the event loop falls behind by more than the limit, the webhook sheds:
// it answers per webhook.onDeadline at once (decision="shed") instead of running the rules late, and
// recovers when the lag is gone. The lag is set by the test (issue 15), so a busy machine cannot turn
// these red; the LoadMonitor that measures it in production is tested on its own below. The open-loop
// HTTPS run at several times the saturation rate is bench/overload.ts (a shared 2-core runner cannot
// drive it reliably); results in docs/reliability.md.
import t from 'tap';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import { buildApp } from '../../src/server/app.js';
import { Metrics } from '../../src/server/metrics.js';
import { LoadMonitor } from '../../src/server/pressure.js';
import { ManualLag } from '../server/helpers.js';
import { heavyReview } from './load.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a blocked event loop, as under a burst of costly requests
  }
}

t.test('lag above the limit sheds at once per onDeadline, then recovers', async (t) => {
  const view = new ClusterIndex();
  view.synced = true;
  const metrics = new Metrics();
  const lag = new ManualLag(0);
  const app = buildApp({ engine: buildEngine(loadEffectiveConfig(undefined)), view, metrics, maxEventLoopLagMs: 100, lagSource: lag });
  await app.ready();
  t.teardown(() => app.close());
  const send = async (uid: string) => {
    const res = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: heavyReview(uid, 5) });
    return { status: res.statusCode, response: (JSON.parse(res.body) as { response: { uid: string; allowed: boolean; status?: { code: number; message: string } } }).response };
  };
  lag.lagMs = 400;
  const shed = await send('shed-1');
  t.equal(shed.status, 200);
  t.same(shed.response, { uid: 'shed-1', allowed: false, status: { code: 503, message: 'secretguard is overloaded; retry shortly' } }, 'failure answer per onDeadline (deny)');
  lag.lagMs = 100;
  t.match((await send('at-limit')).response.status?.message ?? '', /no-plaintext-secret/, 'at the limit the rules still decide');
  lag.lagMs = 0;
  const normal = await send('normal-1');
  t.equal(normal.response.uid, 'normal-1');
  t.match(normal.response.status?.message ?? '', /no-plaintext-secret/, 'recovered: the rules decide again');
  const text = await metrics.registry.metrics();
  t.match(text, /decision="shed"\} 1/, 'shed counted');
  t.match(text, /secretguard_event_loop_lag_seconds 0/, 'lag exported');
});

t.test('the default limit is a quarter of webhook.deadlineMs, at most 1000 ms', async (t) => {
  const view = new ClusterIndex();
  view.synced = true;
  for (const [deadlineMs, below, above] of [[400, 100, 101], [8000, 1000, 1001]] as const) {
    const lag = new ManualLag(below);
    const engine = buildEngine(loadEffectiveConfig(undefined));
    const source = { get: () => engine, webhook: () => ({ ...engine.config.webhook, deadlineMs }) };
    const app = buildApp({ engine: source, view, lagSource: lag });
    const send = async () => (await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: heavyReview('x', 1) })).body;
    t.notMatch(await send(), /overloaded/, `deadline ${deadlineMs}: lag ${below} ms is not shed`);
    lag.lagMs = above;
    t.match(await send(), /overloaded/, `deadline ${deadlineMs}: lag ${above} ms is shed`);
    await app.close();
  }
});

t.test('maxEventLoopLagMs 0 turns shedding off', async (t) => {
  const view = new ClusterIndex();
  view.synced = true;
  const app = buildApp({ engine: buildEngine(loadEffectiveConfig(undefined)), view, maxEventLoopLagMs: 0, lagSource: new ManualLag(60_000) });
  await app.ready();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: heavyReview('x', 5) });
  t.notMatch(res.body, /overloaded/);
});

// Only the direction a busy machine cannot break: a blocked loop is seen as at least the time it was
// blocked for. How fast the reading falls again depends on the machine, so it is not asserted.
t.test('LoadMonitor sees a blocked event loop', async (t) => {
  const monitor = new LoadMonitor(20);
  t.equal(monitor.lagMs, 0, 'not started: no reading');
  monitor.start();
  t.teardown(() => { monitor.stop(); });
  await new Promise((resolve) => setTimeout(resolve, 30));
  busy(300);
  t.ok(monitor.lagMs >= 250, `lag after a 300 ms block is at least 250 ms (${monitor.lagMs.toFixed(0)})`);
  monitor.stop();
  t.equal(monitor.lagMs, 0, 'stopped: no reading');
});
