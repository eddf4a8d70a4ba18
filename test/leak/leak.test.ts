// Secrets never leave (issue 12): canaries planted in Secrets, ConfigMaps, env values, SealedSecret
// templates and Argo CD secrets go through every front end (the real CLI in every format, `review`,
// the webhook in-process and over HTTPS at trace log level), and every byte written back (stdout,
// stderr, report files, HTTP bodies with their warnings, audit annotations and status messages, log
// lines, metrics, error messages) is scanned for any canary or 8-character slice of one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { generateCertificates } from '../../src/certs/generate.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { resolveConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { ManifestError, parseManifests } from '../../src/manifests/load.js';
import { allMutators } from '../../src/mutators/registry.js';
import { allRules } from '../../src/rules/registry.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { Metrics } from '../../src/server/metrics.js';
import { startServer } from '../../src/server/serve.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { LogSink, ManualLag } from '../server/helpers.js';
import { BROKEN_YAML, plantedObjects } from './planted.js';
import { CANARIES, LeakScanner } from './canaries.js';

const scanner = new LeakScanner();
const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-leak-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });

const objects = plantedObjects();
const manifests = path.join(dir, 'manifests.yaml');
writeFileSync(manifests, objects.map((o) => stringify(o)).join('---\n'));
writeFileSync(path.join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2));

const actionConfig = (action: string): Record<string, unknown> => ({
  apiVersion: 'secretguard.io/v1alpha1',
  kind: 'SecretGuardConfig',
  logLevel: 'trace',
  rules: Object.fromEntries(allRules.map((r) => [r.meta.id, action])),
  objectExemptions: { allowedRules: ['no-plaintext-secret'] },
});
for (const action of ['deny', 'warn', 'audit']) writeFileSync(path.join(dir, `${action}.yaml`), stringify(actionConfig(action)));
// A config that is invalid, with canaries in the values the validator complains about.
writeFileSync(path.join(dir, 'bad-config.yaml'), `apiVersion: secretguard.io/v1alpha1\nkind: SecretGuardConfig\nlogLevel: ${CANARIES.password}\nrules:\n  no-plaintext-secret: ${CANARIES.githubToken}\n  ${CANARIES.bearerToken}: deny\n`);

function cli(channel: string, args: string[], input?: string): number | null {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, input: input ?? '', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 2 ** 20 });
  scanner.scan(`${channel} stdout`, result.stdout);
  scanner.scan(`${channel} stderr`, result.stderr);
  return result.status;
}

t.test('CLI: every report format, quiet, --output, configs, review, broken input, bad config', async (t) => {
  let findings = 0;
  for (const format of ['text', 'json', 'sarif', 'junit']) {
    for (const config of ['deny', 'warn', 'audit']) {
      const code = cli(`scan --format ${format} (${config})`, ['scan', '--format', format, '--config', path.join(dir, `${config}.yaml`), '--fail-on', 'warn', manifests, path.join(dir, 'list.json')]);
      t.ok(code === 0 || code === 1, `scan ${format} ${config}: exit ${String(code)}`);
    }
    const out = path.join(dir, `report.${format}`);
    cli(`scan -o (${format})`, ['scan', '-q', '--format', format, '--output', out, manifests]);
    const report = readFileSync(out, 'utf8');
    scanner.scan(`report file ${format}`, report);
    if (format === 'json') findings = (JSON.parse(report) as { findings: unknown[] }).findings.length;
  }
  t.ok(findings >= 15, `the planted objects produce findings (${findings}), so every message path ran`);
  t.equal(cli('scan stdin', ['scan', '-'], readFileSync(manifests, 'utf8')), 1);
  for (const [index, text] of BROKEN_YAML.entries()) {
    const file = path.join(dir, `broken-${index}.yaml`);
    writeFileSync(file, text);
    t.equal(cli(`scan broken ${index}`, ['scan', file]), 1, `broken input ${index}: an unreadable-manifest error finding, exit 1`);
    try {
      parseManifests({ name: file, text });
    } catch (error) {
      scanner.scan(`ManifestError ${index}`, error instanceof ManifestError ? error.message : String(error));
    }
  }
  t.equal(cli('config validate', ['config', 'validate', path.join(dir, 'bad-config.yaml')]), 2);
  t.equal(cli('scan with bad config', ['scan', '--config', path.join(dir, 'bad-config.yaml'), manifests]), 2);
  for (const object of objects.slice(0, 4)) {
    const review = JSON.stringify(admissionReview(object, 'CREATE'));
    cli('review', ['review', '-'], review);
    cli('review --mutate', ['review', '--mutate', '-'], review);
  }
  cli('review broken', ['review', '-'], `{"request": {"uid": "${CANARIES.password}"`);
});

