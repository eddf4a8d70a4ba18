// The API server goes away (issue 12), against the real kube-apiserver + etcd of the e2e tier:
// unreachable after sync, flapping, and down during the first sync. After sync the webhook keeps
// answering from its last view, /readyz stays ready with a stale detail, the metrics show the view
// disconnected and stale, and it reconnects on its own. Before sync it is not ready and rules that
// need cluster state answer per clusterView.missingState. Skips loudly without the Go peers; fails
// under CI=true.
import t from 'tap';
import { CLUSTER_PEERS, Cluster } from '../e2e/cluster.js';
import { missingPeersMessage, peersRequired, warnSkipped } from '../e2e/peers.js';
import { getText, metric, postReview, startServeChild, type ServeChild } from './load.js';

const missing = missingPeersMessage(CLUSTER_PEERS);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const review = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'es-1',
    kind: { group: 'external-secrets.io', version: 'v1', kind: 'ExternalSecret' },
    resource: { group: 'external-secrets.io', version: 'v1', resource: 'externalsecrets' },
    name: 'web-db',
    namespace: 'team-a',
    operation: 'CREATE',
    userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller' },
    object: {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'web-db', namespace: 'team-a' },
      spec: { secretStoreRef: { name: 'team-a-vault', kind: 'ClusterSecretStore' }, data: [{ secretKey: 'p', remoteRef: { key: 'teams/team-a/db' } }] },
    },
  },
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      if (await check()) return Date.now() - started;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const metricsOf = async (server: ServeChild) => (await getText(server.metricsPort, '/metrics')).body;
const connected = async (server: ServeChild) => metric(await metricsOf(server), 'secretguard_cluster_view_connected') === 1;

if (missing !== undefined && peersRequired()) {
  t.fail(`CI=true and ${missing}`);
} else {
  if (missing !== undefined) warnSkipped(missing);
  t.test('API server unreachable after sync, flapping, and during sync', { skip: missing ?? false }, async (t) => {
    const cluster = await Cluster.start();
    t.teardown(() => cluster.stop());
    const ns = await cluster.kubectl('admin', ['create', 'namespace', 'team-a']);
    t.equal(ns.code, 0, 'namespace created');
    const server = await startServeChild({ state: `kubeconfig:${cluster.kubeconfigPath('admin')}` });
    t.teardown(() => {
      server.child.kill('SIGKILL');
    });
    await until('first sync', async () => (await getText(server.metricsPort, '/readyz')).status === 200);
    await until('connected', () => connected(server));
    const live = await postReview(server.port, server.ca, review, false);
    t.equal(live.status, 200);
    t.notMatch(live.body, /not synced/, 'decided from the synced view');
    const decided = (JSON.parse(live.body) as { response: unknown }).response;
    let survived = 0;
    let requests = 0;
    let lost = 0;
    const check = async (what: string) => {
      const answer = await postReview(server.port, server.ca, review, false);
      requests++;
      if (answer.status !== 200) {
        lost++;
        return;
      }
      t.same((JSON.parse(answer.body) as { response: unknown }).response, decided, `${what}: the same answer from the last view`);
    };

    // 1. Unreachable after sync.
    await cluster.stopApiserver();
    await until('disconnected', async () => !(await connected(server)));
    await sleep(1_500);
    await check('API server down');
    const readyz = await getText(server.metricsPort, '/readyz');
    t.equal(readyz.status, 200, 'still ready after sync');
    t.match(readyz.body, /stale for \d+s/, '/readyz names the staleness');
    t.ok((metric(await metricsOf(server), 'secretguard_cluster_view_stale_seconds') ?? 0) > 0, 'stale seconds exported');
    await cluster.startApiserver();
    const reconnectMs = await until('reconnected', () => connected(server));
    t.comment(`reconnected ${reconnectMs}ms after the API server was ready again`);
    t.equal(metric(await metricsOf(server), 'secretguard_cluster_view_stale_seconds'), 0, 'no longer stale');
    survived++;

    // 2. Flapping: down and up twice while requests keep coming.
    const state = { stop: false };
    const traffic = (async () => {
      while (!state.stop) {
        await check('flapping');
        await sleep(100);
      }
    })();
    for (let flap = 0; flap < 2; flap++) {
      await cluster.stopApiserver();
      await sleep(1_000);
      await cluster.startApiserver();
      survived++;
    }
    await until('reconnected after flapping', () => connected(server));
    state.stop = true;
    await traffic;

    // 3. Down during the first sync: a fresh server is not ready and answers per missingState.
    await cluster.stopApiserver();
    const fresh = await startServeChild({ state: `kubeconfig:${cluster.kubeconfigPath('admin')}` });
    t.teardown(() => {
      fresh.child.kill('SIGKILL');
    });
    await sleep(1_000);
    t.equal((await getText(fresh.metricsPort, '/readyz')).status, 503, 'not ready before the first sync');
    const unsynced = await postReview(fresh.port, fresh.ca, review, false);
    t.equal(unsynced.status, 200, 'still answers');
    t.match(unsynced.body, /not synced/, 'rules needing cluster state answer per missingState');
    await check('the first server, API server down again');
    await cluster.startApiserver();
    await until('fresh server synced', async () => (await getText(fresh.metricsPort, '/readyz')).status === 200);
    const synced = await postReview(fresh.port, fresh.ca, review, false);
    t.same((JSON.parse(synced.body) as { response: unknown }).response, decided, 'after sync it decides like the first');
    survived++;
    t.comment(`faults survived (API server): ${survived}; requests during them: ${requests}, lost: ${lost}`);
    t.equal(lost, 0, 'requests lost: 0');
  });
}
