// The e2e tier (issue 10): secretguard registered as the admission webhook of a real kube-apiserver and driven
// by the real kubectl, kubeseal, helm and Reloader. One API server and one secretguard serve every scenario;
// each scenario has its own namespaces. Run one alone: npx tap dist/test/e2e/webhook.test.js --grep='scenario 3'
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { CLUSTER_PEERS, Cluster, Proc, type ClusterUser, type KubectlResult } from './cluster.js';
import { missingPeers, missingPeersMessage, peerPath, peersRequired, repoRoot, UNAVAILABLE_PEERS, warnSkipped, type PeerName } from './peers.js';
import {
  caBundleOf,
  installCrds,
  installServingPair,
  makeCertificates,
  manifest,
  run,
  SecretGuard,
  sleep,
  waitUntil,
  webhookConfigurations,
  type Certificates,
} from './secretguard.js';

type Json = Record<string, unknown>;

const ARGOCD_MANAGER = 'argocd-controller';
const ESO_USER = 'system:serviceaccount:external-secrets:external-secrets';
const DENIED = /admission webhook "validate\.secretguard\.io" denied the request/;

const canary = (label: string): string => `${label}-canary-${randomBytes(12).toString('hex')}`;

/** Whether `text` contains one of the canaries, plain or base64 (assertions then print neither). */
function leaks(text: string, values: readonly string[]): boolean {
  return values.some((v) => text.includes(v) || text.includes(Buffer.from(v).toString('base64')));
}

/**
 * A missing peer: a failure under CI=true, otherwise a loud skip. Returns the skip reason, or false when present.
 */
function needPeers(names: readonly PeerName[]): string | false {
  const missing = missingPeersMessage(names);
  if (missing === undefined) return false;
  const unavailable = missingPeers(names).flatMap((name) => UNAVAILABLE_PEERS[name] ?? []);
  if (unavailable.length > 0) {
    warnSkipped(unavailable.join('; '));
    return unavailable.join('; ');
  }
  if (peersRequired()) {
    t.fail(`CI=true and ${missing}`);
    return false;
  }
  warnSkipped(missing);
  return missing;
}

