// `secretguard audit` against a real kube-apiserver (issue 20). Objects are made the way each producer makes
// them, with the real kubectl and kubeseal: the report must find exactly the planted problems and no value.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { CLUSTER_PEERS, Cluster, type ClusterUser, type KubectlResult } from './cluster.js';
import { missingPeersMessage, peerPath, peersRequired, warnSkipped } from './peers.js';
import { installCrds, makeCertificates, manifest, run, secretguardCli } from './secretguard.js';

const ESO_USER = 'system:serviceaccount:external-secrets:external-secrets';
const SEALED_SECRETS_USER = 'system:serviceaccount:kube-system:sealed-secrets-controller';

interface JsonReport {
  findings: { ruleId: string; action: string; message: string; resource: { kind: string; namespace?: string; name?: string }; field: string }[];
  summary: { resources: number; deny: number; warn: number; audit: number; error: number };
}

const baseMissing = missingPeersMessage([...CLUSTER_PEERS, 'kubeseal']);
if (baseMissing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${baseMissing}`);
} else if (baseMissing !== undefined) {
  warnSkipped(baseMissing);
  t.test('e2e audit', { skip: baseMissing }, () => undefined);
} else {
  await main();
}

async function main(): Promise<void> {
  const cluster = await Cluster.start();
  t.teardown(() => cluster.stop());
  const work = path.join(cluster.dir, 'audit');
  await mkdir(work, { recursive: true });
  const canaries: string[] = [];
  const canary = (label: string): string => {
    const value = `${label}-canary-${randomBytes(12).toString('hex')}`;
    canaries.push(value);
    return value;
  };
  const leaks = (text: string): boolean => canaries.some((v) => text.includes(v) || text.includes(Buffer.from(v).toString('base64')));

  const must = async (user: ClusterUser, args: readonly string[], stdin?: string): Promise<KubectlResult> => {
    const r = await cluster.kubectl(user, args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r;
  };
  const audit = (args: readonly string[], user: ClusterUser = 'admin') => secretguardCli(['audit', '--kubeconfig', cluster.kubeconfigPath(user), ...args]);

  await installCrds(cluster);
  for (const ns of ['team-a', 'team-b']) await must('admin', ['create', 'namespace', ns]);
  // Both controllers write Secrets in every namespace, as their charts grant.
  await must('admin', ['create', 'clusterrole', 'e2e-secret-writer', '--verb=get,list,create,update,patch', '--resource=secrets']);
  await must('admin', ['create', 'clusterrolebinding', 'e2e-eso', '--clusterrole=e2e-secret-writer', '--serviceaccount=external-secrets:external-secrets']);
  await must('admin', ['create', 'clusterrolebinding', 'e2e-sealed-secrets', '--clusterrole=e2e-secret-writer', '--serviceaccount=kube-system:sealed-secrets-controller']);

  // 1. A plaintext Secret committed to git and applied with `kubectl apply -f file` (client-side apply).
  const appliedFile = path.join(work, 'applied-db.json');
  await writeFile(appliedFile, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied-db', namespace: 'team-a' }, stringData: { password: canary('applied') } }));
  await must('admin', ['apply', '-f', appliedFile]);

  // 2. A plaintext Secret Argo CD synced: server-side apply with its field manager and tracking id.
  const argoSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'argo-db', namespace: 'team-b', annotations: { 'argocd.argoproj.io/tracking-id': 'shop:/Secret:team-b/argo-db' } },
    stringData: { 'api-token': canary('argo') },
  };
  await must('admin', ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], manifest(argoSecret));

  // 3. ESO's Secret: written by the ESO identity with ESO's field manager, owned by its ExternalSecret. The
  //    tracking id Argo CD would copy through the template must not make it "from git".
  await must('admin', ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], manifest(
    { apiVersion: 'external-secrets.io/v1', kind: 'SecretStore', metadata: { name: 'vault', namespace: 'team-a' }, spec: { provider: { fake: { data: [] } } } },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'eso-db', namespace: 'team-a' },
      spec: { refreshInterval: '1h', secretStoreRef: { kind: 'SecretStore', name: 'vault' }, target: { name: 'eso-db' }, data: [{ secretKey: 'password', remoteRef: { key: 'team-a/db' } }] },
    },
  ));
  const es = JSON.parse((await must('admin', ['get', 'externalsecret', 'eso-db', '-n', 'team-a', '-o', 'json'])).stdout) as { metadata: { uid: string } };
  const esoSecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'eso-db',
      namespace: 'team-a',
      labels: { 'reconcile.external-secrets.io/managed': 'true' },
      annotations: { 'argocd.argoproj.io/tracking-id': 'shop:/Secret:team-a/eso-db' },
      ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'eso-db', uid: es.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    data: { password: Buffer.from(canary('eso')).toString('base64') },
  };
  await must('admin', [`--as=${ESO_USER}`, '--as-group=system:serviceaccounts', 'create', '--field-manager=externalsecrets.external-secrets.io/eso-db', '-f', '-'], manifest(esoSecret));

  // 4. A SealedSecret sealed by the real kubeseal and applied from git, and the Secret its controller
  //    unsealed, written as the controller (which sets no field manager: client-go calls it `controller`).
  const sealing = await makeCertificates(path.join(work, 'sealing'));
  const sealedPassword = canary('sealed');
  const sealed = await run(peerPath('kubeseal') ?? 'kubeseal', ['--cert', sealing.caFile, '--scope', 'strict', '--format', 'json'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sealed-db', namespace: 'team-b' }, type: 'Opaque', stringData: { password: sealedPassword } }),
  });
  if (sealed.code !== 0) throw new Error(`kubeseal failed: ${sealed.stderr}`);
  const sealedFile = path.join(work, 'sealed-db.json');
  await writeFile(sealedFile, sealed.stdout);
  await must('admin', ['apply', '-f', sealedFile]);
  const ss = JSON.parse((await must('admin', ['get', 'sealedsecret', 'sealed-db', '-n', 'team-b', '-o', 'json'])).stdout) as { metadata: { uid: string } };
  const unsealed = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'sealed-db',
      namespace: 'team-b',
      ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'sealed-db', uid: ss.metadata.uid, controller: true }],
    },
    type: 'Opaque',
    data: { password: Buffer.from(sealedPassword).toString('base64') },
  };
  await must('admin', [`--as=${SEALED_SECRETS_USER}`, '--as-group=system:serviceaccounts', 'create', '--field-manager=controller', '-f', '-'], manifest(unsealed));

  // 5. A hand-made Secret (`kubectl create secret`): not from git, not a finding by default.
  await must('admin', ['create', 'secret', 'generic', 'hand-made', '-n', 'team-b', `--from-literal=password=${canary('hand')}`]);

  // 6. A ClusterSecretStore every namespace may use, synced by Argo CD.
  await must('admin', ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], manifest({
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: 'shared-vault' },
    spec: { provider: { fake: { data: [] } } },
  }));

  const planted = [
    'no-plaintext-secret Secret team-a/applied-db deny',
    'no-plaintext-secret Secret team-b/argo-db deny',
    'clustersecretstore-conditions ClusterSecretStore shared-vault deny',
  ];
  const keyOf = (f: JsonReport['findings'][number]): string => `${f.ruleId} ${f.resource.kind} ${f.resource.namespace !== undefined ? f.resource.namespace + '/' : ''}${f.resource.name ?? ''} ${f.action}`;

  t.test('the JSON report finds exactly the planted problems', async (t) => {
    const r = await audit(['--format', 'json']);
    t.equal(r.code, 1, 'exit code 1: deny findings', { stderr: r.stderr });
    const report = JSON.parse(r.stdout) as JsonReport;
    t.same(report.findings.map(keyOf).sort(), [...planted].sort());
    const byName = new Map(report.findings.map((f) => [f.resource.name, f]));
    t.match(byName.get('applied-db')?.message, /from git \(field manager kubectl-client-side-apply owns the data\): key `password`/);
    t.match(byName.get('argo-db')?.message, /from git \(field manager argocd-controller owns the data\): key `api-token`/);
    t.equal(byName.get('argo-db')?.field, '/data/api-token');
    // Five Secrets, two stores, the ExternalSecret, the SealedSecret and the ConfigMaps kube-apiserver made itself.
    const configMaps = (await must('admin', ['get', 'configmaps', '-A', '-o', 'name'])).stdout.trim().split('\n').length;
    t.equal(report.summary.resources, 9 + configMaps, 'resources audited');
    t.notOk(leaks(r.stdout + r.stderr), 'no value in the report');
  });

  t.test('text report and --namespace', async (t) => {
    const r = await audit(['--namespace', 'team-b']);
    t.equal(r.code, 1, { stderr: r.stderr });
    t.equal(
      r.stdout,
      [
        'Secret team-b/argo-db /data/api-token: deny [no-plaintext-secret] Secret argo-db holds plaintext values from git (field manager argocd-controller owns the data): key `api-token`: generic API key. Base64 is not encryption: seal it with kubeseal and commit the SealedSecret, or replace it with an ExternalSecret',
        'ClusterSecretStore shared-vault /spec: deny [clustersecretstore-conditions] ClusterSecretStore shared-vault has no spec.conditions, so every namespace may read through it; add conditions (namespaces, namespaceSelector or anchored namespaceRegexes) or list it in sharedStores',
        '5 resources audited in admin: 2 deny, 0 warn, 0 audit, 0 error',
        '',
      ].join('\n'),
    );
    t.notOk(leaks(r.stdout + r.stderr), 'no value in the report');
  });

  t.test('--rule, sarif and junit', async (t) => {
    const only = await audit(['--rule', 'clustersecretstore-conditions', '--format', 'json']);
    t.same((JSON.parse(only.stdout) as JsonReport).findings.map(keyOf), ['clustersecretstore-conditions ClusterSecretStore shared-vault deny']);
    const sarif = await audit(['--format', 'sarif']);
    t.equal(sarif.code, 1);
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string }[] }[] }).runs[0]?.results ?? [];
    t.equal(results.length, 3, 'three SARIF results');
    const junit = await audit(['--format', 'junit']);
    t.match(junit.stdout, /failures="3"/);
    t.notOk(leaks(sarif.stdout + junit.stdout), 'no value in SARIF or JUnit');
  });

  t.test('clean after the fixes; exit 0', async (t) => {
    const r = await audit(['--namespace', 'team-a', '--rule', 'no-plaintext-secret', '--page-size', '1']);
    t.equal(r.code, 1, 'paged one object per request, still found', { stderr: r.stderr });
    t.match(r.stdout, /Secret team-a\/applied-db/);
    await must('admin', ['delete', 'secret', 'applied-db', '-n', 'team-a']);
    const clean = await audit(['--namespace', 'team-a', '--rule', 'no-plaintext-secret', '--page-size', '1']);
    t.equal(clean.code, 0, { stderr: clean.stderr });
    t.equal(clean.stdout, '1 resource audited in admin: 0 deny, 0 warn, 0 audit, 0 error\n');
  });

  t.test('an identity that may not list Secrets: incomplete audit, exit 2', async (t) => {
    const r = await audit(['--namespace', 'team-a'], 'tenant');
    t.equal(r.code, 2, { stdout: r.stdout, stderr: r.stderr });
    t.match(r.stdout, /^not audited: Secret \(forbidden \(HTTP 403\)\)$/m);
  });

  t.test('unreachable API server and a missing context: exit 2, one line', async (t) => {
    const bad = path.join(work, 'unreachable.json');
    await writeFile(bad, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'x', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'x', user: { token: canary('token') } }],
      contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
      'current-context': 'x',
    }));
    const r = await secretguardCli(['audit', '--kubeconfig', bad]);
    t.equal(r.code, 2);
    t.match(r.stderr, /^secretguard: cannot read the cluster's API \(/);
    t.notOk(leaks(r.stdout + r.stderr), 'the token is never printed');
    const ctx = await audit(['--context', 'nope']);
    t.equal(ctx.code, 2);
    t.equal(ctx.stderr, 'secretguard: the kubeconfig has no context named "nope"\n');
  });
}
