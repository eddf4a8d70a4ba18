// Slow clients are cut off (issue 15), over the real HTTPS server with short configured limits: a
// client trickling a body, trickling headers, stalling the TLS handshake or idling on a keep-alive
// connection is disconnected; connections beyond the cap are closed as they arrive; requests on one
// connection are capped; normal requests still work throughout. Nothing here asserts how fast.
import { connect as netConnect, type Socket } from 'node:net';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import t from 'tap';
import { limitsFrom } from '../../src/cli/serve.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../src/server/app.js';
import { UsageError } from '../../src/cli/exit.js';
import { fixture, repoRoot } from './helpers.js';
import { postTls, responseOf, startLive, type LiveServer } from './live.js';

const body = JSON.stringify(fixture('create'));

/** Resolves when the socket closes, with whether the server closed it before the client was done, and what it answered. */
function watch(socket: Socket | TLSSocket, clientDone: () => boolean): Promise<{ closedEarly: boolean; answer: string }> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    socket.on('close', () => { resolve({ closedEarly: !clientDone(), answer: Buffer.concat(chunks).toString('utf8') }); });
  });
}

function tlsTo(live: LiveServer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: live.server.port, ca: live.ca, servername: 'localhost' }, () => { resolve(socket); });
    socket.once('error', reject);
  });
}

/** Write `data` one slice of `step` bytes every `everyMs`, until done or the socket closes. */
function trickle(socket: Socket, data: Buffer, step: number, everyMs: number): { done: () => boolean; stop: () => void } {
  let offset = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || offset >= data.length) {
      clearInterval(timer);
      return;
    }
    socket.write(data.subarray(offset, offset + step));
    offset += step;
  }, everyMs);
  return { done: () => offset >= data.length, stop: () => { clearInterval(timer); } };
}

const head = (length: number): string => `POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${String(length)}\r\n\r\n`;

// keepAlive above 2 s: Node's agent stops reusing a connection 1 s before the server's advertised timeout.
const limits = { requestTimeoutMs: 1500, headersTimeoutMs: 750, keepAliveTimeoutMs: 2500, maxConnections: 0, maxRequestsPerSocket: 3 };
const live = await startLive({ serve: { limits } });
t.teardown(() => live.close());

t.test('a client trickling its body is disconnected after the request timeout, with 408', async (t) => {
  for (const [size, step, everyMs] of [[200, 1, 100], [50_000, 10, 50], [body.length, 100, 200]] as const) {
    const payload = Buffer.from(size === body.length ? body : 'x'.repeat(size));
    const socket = await tlsTo(live);
    socket.write(head(payload.length));
    const sender = trickle(socket, payload, step, everyMs);
    const outcome = await watch(socket, sender.done);
    sender.stop();
    t.ok(outcome.closedEarly, `${String(size)} bytes, ${String(step)} every ${String(everyMs)} ms: closed while still sending`);
    t.match(outcome.answer, /^HTTP\/1\.1 408 /, 'answered 408 Request Timeout');
  }
  // A client that sends the headers and then nothing at all.
  const silent = await tlsTo(live);
  silent.write(head(1000));
  t.ok((await watch(silent, () => false)).closedEarly, 'headers then silence: closed');
  t.equal((await postTls(live, '/validate', body)).status, 200, 'a normal request still works');
});

t.test('a client trickling its headers is disconnected after the headers timeout', async (t) => {
  for (const everyMs of [50, 200]) {
    const socket = await tlsTo(live);
    const headers = Buffer.from(head(10) + 'x'.repeat(10));
    const padded = Buffer.concat([Buffer.from('POST /validate HTTP/1.1\r\n'), Buffer.from('x-pad: ' + 'p'.repeat(2000) + '\r\n'), headers.subarray(25)]);
    const sender = trickle(socket, padded, 1, everyMs);
    const outcome = await watch(socket, sender.done);
    sender.stop();
    t.ok(outcome.closedEarly, `a header byte every ${String(everyMs)} ms: closed before the headers were complete`);
  }
});

t.test('a TLS handshake that never completes is dropped', async (t) => {
  const shapes: [string, Buffer][] = [
    ['nothing sent', Buffer.alloc(0)],
    ['half a ClientHello', Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])],
  ];
  for (const [what, bytes] of shapes) {
    const socket = netConnect({ host: '127.0.0.1', port: live.server.port });
    await new Promise((resolve) => socket.once('connect', resolve));
    if (bytes.length > 0) socket.write(bytes);
    t.ok((await watch(socket, () => false)).closedEarly, `${what}: closed by the server`);
  }
});