const baseMissing = missingPeersMessage(CLUSTER_PEERS);
if (baseMissing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${baseMissing}`);
} else if (baseMissing !== undefined) {
  warnSkipped(baseMissing);
  t.test('e2e webhook scenarios', { skip: baseMissing }, () => undefined);
} else {
  await main();
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const cluster = await Cluster.start();
  const running: { guard?: SecretGuard } = {};
  t.teardown(async () => {
    await running.guard?.stop();
    await cluster.stop();
  });
  const work = path.join(cluster.dir, 'secretguard');
  await mkdir(work, { recursive: true });

  const kubectl = (user: ClusterUser, args: readonly string[], stdin?: string): Promise<KubectlResult> => cluster.kubectl(user, args, stdin);
  const mustKubectl = async (user: ClusterUser, args: readonly string[], stdin?: string): Promise<KubectlResult> => {
    const r = await kubectl(user, args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  const createNamespace = async (name: string, labels: Record<string, string> = {}): Promise<void> => {
    await mustKubectl('admin', ['apply', '-f', '-'], manifest({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }));
  };
  const getJson = async (args: readonly string[]): Promise<Json | undefined> => {
    const r = await kubectl('admin', ['get', ...args, '-o', 'json']);
    return r.code === 0 ? (JSON.parse(r.stdout) as Json) : undefined;
  };
  /** Server-side apply as Argo CD's application controller does it. */
  const argocdApply = (object: Json, extra: readonly string[] = []): Promise<KubectlResult> =>
    kubectl('argocd', ['apply', '--server-side', `--field-manager=${ARGOCD_MANAGER}`, '--force-conflicts', ...extra, '-f', '-'], manifest(object));
  const asEso = (args: readonly string[], stdin?: string): Promise<KubectlResult> =>
    kubectl('admin', [`--as=${ESO_USER}`, '--as-group=system:serviceaccounts', '--as-group=system:serviceaccounts:external-secrets', ...args], stdin);

  await installCrds(cluster);
  // Argo CD's controller is cluster-admin in a default install.
  await mustKubectl('admin', ['create', 'clusterrolebinding', 'e2e-argocd', '--clusterrole=cluster-admin', '--serviceaccount=argocd:argocd-application-controller']);
  // ESO's controller writes the Secrets of ExternalSecrets (impersonated by admin in scenario 4).
  await mustKubectl('admin', ['create', 'clusterrolebinding', 'e2e-eso', '--clusterrole=cluster-admin', '--serviceaccount=external-secrets:external-secrets']);

  // Two CAs from `secretguard cert`: the first serves, the second is the rotation target (scenario 7). The caBundle
  // trusts both, as during a real rotation.
  const certsA = await makeCertificates(path.join(work, 'certs-a'));
  const certsB = await makeCertificates(path.join(work, 'certs-b'));
  const tlsCert = path.join(work, 'serving', 'tls.crt');
  const tlsKey = path.join(work, 'serving', 'tls.key');
  await installServingPair(certsA, tlsCert, tlsKey);
  const guard = await SecretGuard.start({ dir: work, kubeconfig: cluster.kubeconfigPath('admin'), tlsCert, tlsKey });
  running.guard = guard;
  const configurations = webhookConfigurations(guard.baseUrl, caBundleOf(certsA, certsB), 'secretguard-e2e');
  await mustKubectl('admin', ['apply', '-f', '-'], manifest(...configurations));

  // The API server picks up new webhook configurations asynchronously: wait until a plaintext Secret from Argo CD is denied.
  await createNamespace('e2e-probe');
  const probe = (): Json => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'probe', namespace: 'e2e-probe', annotations: { 'argocd.argoproj.io/tracking-id': 'probe:/Secret:e2e-probe/probe' } },
    stringData: { password: canary('probe') },
  });
  const live = await waitUntil(async () => DENIED.test((await argocdApply(probe(), ['--dry-run=server'])).stderr), 30000);
  if (!live) throw new Error(`the webhook never answered; secretguard log tail:\n${guard.logTail()}`);
  t.comment(`setup: API server ${cluster.apiserverStartMs}ms, secretguard ${guard.startMs}ms, total ${Date.now() - t0}ms until the webhook answered`);

  const allCanaries: string[] = [];
  const newCanary = (label: string): string => {
    const value = canary(label);
    allCanaries.push(value);
    return value;
  };

  t.test('scenario 1: plaintext Secret from Argo CD is denied, also as a server-side dry run', async (t) => {
    const ns = 's1-apps';
    await createNamespace(ns);
    const password = newCanary('s1');
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'db-credentials', namespace: ns, annotations: { 'argocd.argoproj.io/tracking-id': `shop:/Secret:${ns}/db-credentials` } },
      stringData: { password },
    };
    for (const [label, extra] of [
      ['apply', []],
      ['apply --dry-run=server', ['--dry-run=server']],
    ] as const) {
      const r = await argocdApply(secret, extra);
      t.not(r.code, 0, `${label}: kubectl fails`);
      t.match(r.stderr, DENIED, `${label}: denied by validate.secretguard.io`);
      t.match(r.stderr, /\[no-plaintext-secret\]/, `${label}: the message names the rule`);
      t.notOk(leaks(r.stderr + r.stdout, [password]), `${label}: kubectl output contains no secret value`);
    }
    const got = await kubectl('admin', ['get', 'secret', 'db-credentials', '-n', ns]);
    t.match(got.stderr, /NotFound/, 'nothing was stored');
  });

  t.test('scenario 2: a SealedSecret from real kubeseal is admitted, a corrupted one denied', { skip: needPeers(['kubeseal']) }, async (t) => {
    const ns = 's2-apps';
    await createNamespace(ns);
    const password = newCanary('s2');
    const sealingCert = await makeCertificates(path.join(work, 'sealing'));
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, type: 'Opaque', stringData: { password } });
    const kubeseal = peerPath('kubeseal') ?? 'kubeseal';
    const sealed = await run(kubeseal, ['--cert', sealingCert.caFile, '--scope', 'strict', '--format', 'json'], {
      stdin: input,
      env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath('admin') },
    });
    t.equal(sealed.code, 0, 'kubeseal seals the Secret', { stderr: sealed.stderr });
    t.notOk(leaks(sealed.stdout, [password]), 'kubeseal output contains no secret value');
    const sealedSecret = JSON.parse(sealed.stdout) as Json & { metadata: Json; spec: { encryptedData: Record<string, string> } };
    sealedSecret.metadata.annotations = { 'argocd.argoproj.io/tracking-id': `shop:bitnami.com/SealedSecret:${ns}/db` };

    const ok = await argocdApply(sealedSecret);
    t.equal(ok.code, 0, 'the sealed manifest is admitted', { stderr: ok.stderr });
    t.match(ok.stdout, /sealedsecret\.bitnami\.com\/db serverside-applied/, 'kubectl reports it applied');

    // Corrupted: the ciphertext cut short (a bad copy-paste), still valid base64.
    const good = sealedSecret.spec.encryptedData.password ?? '';
    const cut = Buffer.from(good, 'base64').subarray(0, 200).toString('base64');
    const corrupted = { ...sealedSecret, spec: { ...sealedSecret.spec, encryptedData: { password: cut } } };
    const bad = await argocdApply(corrupted);
    t.not(bad.code, 0, 'the corrupted manifest is refused');
    t.match(bad.stderr, DENIED, 'denied by validate.secretguard.io');
    t.match(bad.stderr, /\[sealedsecret-ciphertext\]/, 'the message names the rule');
    t.notOk(bad.stderr.includes(cut), 'the message does not repeat the ciphertext');
    const stored = await getJson(['sealedsecret', 'db', '-n', ns]);
    t.equal((stored?.spec as { encryptedData?: Json } | undefined)?.encryptedData?.password, good, 'the stored SealedSecret keeps the good ciphertext');
  });

  t.test('scenario 3: ClusterSecretStore conditions follow the live namespace labels', async (t) => {
    const label = 'e2e.secretguard.io/vault';
    const nsA = 's3-team-a';
    const nsB = 's3-team-b';
    await createNamespace(nsA, { [label]: 'team-a' });
    await createNamespace(nsB);
    const store = 's3-team-a-vault';
    await mustKubectl(
      'admin',
      ['apply', '-f', '-'],
      manifest({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: store },
        spec: {
          provider: { vault: { server: 'https://vault.example:8200', path: 'secret', version: 'v2', auth: { kubernetes: { mountPath: 'kubernetes', role: 'team-a' } } } },
          conditions: [{ namespaceSelector: { matchLabels: { [label]: 'team-a' } } }],
        },
      }),
    );
    const externalSecret = (namespace: string, apiVersion = 'external-secrets.io/v1'): Json => ({
      apiVersion,
      kind: 'ExternalSecret',
      metadata: { name: 'db', namespace, annotations: { 'argocd.argoproj.io/tracking-id': `shop:external-secrets.io/ExternalSecret:${namespace}/db` } },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: store },
        target: { name: 'db' },
        data: [{ secretKey: 'password', remoteRef: { key: 'team-a/db', property: 'password' } }],
      },
    });
    // The store reaches secretguard through its informer: wait until it is in the view.
    const inView = await waitUntil(async () => DENIED.test((await argocdApply(externalSecret(nsB), ['--dry-run=server'])).stderr), 15000);
    t.ok(inView, 'the ClusterSecretStore reached the cluster view');

    const a = await argocdApply(externalSecret(nsA));
    t.equal(a.code, 0, `ExternalSecret in ${nsA} is admitted`, { stderr: a.stderr });
    const b = await argocdApply(externalSecret(nsB));
    t.not(b.code, 0, `ExternalSecret in ${nsB} is refused`);
    t.match(b.stderr, /\[externalsecret-store-access\]/, 'the message names the rule');
    t.match(b.stderr, new RegExp(store), 'the message names the store');
    const beta = await argocdApply(externalSecret(nsB, 'external-secrets.io/v1beta1'));
    t.not(beta.code, 0, `a v1beta1 ExternalSecret in ${nsB} is refused too`);
    t.match(beta.stderr, /\[externalsecret-store-access\]/, 'v1beta1: the message names the rule');

    await mustKubectl('admin', ['label', 'namespace', nsB, `${label}=team-a`]);
    const relabelled = Date.now();
    const flipped = await waitUntil(async () => (await argocdApply(externalSecret(nsB))).code === 0, 10000, 200);
    const flipMs = Date.now() - relabelled;
    t.ok(flipped, `after relabelling ${nsB}, its ExternalSecret is admitted within 10 s`);
    t.comment(`decision flipped ${flipMs}ms after the relabel`);
    const stored = await getJson(['externalsecret', 'db', '-n', nsB]);
    t.ok(stored, `the ExternalSecret in ${nsB} is stored`);
  });

  t.test('scenario 4: the Reloader annotation is added to Deployments consuming ESO-managed Secrets', async (t) => {
    const ns = 's4-app';
    await createNamespace(ns);
    await mustKubectl(
      'admin',
      ['apply', '-f', '-'],
      manifest(
        { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'fake', namespace: ns }, spec: { provider: { fake: { data: [] } } } },
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: 'app-db', namespace: ns },
          spec: {
            refreshInterval: '1h',
            secretStoreRef: { kind: 'SecretStore', name: 'fake' },
            target: { name: 'app-db', creationPolicy: 'Owner' },
            data: [{ secretKey: 'password', remoteRef: { key: `${ns}/db`, property: 'password' } }],
          },
        },
      ),
    );
    const deployment = (name: string): Json => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'app', image: 'registry.example/web:1.0', envFrom: [{ secretRef: { name: 'app-db' } }] }] },
        },
      },
    });
    const reloadOf = (object: Json | undefined): string | undefined =>
      ((object?.metadata as Json | undefined)?.annotations as Record<string, string> | undefined)?.['secret.reloader.stakater.com/reload'];

    // The ExternalSecret reaches secretguard through its informer; a server-side dry run shows the mutated object.
    const mutated = await waitUntil(async () => {
      const r = await kubectl('admin', ['apply', '--dry-run=server', '-o', 'json', '-f', '-'], manifest(deployment('web')));
      return r.code === 0 && reloadOf(JSON.parse(r.stdout) as Json) === 'app-db';
    }, 15000);
    t.ok(mutated, 'the ExternalSecret reached the cluster view');

    const first = await kubectl('admin', ['apply', '-f', '-'], manifest(deployment('web')));
    t.equal(first.code, 0, 'kubectl apply creates the Deployment', { stderr: first.stderr });
    const created = await getJson(['deployment', 'web', '-n', ns]);
    t.equal(reloadOf(created), 'app-db', 'the Deployment comes back with secret.reloader.stakater.com/reload: app-db');
    const again = await kubectl('admin', ['apply', '-f', '-'], manifest(deployment('web')));
    t.equal(again.code, 0, 'applying again succeeds', { stderr: again.stderr });
    t.match(again.stdout, /deployment\.apps\/web unchanged/, 'kubectl apply reports no change');
    const after = await getJson(['deployment', 'web', '-n', ns]);
    t.equal((after?.metadata as Json).resourceVersion, (created?.metadata as Json).resourceVersion, 'resourceVersion unchanged');

    // Server-side apply, as Argo CD syncs.
    const ssa1 = await argocdApply(deployment('web-ssa'));
    t.equal(ssa1.code, 0, 'Argo CD (server-side apply) creates a Deployment', { stderr: ssa1.stderr });
    const ssaCreated = await getJson(['deployment', 'web-ssa', '-n', ns]);
    t.equal(reloadOf(ssaCreated), 'app-db', 'server-side applied Deployment carries the annotation');
    const ssa2 = await argocdApply(deployment('web-ssa'));
    t.equal(ssa2.code, 0, 'Argo CD applies it again', { stderr: ssa2.stderr });
    const ssaAfter = await getJson(['deployment', 'web-ssa', '-n', ns]);
    t.equal(reloadOf(ssaAfter), 'app-db', 'the annotation survives the re-apply');
    t.equal((ssaAfter?.metadata as Json).resourceVersion, (ssaCreated?.metadata as Json).resourceVersion, 'server-side re-apply: resourceVersion unchanged');

    await t.test('real Reloader restarts the Deployment when the Secret changes', { skip: needPeers(['reloader']) }, async (t) => {
      const es = await getJson(['externalsecret', 'app-db', '-n', ns]);
      const uid = (es?.metadata as Json | undefined)?.uid as string;
      const secret = (value: string): Json => ({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: 'app-db',
          namespace: ns,
          labels: { 'reconcile.external-secrets.io/managed': 'true' },
          ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'app-db', uid, controller: true, blockOwnerDeletion: true }],
        },
        data: { password: Buffer.from(value).toString('base64') },
      });
      const created = await asEso(['create', '-f', '-'], manifest(secret(newCanary('s4'))));
      t.equal(created.code, 0, 'ESO (impersonated) creates the Secret', { stderr: created.stderr });

      const logFile = path.join(work, 'reloader.log');
      const reloader = new Proc(peerPath('reloader') ?? 'reloader', ['--log-format=json', '--namespaces-to-ignore=kube-system'], logFile, {
        ...process.env,
        KUBECONFIG: cluster.kubeconfigPath('admin'),
      });
      t.teardown(() => reloader.stop(5000));
      const templateOf = async (): Promise<string> => JSON.stringify(((await getJson(['deployment', 'web', '-n', ns]))?.spec as Json | undefined)?.template ?? {});
      const before = await templateOf();
      // Reloader ignores Secrets it sees as new, so change the data until its informers have synced and it reacts.
      const reloaded = await waitUntil(async () => {
        if (!reloader.running) return true;
        const update = await asEso(['replace', '-f', '-'], manifest(secret(newCanary('s4'))));
        if (update.code !== 0) t.comment(`Secret update failed: ${update.stderr}`);
        await sleep(2000);
        return (await templateOf()) !== before;
      }, 60000, 0);
      t.ok(reloader.running, 'Reloader is running', { log: reloader.running ? '' : (await readFile(logFile, 'utf8')).slice(-2000) });
      const template = await templateOf();
      t.ok(reloaded && template !== before, "Reloader updated the Deployment's pod template");
      t.match(template, /STAKATER_APP_DB_SECRET/, 'env-vars strategy: STAKATER_APP_DB_SECRET added to the container');
      const final = await getJson(['deployment', 'web', '-n', ns]);
      t.equal(reloadOf(final), 'app-db', 'the annotation is still there after Reloader\'s update');
      t.notOk(leaks(await readFile(logFile, 'utf8'), allCanaries), 'Reloader log contains no secret value');
    });
  });

  t.test('scenario 6: the Helm chart renders manifests the API server accepts; helm lint passes', { skip: needPeers(['helm']) }, async (t) => {
    const helm = peerPath('helm') ?? 'helm';
    const helmHome = path.join(work, 'helm');
    const env = { ...process.env, HELM_CACHE_HOME: path.join(helmHome, 'cache'), HELM_CONFIG_HOME: path.join(helmHome, 'config'), HELM_DATA_HOME: path.join(helmHome, 'data') };
    const chart = path.join(repoRoot, 'charts', 'secretguard');
    const spoke = path.join(repoRoot, 'test', 'e2e', 'fixtures', 'spoke-values.yaml');
    await createNamespace('secretguard');
    for (const [label, values] of [
      ['default values', []],
      ['spoke values', ['-f', spoke]],
    ] as const) {
      const rendered = await run(helm, ['template', 'secretguard', chart, '--namespace', 'secretguard', ...values], { env });
      t.equal(rendered.code, 0, `${label}: helm template succeeds`, { stderr: rendered.stderr });
      const kinds = [...rendered.stdout.matchAll(/^kind: (\S+)/gm)].map((m) => m[1]);
      t.ok(kinds.includes('ValidatingWebhookConfiguration') && kinds.includes('Deployment'), `${label}: renders the webhook and its Deployment`, { kinds });
      const dry = await kubectl('admin', ['apply', '--server-side', '--dry-run=server', '--field-manager=helm', '-f', '-'], rendered.stdout);
      t.equal(dry.code, 0, `${label}: the API server accepts every object (server-side dry run)`, { stderr: dry.stderr });
      const lint = await run(helm, ['lint', chart, ...values], { env });
      t.equal(lint.code, 0, `${label}: helm lint passes`, { stdout: lint.stdout, stderr: lint.stderr });
    }
  });

  t.test('scenario 7: certificate rotation while kubectl applies in a loop: no failed request', async (t) => {
    const ns = 's7-apps';
    await createNamespace(ns);
    const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
    const served = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: guard.port, rejectUnauthorized: false, servername: 'localhost' }, () => {
          const fp = socket.getPeerCertificate().fingerprint256;
          socket.end();
          resolve(fp);
        });
        socket.on('error', reject);
      });
    const pairs: Certificates[] = [certsB, certsA, certsB, certsA];
    let stop = false;
    let requests = 0;
    const failures: string[] = [];
    const loop = async (worker: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `loop-${worker}`, namespace: ns }, data: { iteration: String(i) } };
        const r = await kubectl('admin', ['apply', '-f', '-'], manifest(cm));
        requests++;
        if (r.code !== 0) failures.push(r.stderr.trim());
      }
    };
    const loops = [loop(0), loop(1)];
    let rotations = 0;
    for (const pair of pairs) {
      await sleep(1500);
      await installServingPair(pair, tlsCert, tlsKey);
      const want = fingerprint(await readFile(pair.certFile, 'utf8'));
      if (await waitUntil(async () => (await served()) === want, 10000, 100)) rotations++;
    }
    await sleep(1500);
    stop = true;
    await Promise.all(loops);
    t.equal(rotations, pairs.length, `secretguard served each of the ${pairs.length} new certificates`);
    t.ok(requests >= 10, `kubectl applied ${requests} times during the rotations`);
    t.same(failures, [], 'no request failed');
    const configs = await getJson(['configmap', '-n', ns]);
    t.equal(((configs?.items as unknown[] | undefined) ?? []).length, 2, 'both ConfigMaps exist');
  });

  t.test('scenario 8: a sealing key from a file reaches secretguard in kube-system, through its own webhook', async (t) => {
    const KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';
    const key = (namespace: string, name: string, labels: Record<string, string>): Json => ({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name, namespace, labels },
      data: { 'tls.crt': Buffer.from(newCanary('s8-crt')).toString('base64'), 'tls.key': Buffer.from(newCanary('s8-key')).toString('base64') },
    });
    const KEYS_DENIED = /admission webhook "validate-sealing-keys\.secretguard\.io" denied the request: .*\[no-sealing-key-in-git\] Secret sealed-secrets-key\w+ is a Sealed Secrets sealing key/;
    for (const [label, args, value] of [
      ['kubectl apply (client-side, a restored backup)', ['apply', '-f', '-'], 'active'],
      ['kubectl apply --server-side', ['apply', '--server-side', '-f', '-'], 'active'],
      ['kubectl apply of a key marked compromised', ['apply', '-f', '-'], 'compromised'],
    ] as const) {
      const name = `sealed-secrets-key${value.slice(0, 3)}${args.length}`;
      const r = await kubectl('admin', args, manifest(key('kube-system', name, { [KEY_LABEL]: value })));
      t.not(r.code, 0, `${label}: kubectl fails`);
      t.match(r.stderr, KEYS_DENIED, `${label}: denied by validate-sealing-keys.secretguard.io`);
      t.notMatch(r.stderr, DENIED, `${label}: validate.secretguard.io is not called for kube-system`);
      t.notOk(leaks(r.stderr + r.stdout, allCanaries), `${label}: no key material in kubectl output`);
      t.match((await kubectl('admin', ['get', 'secret', name, '-n', 'kube-system'])).stderr, /NotFound/, `${label}: nothing stored`);
    }
    // What the controller does: a plain create with no file signal is admitted.
    const created = await kubectl('admin', ['create', '-f', '-'], manifest(key('kube-system', 'sealed-secrets-keyctl01', { [KEY_LABEL]: 'active' })));
    t.equal(created.code, 0, 'a key created without a file signal is admitted', { stderr: created.stderr });
    // Everything else in kube-system stays unsent: a plaintext Secret from a file is admitted there.
    const plain = await kubectl('admin', ['apply', '-f', '-'], manifest({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's8-plain', namespace: 'kube-system' }, stringData: { password: newCanary('s8-plain') } }));
    t.equal(plain.code, 0, 'an unlabelled Secret in kube-system never reaches secretguard', { stderr: plain.stderr });
    // Elsewhere the main webhook judges the key, once.
    await createNamespace('s8-apps');
    const elsewhere = await kubectl('admin', ['apply', '-f', '-'], manifest(key('s8-apps', 'sealed-secrets-keyapp01', { [KEY_LABEL]: 'active' })));
    t.match(elsewhere.stderr, DENIED, 'in another namespace validate.secretguard.io denies it');
    t.notMatch(elsewhere.stderr, /validate-sealing-keys/, 'and the sealing-key webhook is not called there');
    t.equal((elsewhere.stderr.match(/\[no-sealing-key-in-git\]/g) ?? []).length, 1, 'the finding is reported once');
  });

  t.test('scenario 9: kubectl debug with a literal credential in --env is refused (pods/ephemeralcontainers)', async (t) => {
    const ns = 's9-apps';
    await createNamespace(ns);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: ns }, spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0' }] } };
    await mustKubectl('admin', ['create', '-f', '-'], manifest(pod));
    const token = `ghp_${randomBytes(18).toString('hex').slice(0, 36)}`;
    allCanaries.push(token);
    const debug = (name: string, env: string): Promise<KubectlResult> =>
      kubectl('admin', ['debug', 'web', '-n', ns, '--image=registry.example/busybox:1.37', `--container=${name}`, '--target=web', '--attach=false', `--env=${env}`]);
    const refused = await debug('debugger-a', `GITHUB_TOKEN=${token}`);
    t.not(refused.code, 0, 'kubectl debug fails');
    t.match(refused.stderr, /admission webhook "validate-workloads\.secretguard\.io" denied the request: \[no-credential-in-env\] Pod web container `debugger-a` env `GITHUB_TOKEN` holds a literal GitHub token/, 'denied by validate-workloads.secretguard.io');
    t.notOk(leaks(refused.stderr + refused.stdout, [token]), 'the token is not in kubectl output');
    const stored = await getJson(['pod', 'web', '-n', ns]);
    t.same((stored?.spec as Json | undefined)?.ephemeralContainers, undefined, 'no ephemeral container was added');
    const clean = await debug('debugger-b', 'TERM=xterm');
    t.equal(clean.code, 0, 'kubectl debug with ordinary env is admitted', { stderr: clean.stderr });
    const added = ((await getJson(['pod', 'web', '-n', ns]))?.spec as Json | undefined)?.ephemeralContainers as Json[] | undefined;
    t.same(added?.map((c) => c.name), ['debugger-b'], 'the clean debug container was added');
    // A status write on the same Pod is still skipped: it cannot add env.
    const status = await kubectl('admin', ['patch', 'pod', 'web', '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"message":"s9"}}']);
    t.equal(status.code, 0, 'a status patch is admitted', { stderr: status.stderr });
  });

  // Last: stops secretguard.
  t.test('scenario 5: secretguard stopped: Secrets fail closed, kube-system unaffected; restart recovers', async (t) => {
    const ns = 's5-apps';
    await createNamespace(ns);
    const deployment = (namespace: string, name: string): string =>
      manifest({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
        spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] } } },
      });
    const createSecret = (namespace: string, name: string): Promise<KubectlResult> =>
      kubectl('admin', ['create', 'secret', 'generic', name, '-n', namespace, `--from-literal=token=${newCanary('s5')}`]);

    await guard.stop();
    t.notOk(guard.running, 'secretguard stopped');

    const secret = await createSecret(ns, 'while-down');
    t.not(secret.code, 0, 'a Secret in a guarded namespace is rejected (failurePolicy Fail)');
    t.match(secret.stderr, /failed calling webhook "validate\.secretguard\.io"/, 'kubectl names the webhook that could not be called');
    t.notOk(leaks(secret.stderr, allCanaries), 'kubectl error contains no secret value');

    const dep = await kubectl('admin', ['apply', '-f', '-'], deployment(ns, 'while-down'));
    t.equal(dep.code, 0, 'a Deployment in a guarded namespace is admitted (validate-workloads.secretguard.io, failurePolicy Ignore)', { stderr: dep.stderr });
    const stored = await getJson(['deployment', 'while-down', '-n', ns]);
    t.equal((stored?.metadata as Json | undefined)?.name, 'while-down', 'and stored');

    const system = await createSecret('kube-system', 'while-down');
    t.equal(system.code, 0, 'a Secret in kube-system is admitted', { stderr: system.stderr });
    const systemDep = await kubectl('admin', ['apply', '-f', '-'], deployment('kube-system', 'while-down'));
    t.equal(systemDep.code, 0, 'a Deployment in kube-system is admitted', { stderr: systemDep.stderr });

    await guard.start();
    t.comment(`secretguard ready ${guard.startMs}ms after restart`);
    const after = await createSecret(ns, 'after-restart');
    t.equal(after.code, 0, 'after the restart, a Secret from kubectl create is admitted at the first try', { stderr: after.stderr });
    const denied = await argocdApply(probe(), ['--dry-run=server']);
    t.match(denied.stderr, /\[no-plaintext-secret\]/, 'and a plaintext Secret from Argo CD is denied again');
    const depAfter = await kubectl('admin', ['apply', '-f', '-'], deployment(ns, 'after-restart'));
    t.equal(depAfter.code, 0, 'a Deployment is admitted after the restart', { stderr: depAfter.stderr });
    // The workload webhook is registered and answered once secretguard is back: it still denies.
    const token = newCanary('s5');
    const withToken = JSON.parse(deployment(ns, 'with-token')) as { spec: { template: { spec: { containers: Json[] } } } };
    for (const container of withToken.spec.template.spec.containers) container.env = [{ name: 'API_TOKEN', value: token }];
    const tokenDep = await kubectl('admin', ['apply', '--dry-run=server', '-f', '-'], manifest(withToken));
    t.not(tokenDep.code, 0, 'a Deployment with a literal token in env is refused after the restart');
    t.match(tokenDep.stderr, /admission webhook "validate-workloads\.secretguard\.io" denied the request: \[no-credential-in-env\]/, 'denied by validate-workloads.secretguard.io');
    t.notOk(leaks(tokenDep.stderr, [token]), 'kubectl error contains no secret value');
  });

  t.test('secretguard never logged a secret value', async (t) => {
    t.ok(allCanaries.length > 0, 'canaries were planted');
    t.notOk(leaks(guard.log(), allCanaries), 'secretguard log contains no secret value');
  });
}
