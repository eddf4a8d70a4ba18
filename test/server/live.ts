// The real HTTPS server for the hostile-input tests (issue 15): certificates from
// `generateCertificates`, a manifest view, metrics over plain HTTP. Not a test file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { generateCertificates } from '../../src/certs/generate.js';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/serve.js';
import { LogSink, ManualLag } from './helpers.js';

export interface LiveServer {
  server: RunningServer;
  ca: string;
  dir: string;
  lag: ManualLag;
  sink: LogSink;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body: string;
}

/** Start `secretguard serve` in-process with fresh certificates, the given config and a view with team-a. */
export async function startLive(options: { config?: string; state?: string; serve?: Partial<ServeOptions> } = {}): Promise<LiveServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-live-'));
  const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
  writeFileSync(path.join(dir, 'tls.key'), certs.key);
  writeFileSync(path.join(dir, 'state.yaml'), options.state ?? 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
  let config: string | undefined;
  if (options.config !== undefined) {
    config = path.join(dir, 'config.yaml');
    writeFileSync(config, `apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\n${options.config}`);
  }
  const lag = new ManualLag();
  const sink = new LogSink();
  const server = await startServer({
    config,
    tlsCert: path.join(dir, 'tls.crt'),
    tlsKey: path.join(dir, 'tls.key'),
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    clusterState: [path.join(dir, 'state.yaml')],
    shutdownDelayMs: 0,
    logDestination: sink,
    lagSource: lag,
    ...options.serve,
  });
  return {
    server,
    ca: certs.caCert,
    dir,
    lag,
    sink,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POST a body over TLS on a fresh connection. */
export function postTls(live: LiveServer, urlPath: string, body: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: live.server.port,
        path: urlPath,
        method: 'POST',
        ca: live.ca,
        servername: 'localhost',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function getMetrics(live: LiveServer): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: live.server.metricsPort, path: '/metrics', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
    })
      .on('error', reject)
      .end();
  });
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
  patch?: string;
  patchType?: string;
  auditAnnotations?: Record<string, string>;
}

export function responseOf(answer: Answer): ReviewResponse {
  return (JSON.parse(answer.body) as { response: ReviewResponse }).response;
}

/**
 * POST over a raw TLS connection: `head` bytes of the body, a pause of `pauseMs`, then the rest.
 * Resolves with the answer, or with `closed` when the server ends the connection without one.
 */
export function postSlowly(
  live: LiveServer,
  urlPath: string,
  body: string,
  options: { head: number; pauseMs: number },
): Promise<Answer & { closed: boolean }> {
  return new Promise((resolve) => {
    const bytes = Buffer.from(body, 'utf8');
    const socket = tlsConnect({ host: '127.0.0.1', port: live.server.port, ca: live.ca, servername: 'localhost' }, () => {
      socket.write(`POST ${urlPath} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${String(bytes.length)}\r\nconnection: close\r\n\r\n`);
      socket.write(bytes.subarray(0, options.head));
      setTimeout(() => {
        if (!socket.destroyed) socket.end(bytes.subarray(options.head));
      }, options.pauseMs);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: status === undefined ? 0 : Number(status), body: split < 0 ? '' : text.slice(split + 4), closed: status === undefined });
    });
  });
}
