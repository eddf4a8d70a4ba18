// SIGTERM under load (issue 12): `secretguard serve` in a child process with 16 keep-alive clients
// sending continuously; SIGTERM lands mid-traffic. Every request, sent before the signal or on a kept
// connection right after it, is answered 200; none has its connection reset (ECONNRESET / socket hang
// up). Clients stop opening connections after the signal, as the API server does once the pod leaves
// the endpoints. The process exits 0 within the grace period.
import { Agent } from 'node:https';
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { postReview, startServeChild, type Answer } from './load.js';

const review = readFileSync(path.join(import.meta.dirname, '../../../test/fixtures/admission/create.json'), 'utf8');

t.test('SIGTERM under load: no reset connection, clean exit', async (t) => {
  const server = await startServeChild({ graceMs: 10_000 });
  t.teardown(() => {
    server.child.kill('SIGKILL');
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  let signalled = false;
  const signal = { at: 0 };
  const before: Answer[] = [];
  const after: Answer[] = [];
  const clients = Array.from({ length: 16 }, async () => {
    for (;;) {
      const sentBeforeSignal = !signalled;
      const answer = await postReview(server.port, server.ca, review, agent);
      (sentBeforeSignal ? before : after).push(answer);
      // Like the API server once the endpoints drop the terminating pod: no new connections to it;
      // a request already on its way (sent before or just after the signal) must still be answered.
      if (!sentBeforeSignal) return;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  signalled = true;
  signal.at = performance.now();
  server.child.kill('SIGTERM');
  await Promise.all(clients);
  const code = await server.exited;
  const exitMs = performance.now() - signal.at;
  agent.destroy();
  const kinds = (answers: Answer[]) => answers.reduce<Record<string, number>>((m, a) => ({ ...m, [a.error ?? String(a.status)]: (m[a.error ?? String(a.status)] ?? 0) + 1 }), {});
  t.comment(`before SIGTERM: ${JSON.stringify(kinds(before))}; after: ${JSON.stringify(kinds(after))}; exit ${String(code)} after ${Math.round(exitMs)}ms`);
  const beforeOk = before.filter((a) => a.status === 200).length;
  t.equal(beforeOk, before.length, 'every request sent before the signal answered 200');
  const resets = [...before, ...after].filter((a) => a.error !== undefined && a.error !== 'ECONNREFUSED');
  t.same(resets.map((a) => a.error), [], 'no reset connection (only refused new connections after the signal)');
  t.ok(after.length > 0 && after.every((a) => a.status === 200), 'requests sent after the signal on kept connections answered 200');
  t.equal(code, 0, 'clean exit');
  t.ok(exitMs < 10_000, 'within the grace period');
});
