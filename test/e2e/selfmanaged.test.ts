// selfManaged certificate mode (chart default) against a real kube-apiserver: `secretguard serve
// --cert-mode self-managed` creates its CA and serving certificate in a Secret, patches the caBundle of the
// shipped webhook configurations (which call the Service secretguard/secretguard, as in the chart), and the API
// server's admission calls then succeed.
//
// Without kube-proxy a Service is not routable, so the API server runs with --enable-aggregator-routing: it then
// calls the Service's EndpointSlice address directly (verifying the certificate for secretguard.secretguard.svc).
// Endpoint addresses may not be loopback, so secretguard listens on this machine's first non-loopback IPv4.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { CLUSTER_PEERS, Cluster, freePort } from './cluster.js';
import { missingPeersMessage, peersRequired, warnSkipped } from './peers.js';
import { installCrds, manifest, SecretGuard, secretguardCli, shippedWebhookConfigurations, waitUntil } from './secretguard.js';

type Json = Record<string, unknown>;

const NAMESPACE = 'secretguard';
const SERVICE = 'secretguard';
const SECRET = 'secretguard-tls';
const CONFIGURATION = 'secretguard';

/** First non-internal IPv4 address that may be an endpoint (not loopback or link-local). */
function endpointAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
    }
  }
  return undefined;
}

async function skipReason(): Promise<string | undefined> {
  const missing = missingPeersMessage(CLUSTER_PEERS);
  if (missing !== undefined) return missing;
  const help = await secretguardCli(['serve', '--help']);
  if (!help.stdout.includes('--cert-mode')) return 'secretguard serve has no --cert-mode yet (self-managed certificates not wired into serve)';
  if (endpointAddress() === undefined) return 'no non-loopback IPv4 address on this machine for the Service endpoint';
  return undefined;
}

