// CPU µs per request through fastify's inject (routing, hooks, body parsing, handler, serialization; no TLS,
// no network) for a bare app that answers allowed: true and for secretguard's app, per bench payload. It
// separates the server's own cost from the engine's (bench/engine-profile.ts) and from TLS and the client.
//   node dist/bench/inject-profile.js
import { fastify } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { buildEngine } from '../src/setup.js';
import { parseConfig } from '../src/config/load.js';
import { allRules } from '../src/rules/registry.js';
import { allMutators } from '../src/mutators/registry.js';
import { ClusterIndex } from '../src/cluster/cluster-index.js';
import { Writable } from 'node:stream';
import { admissionReview, benchConfigYaml, clusterSecretStore, externalSecret, namespaceObject, webhookPayloads } from './fixtures.js';

const ROUNDS = 400;
const view = new ClusterIndex();
for (let ns = 0; ns < 1000; ns++) view.upsert(namespaceObject(ns));
for (let t = 0; t < 49; t++) view.upsert(clusterSecretStore(t));
view.upsert(clusterSecretStore('shared'));
for (let i = 0; i < 5000; i++) view.upsert(externalSecret(i % 1000, `es-${i}`, 3));
view.synced = true;
const engine = buildEngine(parseConfig(benchConfigYaml(), 'bench', allRules, allMutators));
// Log lines go to a discarding stream: their formatting and redaction are measured, not the terminal.
const sink = new Writable({ write: (_chunk, _encoding, done) => { done(); } });
const secretguard = buildApp({ engine, view, logger: createLogger('info', sink) });
const bare = fastify({ bodyLimit: 4 * 1024 * 1024, logger: false });
bare.post('/*', async (request) => {
  const body = request.body as { request?: { uid?: unknown } } | null;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: typeof body?.request?.uid === 'string' ? body.request.uid : '', allowed: true } };
});
await Promise.all([secretguard.ready(), bare.ready()]);

async function measure(app: typeof bare, path: string, payload: string): Promise<number> {
  for (let i = 0; i < 50; i++) await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload });
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ROUNDS;
}

for (const payload of webhookPayloads()) {
  const body = JSON.stringify(admissionReview(payload, 'uid-1'));
  const a = await measure(bare, '/validate', body);
  const b = await measure(secretguard as unknown as typeof bare, '/validate', body);
  process.stdout.write(`${payload.id.padEnd(26)} bare ${a.toFixed(0).padStart(6)} µs  secretguard ${b.toFixed(0).padStart(6)} µs  ratio ${(a / b).toFixed(2)}\n`);
}
await Promise.all([secretguard.close(), bare.close()]);
