import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { formatFleetHtml, formatFleetText, spokeFromSecret } from '../../src/audit/fleet.js';
import type { JsonObject } from '../../src/k8s/json.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const TOKEN = 'fleet-token-canary-Zx81Qm';
const secret = (data: Record<string, string>): JsonObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cluster-x', namespace: 'argocd' }, data });

t.test('cluster Secrets: usable ones get a kubeconfig, others a reason that quotes nothing', async (t) => {
  const ok = spokeFromSecret(secret({ name: b64('prod'), server: b64('https://10.0.0.1:6443'), config: b64(JSON.stringify({ bearerToken: TOKEN, tlsClientConfig: { insecure: false, caData: b64('ca') } })) }));
  t.equal(ok.name, 'prod');
  t.equal(ok.kubeConfig?.getCurrentUser()?.token, TOKEN, 'the token is used');
  t.equal(ok.kubeConfig?.getCurrentCluster()?.server, 'https://10.0.0.1:6443');
  const cases: [Record<string, string>, string][] = [
    [{ name: b64('a') }, 'no server URL'],
    [{ name: b64('a'), server: b64('file:///etc/passwd') }, 'no server URL'],
    [{ name: b64('a'), server: b64('https://x'), config: b64(`{"bearerToken":"${TOKEN}"`) }, 'config is not JSON'],
    [{ name: b64('a'), server: b64('https://x'), config: b64(`["${TOKEN}"]`) }, 'config is not a JSON object'],
    [{ name: b64('a'), server: b64('https://x'), config: b64(JSON.stringify({ execProviderConfig: { args: [TOKEN] } })) }, 'execProviderConfig has no command'],
    [{ name: b64('a'), server: b64('https://x'), config: b64(JSON.stringify({ awsAuthConfig: { clusterName: 'x' } })) }, 'AWS authentication (argocd-k8s-auth aws) is not supported yet'],
  ];
  for (const [data, problem] of cases) {
    const spoke = spokeFromSecret(secret(data));
    t.equal(spoke.problem, problem, problem);
    t.equal(spoke.kubeConfig, undefined);
  }
  t.equal(spokeFromSecret({}).name, '(unnamed)', 'no shape crashes');
  const text = formatFleetText([{ name: 'a', server: 'https://x', status: 'unsupported', reason: 'config is not JSON' }]);
  t.equal(text, 'a (https://x): unsupported (config is not JSON)\n1 clusters, 0 audited, 1 not reached\n');
  t.notOk(text.includes(TOKEN));
});

t.test('execProviderConfig: the command runs as kubectl runs exec plugins, and its token reaches the request only', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sg-exec-'));
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }); });
  // A real exec plugin: prints an ExecCredential whose token is built from its argument and environment.
  const plugin = path.join(dir, 'plugin.mjs');
  writeFileSync(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: process.argv[2] + '-' + process.env.SPOKE_SUFFIX } }));\n`);
  const spoke = spokeFromSecret(
    secret({
      name: b64('exec-spoke'),
      server: b64('https://10.0.0.2:6443'),
      config: b64(JSON.stringify({ execProviderConfig: { command: process.execPath, args: [plugin, 'exec-token'], env: { SPOKE_SUFFIX: 'Zq81' }, apiVersion: 'client.authentication.k8s.io/v1beta1' }, tlsClientConfig: { insecure: true } })),
    }),
  );
  t.equal(spoke.problem, undefined);
  const options: { headers?: Record<string, unknown> } = {};
  await spoke.kubeConfig?.applyToHTTPSOptions(options);
  t.equal(options.headers?.['Authorization'], 'Bearer exec-token-Zq81', 'the plugin ran with its args and env; its token authenticates the request');
  const text = formatFleetText([{ name: spoke.name, server: spoke.server, status: 'unreachable', reason: 'Error ECONNREFUSED' }]);
  t.notOk(text.includes('exec-token'), 'the token never reaches the report');
});

t.test('the HTML page escapes what objects and Secrets control', async (t) => {
  const html = formatFleetHtml([
    {
      name: '<img src=x onerror=alert(1)>',
      server: 'https://x/"><script>',
      status: 'ok',
      resources: 1,
      counts: { deny: 1, warn: 0, audit: 0, error: 0 },
      byRule: { 'no-plaintext-secret': 1 },
      worst: [{ ruleId: 'no-plaintext-secret', action: 'deny', resource: { apiVersion: 'v1', kind: 'Secret', namespace: 'a', name: '</td><script>x</script>' }, field: '/data/k', message: "it's <b>" }],
    },
  ]);
  t.notMatch(html, /<script|<img|<b>/);
  t.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  t.match(html, /it&#39;s &lt;b&gt;/);
  t.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
});
