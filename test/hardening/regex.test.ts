// Issue 15: regexes written in objects and configs run on RE2 with capped pattern, program and subject
// sizes and a per-check work budget, so no object or config stalls the webhook. Each source is attacked with
// the classic catastrophic shapes through the real HTTPS server (and /healthz keeps answering) and, for
// files, through the CLI.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { generateCertificates } from '../../src/certs/generate.js';
import { compileRegex, estimateSize, MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, RegexBudget } from '../../src/k8s/regex.js';
import { startServer } from '../../src/server/serve.js';
import { runCli } from '../helpers/cli.js';
import { fakeCiphertext } from '../sealedsecret/fixtures.js';

type Json = Record<string, unknown>;

const LONG_NAME = 'a'.repeat(63);
/** Every catastrophic shape, each tried as written and inside a 4 KiB+ pattern. */
const CATASTROPHIC: Record<string, string> = {
  'nested plus': '(a+)+b',
  'overlapping alternation': '(a|aa)*c',
  'repeated dot-star': '(.*a){20}',
  'nested stars': '((a*)*)*b',
  'nested counted repeats': '((a{2,10}){2,10}){2,10}',
  'huge alternation': Array.from({ length: 150 }, (_, i) => `n${i}`).join('|'),
  'lookahead (not RE2)': '(?=a)a+',
  'backreference (not RE2)': '(a+)\\1b',
  '4 KiB pattern': '(a|b)*'.repeat(700) + 'c',
  '4 KiB literal': 'a'.repeat(4096),
};

t.test('the regex module: linear engine, refusals instead of throws, budget, LRU cache', async (t) => {
  t.same(compileRegex('(?=a)'), { ok: false, problem: 'cannot compile' });
  t.same(compileRegex('(a)\\1'), { ok: false, problem: 'cannot compile' });
  t.same(compileRegex('a'.repeat(MAX_PATTERN_LENGTH + 1)), { ok: false, problem: 'too long' });
  t.same(compileRegex('a{1000}b{1000}'), { ok: false, problem: 'too complex' }, 'refused before re2js expands the repeats');
  t.same(compileRegex('(a{30}){30}'), { ok: false, problem: 'too complex' }, 'nested repeats multiply');
  t.ok(estimateSize('(a{30}){30}') > MAX_PROGRAM_SIZE);
  t.ok(estimateSize('^team-[a-z0-9]{1,40}$') <= MAX_PROGRAM_SIZE, 'a real tenant pattern fits');
  const nested = compileRegex('(a+)+b');
  if (!nested.ok) throw new Error('(a+)+b must compile');
  t.equal(nested.regex.search('a'.repeat(30)), false, '(a+)+b against 30 a: no match, at once');
  t.equal(nested.regex.search('a'.repeat(252) + 'b'), true, 'a 253-character subject is tried');
  t.equal(nested.regex.search('a'.repeat(1_000_000)), undefined, 'a 1 MB subject is never tried');
  const budget = new RegexBudget(100);
  t.equal(nested.regex.search('a'.repeat(30), budget), undefined, 'past the budget: no answer rather than work');
  t.equal(compileRegex('x'.repeat(300) + 'unseen', new RegexBudget(10)), undefined, 'a compile that does not fit the budget is not done');
  const alt = compileRegex('a|ab');
  if (!alt.ok) throw new Error('a|ab must compile');
  t.equal(alt.regex.firstMatchIsWhole('ab'), false, ".NET's first match of a|ab in ab is a, so Reflector does not match ab");
  t.equal(alt.regex.firstMatchIsWhole('a'), true);
  t.equal(compileRegex('(a+)+b'), nested, 'compiled once, then from the cache');
  for (let i = 0; i < 600; i++) compileRegex(`evict-${i}`);
  t.not(compileRegex('(a+)+b'), nested, 'the cache is bounded: old entries are evicted');
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'secretguard-regex-'));
t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
const certs = generateCertificates({ service: 'secretguard', namespace: 'sg', hosts: ['127.0.0.1', 'localhost'] });
writeFileSync(path.join(dir, 'tls.crt'), certs.cert);
writeFileSync(path.join(dir, 'tls.key'), certs.key);

const configFile = path.join(dir, 'config.yaml');
const config = {
  apiVersion: 'secretguard.io/v1alpha1',
  kind: 'SecretGuardConfig',
  tenancy: {
    tenants: {
      // Catastrophic on a backtracking engine against the 63-a namespace; linear here.
      'team-a': { namespaces: ['team-a', '^(a+)+b$', '^(a|aa)*c$'] },
      'team-b': { namespaces: ['team-b', '^((a*)*)*x$'] },
    },
  },
  exemptions: [{ rules: ['no-plaintext-secret'], namespaces: ['^(.*a){20}b$'], reason: 'catastrophic exemption pattern' }],
  rules: { 'sealedsecret-scope': { options: { allow: [{ namespace: '^(a+)+$', name: '^(a|aa)*c$', scope: 'cluster-wide' }] } } },
};
writeFileSync(configFile, stringify(config));

