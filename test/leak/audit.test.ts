// Secrets never leave through audit (issue 20): the planted canaries stored in a cluster (as the API server
// stores them: stringData folded into data, payload owned by Argo CD) go through `secretguard audit` in every
// format and through the background audit of `serve` (its PolicyReports, logs and /metrics); every byte is
// scanned for any canary, its base64 form, or any 8-character slice of either.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { generateCertificates } from '../../src/certs/generate.js';
import type { KubeWriter } from '../../src/audit/reports-writer.js';
import { KubeConfigTransport } from '../../src/cluster/informers.js';
import { loadKubeConfig } from '../../src/audit/kubeconfig.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { allRules } from '../../src/rules/registry.js';
import { startServer } from '../../src/server/serve.js';
import { FakeApiServer, stored } from '../audit/fake-apiserver.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { LogSink } from '../server/helpers.js';
import { CANARIES, LeakScanner } from './canaries.js';
import { plantedObjects } from './planted.js';

const scanner = new LeakScanner();
const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-audit-leak-'));
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
});

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
  ...plantedObjects().map((o) => stored(o, 'argocd-controller')),
  // The same Secret written by ESO: not from git, and still never printed.
  stored({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'eso', namespace: 'team-a' }, stringData: { token: CANARIES.githubToken } }, 'externalsecrets.external-secrets.io/eso'),
];
const api = new FakeApiServer(objects);
await api.start();
t.teardown(() => api.stop());
const kubeconfig = path.join(dir, 'kubeconfig');
// The bearer token is a canary too: credentials never reach the output either.
api.writeKubeconfig(kubeconfig, CANARIES.bearerToken);
const config = path.join(dir, 'warn.yaml');
writeFileSync(config, stringify({ apiVersion: 'secretguard.io/v1alpha1', kind: 'SecretGuardConfig', logLevel: 'trace', rules: Object.fromEntries(allRules.map((r) => [r.meta.id, 'warn'])) }));

/** The real CLI, asynchronously: the fake API server answers from this process. */
function cli(channel: string, args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      scanner.scan(`${channel} stdout`, stdout);
      scanner.scan(`${channel} stderr`, stderr);
      resolve(code);
    });
  });
}

function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('audit CLI: every format, with and without a config, -o, paged', async (t) => {
  let findings = 0;
  for (const format of ['text', 'json', 'sarif', 'junit', 'policyreport']) {
    t.equal(await cli(`audit ${format}`, ['audit', '--kubeconfig', kubeconfig, '--format', format]), 1, `${format}: exit 1`);
    await cli(`audit ${format} warn`, ['audit', '--kubeconfig', kubeconfig, '--format', format, '--config', config, '--page-size', '1']);
    const out = path.join(dir, `audit.${format}`);
    await cli(`audit -o ${format}`, ['audit', '--kubeconfig', kubeconfig, '--format', format, '-o', out]);
    const text = readFileSync(out, 'utf8');
    scanner.scan(`audit report file ${format}`, text);
    if (format === 'json') findings = (JSON.parse(text) as { findings: unknown[] }).findings.length;
  }
  t.ok(findings >= 10, `the stored objects produce findings (${findings})`);
  api.refuse.set('/api/v1/secrets', 403);
  t.equal(await cli('audit forbidden', ['audit', '--kubeconfig', kubeconfig]), 1, 'other kinds still fail the run');
  api.refuse.clear();
});

t.test('background audit: PolicyReports, logs at trace level, /metrics', async (t) => {
  const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1'] });
  writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
  writeFileSync(path.join(dir, 'tls.key'), certs.key);
  const written: JsonObject[] = [];
  const writer: KubeWriter = {
    apply: (_path, object) => {
      written.push(object);
      return Promise.resolve(200);
    },
    delete: () => Promise.resolve(200),
  };
  const sink = new LogSink();
  const server = await startServer({
    config,
    tlsCert: path.join(dir, 'tls.crt'),
    tlsKey: path.join(dir, 'tls.key'),
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    transport: new KubeConfigTransport(loadKubeConfig(kubeconfig)),
    logDestination: sink,
    shutdownDelayMs: 0,
    audit: { intervalMs: 600_000, pageSize: 2, pageDelayMs: 0, maxNamespaces: 10, writer },
  });
  t.teardown(() => server.close());
  // Generous: under a loaded machine the first audit (discovery and every list) can take a while.
  const deadline = Date.now() + 90_000;
  while (!sink.lines.some((l) => l.includes('background audit done')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(written.length >= 2, `${written.length} reports written`);
  const results = written.flatMap((r) => (r['results'] as unknown[] | undefined) ?? []);
  t.ok(results.length >= 10, `${results.length} results`);
  scanner.scan('PolicyReports', JSON.stringify(written));
  scanner.scan('background audit /metrics', await get(server.metricsPort, '/metrics'));
  scanner.scan('background audit logs', sink.lines.join('\n'));
  t.ok(sink.lines.some((l) => l.includes('background audit done')), 'the audit ran and logged');
});

t.test('no canary in any captured output', async (t) => {
  t.comment(`audit leak check: ${scanner.bytes} bytes scanned over ${scanner.channels.size} channels, ${scanner.hits.length} hits`);
  t.same(scanner.hits.slice(0, 10).map((h) => `${h.channel}: ${h.needle} in …${h.context}…`), [], 'zero hits');
  t.ok(scanner.bytes > 100_000, 'more than 100 kB of output scanned');
});