const reason = await skipReason();
if (reason !== undefined && peersRequired() && missingPeersMessage(CLUSTER_PEERS) !== undefined) {
  t.fail(`CI=true and ${reason}`);
} else if (reason !== undefined) {
  warnSkipped(reason);
  t.test('selfManaged certificates', { skip: reason }, () => undefined);
} else {
  t.test('selfManaged certificates: Secret created, caBundle patched, admission works', async (t) => {
    const cluster = await Cluster.start({ apiserverFlags: ['--enable-aggregator-routing=true'] });
    const running: { guard?: SecretGuard } = {};
    t.teardown(async () => {
      await running.guard?.stop();
      await cluster.stop();
    });
    const work = path.join(cluster.dir, 'secretguard');
    await mkdir(work, { recursive: true });
    const kubectl = (args: readonly string[], stdin?: string) => cluster.kubectl('admin', args, stdin);
    const must = async (args: readonly string[], stdin?: string): Promise<string> => {
      const r = await kubectl(args, stdin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    const getJson = async (args: readonly string[]): Promise<Json | undefined> => {
      const r = await kubectl(['get', ...args, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as Json) : undefined;
    };
    const caBundles = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration']) {
        const object = await getJson([kind, CONFIGURATION]);
        for (const w of (object?.webhooks as { clientConfig: { caBundle?: string } }[] | undefined) ?? []) out.push(w.clientConfig.caBundle ?? '');
      }
      return out;
    };

    await installCrds(cluster);
    await must(['create', 'clusterrolebinding', 'e2e-argocd', '--clusterrole=cluster-admin', '--serviceaccount=argocd:argocd-application-controller']);

    const address = endpointAddress() ?? '';
    const port = await freePort();
    await must(
      ['apply', '-f', '-'],
      manifest(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sm-apps' } },
        // As the chart's Service, without a selector: no pods here, the EndpointSlice below is written by hand.
        { apiVersion: 'v1', kind: 'Service', metadata: { name: SERVICE, namespace: NAMESPACE }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${SERVICE}-e2e`, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': SERVICE } },
          addressType: 'IPv4',
          ports: [{ name: 'https', port, protocol: 'TCP' }],
          endpoints: [{ addresses: [address], conditions: { ready: true } }],
        },
        ...shippedWebhookConfigurations(),
      ),
    );
    // validate.secretguard.io, validate-workloads.secretguard.io, validate-sealing-keys.secretguard.io, mutate.secretguard.io
    t.same(await caBundles(), ['', '', '', ''], 'the shipped webhook configurations start without a caBundle');

    const certDir = path.join(work, 'certs');
    const guard = await SecretGuard.start({
      dir: work,
      host: address,
      port,
      kubeconfig: cluster.kubeconfigPath('admin'),
      tlsCert: path.join(certDir, 'tls.crt'),
      tlsKey: path.join(certDir, 'tls.key'),
      extraArgs: [
        '--cert-mode',
        'self-managed',
        '--cert-namespace',
        NAMESPACE,
        '--cert-secret',
        SECRET,
        '--cert-service',
        SERVICE,
        '--cert-webhook-configuration',
        CONFIGURATION,
        '--cert-check-interval',
        '2',
      ],
    });
    running.guard = guard;
    t.comment(`secretguard (self-managed) ready in ${guard.startMs}ms on ${address}:${guard.port}`);

    const secret = await getJson(['secret', SECRET, '-n', NAMESPACE]);
    t.ok(secret, `Secret ${NAMESPACE}/${SECRET} was created`);
    t.equal(secret?.type, 'kubernetes.io/tls', 'of type kubernetes.io/tls');
    const data = (secret?.data ?? {}) as Record<string, string>;
    t.same(Object.keys(data).sort(), ['ca.crt', 'tls.crt', 'tls.key'], 'holding ca.crt, tls.crt and tls.key');
    const served = await readFile(path.join(certDir, 'tls.crt'), 'utf8');
    t.equal(Buffer.from(data['tls.crt'] ?? '', 'base64').toString(), served, 'the serving certificate file is the one in the Secret');
    const leaf = new X509Certificate(served);
    t.match(leaf.subjectAltName ?? '', /DNS:secretguard\.secretguard\.svc/, 'the certificate covers secretguard.secretguard.svc');
    const bundles = await caBundles();
    t.same(bundles, [data['ca.crt'], data['ca.crt'], data['ca.crt'], data['ca.crt']], 'every webhook of both configurations carries the Secret\'s ca.crt as caBundle');

    // The API server calls the Service (through its EndpointSlice) and trusts the patched caBundle.
    const plaintext = manifest({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'sm-apps', annotations: { 'argocd.argoproj.io/tracking-id': 'shop:/Secret:sm-apps/db' } },
      stringData: { password: 'sm-canary-value-7d1c' },
    });
    const applyAsArgo = () => cluster.kubectl('argocd', ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], plaintext);
    const denied = await waitUntil(async () => /\[no-plaintext-secret\]/.test((await applyAsArgo()).stderr), 20000);
    t.ok(denied, 'a plaintext Secret from Argo CD is denied through the Service: admission calls succeed');
    const ok = await kubectl(['create', 'secret', 'generic', 'app', '-n', 'sm-apps', '--from-literal=token=sm-canary-value-7d1c']);
    t.equal(ok.code, 0, 'a Secret from kubectl create is admitted', { stderr: ok.stderr });

    // A restart adopts what the Secret holds: same certificate, no new patch.
    const before = (secret?.metadata as Json).resourceVersion;
    await guard.stop();
    await guard.start();
    const after = await getJson(['secret', SECRET, '-n', NAMESPACE]);
    t.equal((after?.metadata as Json).resourceVersion, before, 'after a restart the Secret is unchanged');
    t.same(await caBundles(), bundles, 'and so are the caBundles');
    const again = await applyAsArgo();
    t.match(again.stderr, /\[no-plaintext-secret\]/, 'admission works after the restart');
    t.notOk(guard.log().includes('sm-canary-value-7d1c'), 'secretguard never logged the secret value');
  });
}