const ns = (name: string): Json => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const catastrophicStore: Json = {
  apiVersion: 'external-secrets.io/v1',
  kind: 'ClusterSecretStore',
  metadata: { name: 'evil' },
  spec: { provider: { fake: { data: [] } }, conditions: [{ namespaceRegexes: Object.values(CATASTROPHIC) }] },
};
const stateFile = path.join(dir, 'state.yaml');
writeFileSync(stateFile, [ns('team-a'), ns('team-b'), ns(LONG_NAME), ns('a'.repeat(62) + 'c'), catastrophicStore].map((o) => stringify(o)).join('---\n'));

const server = await startServer({ config: configFile, tlsCert: path.join(dir, 'tls.crt'), tlsKey: path.join(dir, 'tls.key'), port: 0, metricsPort: 0, host: '127.0.0.1', clusterState: [stateFile], shutdownDelayMs: 0 });
t.teardown(() => server.close());

function post(urlPath: '/validate' | '/mutate', body: string): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: server.port, path: urlPath, method: 'POST', ca: [certs.caCert], servername: 'localhost', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json }); });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function healthz(): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: server.metricsPort, path: '/healthz' }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode ?? 0); });
    }).on('error', reject).end();
  });
}

const GROUPS: Record<string, [string, string]> = { Secret: ['', 'secrets'], Deployment: ['apps', 'deployments'], ExternalSecret: ['external-secrets.io', 'externalsecrets'], ClusterSecretStore: ['external-secrets.io', 'clustersecretstores'], SealedSecret: ['bitnami.com', 'sealedsecrets'] };

function review(object: Json, uid: string): string {
  const kind = object['kind'] as string;
  const [group, resource] = GROUPS[kind] ?? ['', ''];
  const apiVersion = object['apiVersion'] as string;
  const version = apiVersion.split('/').at(-1) ?? 'v1';
  const metadata = object['metadata'] as Json;
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource },
      name: metadata['name'],
      ...(metadata['namespace'] !== undefined ? { namespace: metadata['namespace'] } : {}),
      operation: 'CREATE',
      userInfo: { username: 'tenant', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
    },
  });
}

const deployment = (reload: string, secretName: string): Json => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'team-a', annotations: { 'secret.reloader.stakater.com/reload': reload } },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', envFrom: [{ secretRef: { name: secretName } }] }] } } },
});

const reflected = (namespace: string, allowed: string): Json => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'shared',
    namespace,
    annotations: { 'reflector.v1.k8s.emberstack.com/reflection-allowed': 'true', 'reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces': allowed },
  },
  type: 'Opaque',
});

/** Post every review at once, with /healthz polled alongside; answers by uid, and the /healthz statuses. */
async function storm(reviews: { path: '/validate' | '/mutate'; body: string }[]): Promise<{ answers: Json[]; health: number[] }> {
  const health: number[] = [];
  const state = { done: false };
  const poll = (async () => {
    while (!state.done) health.push(await healthz());
  })();
  const answers = await Promise.all(reviews.map(async (r) => (await post(r.path, r.body)).body['response'] as Json));
  state.done = true;
  await poll;
  health.push(await healthz());
  return { answers, health };
}

t.test('Reloader reload entries: catastrophic, huge and numerous patterns answer with no patch, /healthz stays up', async (t) => {
  const cases: [string, Json][] = [];
  for (const [what, pattern] of Object.entries(CATASTROPHIC)) {
    cases.push([`${what} vs a 30-a name`, deployment(pattern, 'a'.repeat(30))]);
    cases.push([`${what} vs a 253-a name`, deployment(pattern, 'a'.repeat(253))]);
  }
  cases.push(['2,000 catastrophic entries', deployment(Array.from({ length: 2000 }, (_, i) => `(a+)+b${i}`).join(','), 'a'.repeat(40))]);
  cases.push(['a 1 MB Secret name', deployment('(a+)+b', 'a'.repeat(1_000_000))]);
  const { answers, health } = await storm(cases.map(([, object], i) => ({ path: '/mutate', body: review(object, `reload-${i}`) })));
  cases.forEach(([what], i) => {
    t.same(answers[i], { uid: `reload-${i}`, allowed: true }, `${what}: allowed, no patch (the Secret is not ESO-managed)`);
  });
  t.ok(health.length > 0 && health.every((s) => s === 200), `/healthz answered 200 throughout (${health.length} polls)`);
});