t.test('requests per connection are capped', async (t) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => { agent.destroy(); });
  const sockets = new Set<unknown>();
  const connectionHeaders: string[] = [];
  const send = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: live.server.port, path: '/validate', method: 'POST', ca: live.ca, servername: 'localhost', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          sockets.add(res.socket);
          connectionHeaders.push(String(res.headers.connection));
          res.resume();
          res.on('end', () => { resolve(res.statusCode ?? 0); });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 7; i++) t.equal(await send(), 200, `request ${String(i + 1)}`);
  t.same(connectionHeaders, ['keep-alive', 'keep-alive', 'close', 'keep-alive', 'keep-alive', 'close', 'keep-alive'], 'the third request on a connection closes it');
  t.equal(sockets.size, 3, 'seven requests took three connections');
});

t.test('an idle keep-alive connection is closed by the server', async (t) => {
  for (const requests of [1, 2]) {
    const socket = await tlsTo(live);
    const outcome = watch(socket, () => false);
    for (let i = 0; i < requests; i++) socket.write(head(Buffer.byteLength(body)) + body);
    const { closedEarly, answer } = await outcome;
    t.ok(closedEarly, `after ${String(requests)} request(s), the idle connection was closed by the server`);
    t.equal(answer.match(/HTTP\/1\.1 200 /g)?.length, requests, 'every request was answered first');
  }
});

t.test('connections beyond the cap are closed as they arrive; the server answers again once they go', async (t) => {
  const capped = await startLive({ serve: { limits: { requestTimeoutMs: 20_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 10_000, maxConnections: 4, maxRequestsPerSocket: 0 } } });
  t.teardown(() => capped.close());
  const held = await Promise.all([1, 2, 3, 4].map(() => tlsTo(capped)));
  for (const attempt of ['a TLS client', 'an HTTPS request', 'a raw TCP client']) {
    if (attempt === 'a TLS client') {
      await t.rejects(tlsTo(capped), `${attempt} beyond the cap is refused`);
    } else if (attempt === 'an HTTPS request') {
      await t.rejects(postTls(capped, '/validate', body), `${attempt} beyond the cap is refused`);
    } else {
      const socket = netConnect({ host: '127.0.0.1', port: capped.server.port });
      t.ok((await watch(socket, () => false)).closedEarly, `${attempt} beyond the cap is closed`);
    }
  }
  for (const socket of held) socket.destroy();
  const until = async (): Promise<number> => {
    for (;;) {
      try {
        return (await postTls(capped, '/validate', body)).status;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  t.equal(await until(), 200, 'answers again below the cap');
  t.equal(responseOf(await postTls(capped, '/validate', body)).allowed, false, 'with the real decision');
});

t.test('the chart passes its server values as these flags, with the same defaults', async (t) => {
  const values = load(readFileSync(path.join(repoRoot, 'charts/secretguard/values.yaml'), 'utf8')) as { server: Record<string, number> };
  t.same(values.server, DEFAULT_CONNECTION_LIMITS);
  const deployment = readFileSync(path.join(repoRoot, 'charts/secretguard/templates/deployment.yaml'), 'utf8');
  for (const [flag, key] of [['request-timeout', 'requestTimeoutMs'], ['headers-timeout', 'headersTimeoutMs'], ['keep-alive-timeout', 'keepAliveTimeoutMs'], ['max-connections', 'maxConnections'], ['max-requests-per-socket', 'maxRequestsPerSocket']]) {
    t.ok(deployment.includes(`- --${flag}={{ .Values.server.${key} }}`), `--${flag} from server.${key}`);
  }
});

t.test('serve flags: limits are checked', async (t) => {
  const base = { requestTimeout: '10000', headersTimeout: '5000', keepAliveTimeout: '65000', maxConnections: '1000', maxRequestsPerSocket: '1000' };
  t.same(limitsFrom(base), { requestTimeoutMs: 10000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 65000, maxConnections: 1000, maxRequestsPerSocket: 1000 });
  t.same(limitsFrom({ ...base, maxConnections: '0', maxRequestsPerSocket: '0' }).maxConnections, 0, '0: no cap');
  for (const [flag, value] of [['requestTimeout', '0'], ['headersTimeout', '-1'], ['keepAliveTimeout', '1.5'], ['maxConnections', 'many'], ['headersTimeout', '20000'], ['requestTimeout', '']] as const) {
    t.throws(() => limitsFrom({ ...base, [flag]: value }), UsageError, `${flag}=${value} refused`);
  }
});