function admissionReview(object: JsonObject, operation: 'CREATE' | 'UPDATE' | 'DELETE', uid = 'leak-uid'): JsonObject {
  const str = (value: unknown): string => (typeof value === 'string' ? value : '');
  const apiVersion = str(object['apiVersion']);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const metadata = object['metadata'] as JsonObject;
  const kind = str(object['kind']);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: group ?? '', version: version ?? 'v1', kind },
      resource: { group: group ?? '', version: version ?? 'v1', resource: kind.toLowerCase() + 's' },
      name: str(metadata['name']),
      namespace: str(metadata['namespace']),
      operation,
      userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'CREATE' ? null : object,
      dryRun: false,
    },
  };
}

t.test('webhook in-process: deny, warn and audit configs, validate and mutate, trace logging', async (t) => {
  const view = new ClusterIndex();
  view.synced = true;
  let warnings = 0;
  let audits = 0;
  let denials = 0;
  for (const action of ['deny', 'warn', 'audit']) {
    const sink = new LogSink();
    const logger = createLogger('trace', sink);
    const metrics = new Metrics();
    const engine = new Engine(allRules, allMutators, resolveConfig(actionConfig(action), 'leak', allRules, allMutators));
    const app = buildApp({ engine, view, logger, metrics, lagSource: new ManualLag() });
    for (const object of objects) {
      for (const operation of ['CREATE', 'UPDATE', 'DELETE'] as const) {
        for (const url of ['/validate', '/mutate']) {
          const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(admissionReview(object, operation)) });
          t.equal(res.statusCode, 200);
          scanner.scan(`webhook ${action} ${url} body`, res.body);
          const response = (JSON.parse(res.body) as { response: { warnings?: string[]; auditAnnotations?: Record<string, string>; allowed: boolean; patch?: string } }).response;
          warnings += response.warnings?.length ?? 0;
          audits += Object.keys(response.auditAnnotations ?? {}).length;
          if (!response.allowed) denials++;
          if (response.patch !== undefined) scanner.scan('webhook patch (decoded)', Buffer.from(response.patch, 'base64'));
        }
      }
    }
    for (const body of [`{"apiVersion":"admission.k8s.io/v1","request":{"uid":"${CANARIES.githubToken}"`, `{"x":"${CANARIES.password}"}`, JSON.stringify({ ...admissionReview(objects[0]!, 'CREATE'), kind: CANARIES.bearerToken })]) {
      const res = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: body });
      t.equal(res.statusCode, 400);
      scanner.scan('webhook 400 body', res.body);
    }
    scanner.scan(`metrics ${action}`, await metrics.registry.metrics());
    scanner.scan(`logs ${action} (trace)`, sink.lines.join('\n'));
    t.ok(sink.lines.length > objects.length, `${action}: trace logging produced ${sink.lines.length} lines`);
    await app.close();
  }
  t.ok(denials > 0 && warnings > 0 && audits > 0, `denials ${denials}, warnings ${warnings}, audit annotations ${audits} all scanned`);
});

function post(port: number, ca: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { resolve(Buffer.concat(chunks).toString('utf8')); });
    })
      .on('error', reject)
      .end();
  });
}

t.test('serve over HTTPS at trace level: responses, logs, /metrics, /readyz', async (t) => {
  const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
  writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
  writeFileSync(path.join(dir, 'tls.key'), certs.key);
  writeFileSync(path.join(dir, 'state.yaml'), stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }));
  const sink = new LogSink();
  const server = await startServer({ config: path.join(dir, 'warn.yaml'), tlsCert: path.join(dir, 'tls.crt'), tlsKey: path.join(dir, 'tls.key'), port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [path.join(dir, 'state.yaml')], logDestination: sink, lagSource: new ManualLag() });
  t.teardown(() => server.close());
  t.equal(server.logger.level, 'trace');
  for (const object of objects) scanner.scan('serve https body', await post(server.port, certs.caCert, JSON.stringify(admissionReview(object, 'UPDATE'))));
  scanner.scan('serve https 400', await post(server.port, certs.caCert, `{"y":"${CANARIES.slackToken}`));
  scanner.scan('serve /metrics', await get(server.metricsPort, '/metrics'));
  scanner.scan('serve /readyz', await get(server.metricsPort, '/readyz'));
  // a config reload refused because of garbage with canaries in it
  writeFileSync(path.join(dir, 'warn.yaml'), `logLevel: ${CANARIES.password}\n${CANARIES.githubToken}: [`);
  t.equal(server.policy.reload(), false, 'garbage config refused');
  await new Promise((resolve) => setTimeout(resolve, 50));
  scanner.scan('serve logs (trace)', sink.lines.join('\n'));
  t.ok(sink.lines.length >= objects.length, `${sink.lines.length} log lines`);
});

t.test('no canary in any captured output', async (t) => {
  t.comment(`canary leak check: ${scanner.bytes} bytes scanned over ${scanner.channels.size} channels, ${scanner.hits.length} hits`);
  t.same(
    scanner.hits.slice(0, 10).map((h) => `${h.channel}: ${h.needle} in …${h.context}…`),
    [],
    'zero hits',
  );
  t.ok(scanner.bytes > 500_000, 'more than 500 kB of output scanned');
});
