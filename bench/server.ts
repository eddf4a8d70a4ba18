// One benchmark server in its own process, so its RSS is its own. Started by bench/webhook.ts with
// IPC: sends { port } once listening, answers 'rss' with its memory, exits on 'stop'.
//   bare:        fastify HTTPS on the same TLS settings, parses the body, answers allowed: true
//   secretguard: startServer (the `serve` command) with the bench config and a preloaded view
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { BODY_LIMIT } from '../src/server/app.js';
import { startServer } from '../src/server/serve.js';
import { TLS_MIN_VERSION } from '../src/server/tls.js';

interface Args {
  mode: 'bare' | 'secretguard';
  cert: string;
  key: string;
  config: string;
  state: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const send = (message: object): void => {
  process.send?.(message);
};

let close: () => Promise<void>;
if (args.mode === 'bare') {
  const app = fastify({
    https: { key: readFileSync(args.key), cert: readFileSync(args.cert), minVersion: TLS_MIN_VERSION },
    bodyLimit: BODY_LIMIT,
    logger: false,
  });
  app.post('/*', async (request) => {
    const body = request.body as { request?: { uid?: unknown } } | null;
    const uid = typeof body?.request?.uid === 'string' ? body.request.uid : '';
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  send({ port: (app.server.address() as AddressInfo).port });
  close = () => app.close();
} else {
  const server = await startServer({
    config: args.config,
    tlsCert: args.cert,
    tlsKey: args.key,
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    clusterState: [args.state],
  });
  send({ port: server.port, counts: server.index.counts });
  close = () => server.close();
}

process.on('message', (message) => {
  if (message === 'rss') {
    const memory = process.memoryUsage();
    send({ rss: memory.rss, heapUsed: memory.heapUsed, maxRss: process.resourceUsage().maxRSS * 1024 });
  } else if (message === 'stop') {
    void close().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