t.test('Reflector allowed-namespaces: patterns RE2 refuses are denied as unverifiable, patterns beyond the tenant as foreign; catastrophic ones answer at once', async (t) => {
  const cannotVerify = (index: number, problem: string): string =>
    `Secret shared: pattern ${index} of reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces ${problem}, so secretguard cannot verify which namespaces Reflector copies the Secret into; list the namespaces of tenant team-a by name`;
  const foreign = (pattern: string): string =>
    `Secret shared allows Reflector to copy its Secret into namespaces matching ${pattern}, which can match namespaces outside tenant team-a, also ones created later; list names, or use exactly one of the tenant's own anchored patterns`;
  // (a+)+b and (a|aa)*c are team-a's own patterns (^(a+)+b$, ^(a|aa)*c$ in the config): allowed.
  const expected: Record<string, string | undefined> = {
    // Not one of team-a's own anchored patterns, so it may match a namespace of another tenant, now or later.
    'repeated dot-star': foreign(CATASTROPHIC['repeated dot-star'] ?? ''),
    'nested stars': foreign(CATASTROPHIC['nested stars'] ?? ''),
    'huge alternation': foreign(CATASTROPHIC['huge alternation'] ?? ''),
    'lookahead (not RE2)': cannotVerify(0, 'is not valid RE2 syntax'),
    'backreference (not RE2)': cannotVerify(0, 'is not valid RE2 syntax'),
    '4 KiB pattern': cannotVerify(0, 'is longer than 1024 characters'),
    '4 KiB literal': cannotVerify(0, 'is longer than 1024 characters'),
  };
  const entries = Object.entries(CATASTROPHIC);
  const { answers, health } = await storm(entries.map(([, pattern], i) => ({ path: '/validate', body: review(reflected('team-a', pattern), `reflect-${i}`) })));
  const split = answers[entries.findIndex(([what]) => what === 'nested counted repeats')] ?? {};
  t.equal(split['allowed'], false, 'Reflector splits ((a{2,10}){2,10}){2,10} on its commas into four broken patterns');
  t.ok(((split['status'] as Json)['message'] as string).startsWith(`[reflector-namespace-isolation] ${cannotVerify(0, 'is not valid RE2 syntax')}; [reflector-namespace-isolation] ${cannotVerify(1, 'is not valid RE2 syntax')}`));
  entries.forEach(([what], i) => {
    if (what === 'nested counted repeats') return;
    const answer = answers[i] ?? {};
    const message = expected[what];
    const exact = message === undefined ? { uid: `reflect-${i}`, allowed: true } : { uid: `reflect-${i}`, allowed: false, status: { code: 403, message: `[reflector-namespace-isolation] ${message}` } };
    t.same(answer, exact, `${what}: ${message === undefined ? 'allowed' : 'denied, saying why'} (Reflector splits the list on commas)`);
  });
  t.ok(health.every((s) => s === 200), '/healthz answered 200 throughout');
});

t.test('ClusterSecretStore namespaceRegexes: judged on the store and when an ExternalSecret uses it', async (t) => {
  const storeAnswer = (await post('/validate', review(catastrophicStore, 'store'))).body['response'] as Json;
  t.equal(storeAnswer['allowed'], false);
  const message = (storeAnswer['status'] as Json)['message'] as string;
  t.ok(message.startsWith('[clustersecretstore-conditions] ClusterSecretStore evil: namespaceRegex (a+)+b is not anchored with ^…$; ESO searches unanchored'), 'catastrophic but valid RE2: judged on its anchoring');
  t.match(message, '[clustersecretstore-conditions] ClusterSecretStore evil: namespaceRegexes[4] of condition 0 compiles to more than 1000 RE2 instructions, so secretguard cannot verify which namespaces it admits; write a shorter, simpler pattern or list the namespaces');
  t.match(message, '… and 4 more findings', 'the rest (lookahead, backreference, 4 KiB) are counted in the cut message');
  const externalSecret = (namespace: string, uid: string): string =>
    review(
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace },
        spec: {
          secretStoreRef: { kind: 'ClusterSecretStore', name: 'evil' },
          target: { name: 'db' },
          dataFrom: [{ find: { name: { regexp: '(a+)+b' } }, rewrite: [{ regexp: { source: '((a*)*)*b', target: 'x' } }] }],
        },
      },
      uid,
    );
  const { answers, health } = await storm([{ path: '/validate', body: externalSecret(LONG_NAME, 'es-long') }, { path: '/validate', body: externalSecret('team-a', 'es-team-a') }]);
  t.same(answers[0], { uid: 'es-long', allowed: true }, 'ESO tries the regexes in order: (.*a){20} admits the 63-a namespace before any refused one');
  t.same(
    answers[1],
    {
      uid: 'es-team-a',
      allowed: false,
      status: { code: 403, message: "[externalsecret-store-access] ExternalSecret db uses ClusterSecretStore evil from namespace team-a, but the store's conditions do not admit that namespace (a namespaceRegex compiles to more than 1000 RE2 instructions); ESO would only fail at reconcile time" },
    },
    'team-a reaches the refused regex: not admitted; find.name.regexp and rewrite regexps are never run',
  );
  t.ok(health.every((s) => s === 200), '/healthz answered 200 throughout');
});

