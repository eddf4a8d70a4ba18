// Smoke test of the e2e harness: real etcd + kube-apiserver + kubectl.
import t from 'tap';
import { CLUSTER_PEERS, Cluster } from './cluster.js';
import { missingPeersMessage, peersRequired, warnSkipped } from './peers.js';

const missing = missingPeersMessage(CLUSTER_PEERS);

if (missing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${missing}`);
} else {
  if (missing !== undefined) warnSkipped(missing);
  t.test('cluster smoke', { skip: missing ?? false }, async (t) => {
    const cluster = await Cluster.start();
    t.teardown(() => cluster.stop());
    t.comment(`etcd ready in ${cluster.etcdStartMs}ms, kube-apiserver ready in ${cluster.apiserverStartMs}ms`);

    const ns = await cluster.kubectl('admin', ['create', 'namespace', 'team-a']);
    t.equal(ns.code, 0, 'admin creates a namespace', { stderr: ns.stderr });

    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'team-a' },
      type: 'Opaque',
      stringData: { password: 'hunter2' },
    });
    const applied = await cluster.kubectl('admin', ['apply', '-f', '-'], manifest);
    t.equal(applied.code, 0, 'admin applies a Secret from stdin', { stderr: applied.stderr });
    t.match(applied.stdout, /secret\/db created/, 'kubectl apply output');

    const got = await cluster.kubectl('admin', ['get', 'secret', 'db', '-n', 'team-a', '-o', 'json']);
    t.equal(got.code, 0, 'admin reads the Secret', { stderr: got.stderr });
    const secret = JSON.parse(got.stdout) as { data?: Record<string, string> };
    t.equal(Buffer.from(secret.data?.password ?? '', 'base64').toString(), 'hunter2', 'Secret stored in etcd');

    const denied = await cluster.kubectl('tenant', ['get', 'secrets', '--all-namespaces']);
    t.not(denied.code, 0, 'tenant cannot list secrets cluster-wide');
    t.match(denied.stderr, /Forbidden/, 'RBAC denies');
    t.match(denied.stderr, /User "tenant" cannot list resource "secrets"/, 'denial names the tenant user');

    const whoami = await cluster.kubectl('argocd', ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    t.equal(whoami.code, 0, 'argocd user runs kubectl auth whoami', { stderr: whoami.stderr });
    t.equal(whoami.stdout, 'system:serviceaccount:argocd:argocd-application-controller', 'argocd user identity');

    await t.test('restart: API server unreachable, then back', async (t) => {
      await cluster.stopApiserver();
      const down = await cluster.kubectl('admin', ['get', 'ns', 'team-a', '--request-timeout=5s']);
      t.not(down.code, 0, 'kubectl fails while the API server is down');
      await cluster.startApiserver();
      t.comment(`kube-apiserver restarted in ${cluster.apiserverStartMs}ms`);
      const back = await cluster.kubectl('admin', ['get', 'secret', 'db', '-n', 'team-a', '-o', 'name']);
      t.equal(back.code, 0, 'kubectl works again after the restart', { stderr: back.stderr });
      t.equal(back.stdout.trim(), 'secret/db', 'data survived the restart (etcd kept running)');
    });
  });
}