t.test('tenancy, exemption and sealedsecret-scope config patterns: catastrophic on backtracking, linear here', async (t) => {
  const sealed = (namespace: string, name: string, uid: string): string =>
    review({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name, namespace, annotations: { 'sealedsecrets.bitnami.com/cluster-wide': 'true' } }, spec: { encryptedData: { k: fakeCiphertext(512, 20) } } }, uid);
  const { answers, health } = await storm([
    { path: '/validate', body: review(reflected(LONG_NAME, 'team-b'), 'tenant-long') },
    { path: '/validate', body: sealed(LONG_NAME, 'a'.repeat(62) + 'c', 'sealed-allowed') },
    { path: '/validate', body: sealed(LONG_NAME, 'a'.repeat(63), 'sealed-denied') },
  ]);
  const [tenant, allowedSealed, deniedSealed] = answers;
  t.same(tenant, { uid: 'tenant-long', allowed: false, status: { code: 403, message: `[reflector-namespace-isolation] Secret shared allows Reflector to copy its Secret into namespace team-b, which belongs to tenant team-b, not ${LONG_NAME}` } }, 'the 63-a namespace matches no tenant pattern, so team-b is another tenant');
  t.same(allowedSealed, { uid: 'sealed-allowed', allowed: true }, 'the allow entry matches namespace ^(a+)+$ and name ^(a|aa)*c$');
  t.same(
    deniedSealed,
    { uid: 'sealed-denied', allowed: false, status: { code: 403, message: `[sealedsecret-scope] SealedSecret ${LONG_NAME} in ${LONG_NAME} is sealed cluster-wide (sealedsecrets.bitnami.com/cluster-wide: "true"): anyone who can copy the manifest can unseal it into any namespace, another tenant's included. Re-seal it with kubeseal --cert <spoke cert> --scope strict, or allow it in the rule's options` } },
    'the name does not match ^(a|aa)*c$',
  );
  t.ok(health.every((s) => s === 200), '/healthz answered 200 throughout');
});

t.test('the CLI: the same objects and config in files, exit code and findings', async (t) => {
  const file = path.join(dir, 'objects.yaml');
  const objects = [deployment('(a+)+b', 'a'.repeat(30)), reflected('team-a', '(?=a)a+'), reflected('team-a', '(a|aa)*c'), catastrophicStore];
  writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
  const started = Date.now();
  const result = runCli(['scan', '--config', configFile, '--cluster-state', stateFile, '--format', 'json', file]);
  const elapsed = Date.now() - started;
  t.equal(result.code, 1, 'deny findings fail the run');
  const report = JSON.parse(result.stdout) as { findings: { ruleId: string; action: string; message: string; field: string }[] };
  const line = (f: { ruleId: string; action: string; field: string }): string => `${f.action} ${f.ruleId} ${f.field}`;
  t.same(
    report.findings.map(line).sort(),
    [
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/0',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/1',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/2',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/3',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/4',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/5',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/6',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/7',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/8',
      'deny clustersecretstore-conditions /spec/conditions/0/namespaceRegexes/9',
      'deny reflector-namespace-isolation /metadata/annotations/reflector.v1.k8s.emberstack.com~1reflection-allowed-namespaces',
    ],
    'one finding per refused or unanchored namespaceRegex, and the unverifiable Reflector pattern; the Deployment is fine',
  );
  const messages = report.findings.map((f) => f.message);
  t.ok(messages.includes('[reflector-namespace-isolation] Secret shared: pattern 0 of reflector.v1.k8s.emberstack.com/reflection-allowed-namespaces is not valid RE2 syntax, so secretguard cannot verify which namespaces Reflector copies the Secret into; list the namespaces of tenant team-a by name'));
  t.ok(messages.includes('[clustersecretstore-conditions] ClusterSecretStore evil: namespaceRegexes[8] of condition 0 is longer than 1024 characters, so secretguard cannot verify which namespaces it admits; write a shorter, simpler pattern or list the namespaces'));
  t.ok(messages.includes('[clustersecretstore-conditions] ClusterSecretStore evil: namespaceRegex (?=a)a+ does not compile; ESO would fail every ExternalSecret using the store'));
  t.comment(`scan took ${elapsed} ms (a backtracking engine takes tens of seconds on these)`);
});
