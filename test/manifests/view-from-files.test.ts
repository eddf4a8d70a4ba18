import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { viewFromFiles } from '../../src/manifests/scan.js';

t.test('--cluster-state files: namespaced objects without a namespace land in default, as kubectl places them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'secretguard-state-'));
  writeFileSync(
    join(dir, 'state.yaml'),
    [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {tenant: a}\n',
      'apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata:\n  name: shared\nspec:\n  provider: {fake: {}}\n',
      'apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata:\n  name: local\nspec:\n  provider: {fake: {}}\n',
      'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: db\n  namespace: team-a\nspec:\n  target: {name: db-creds}\n',
    ].join('---\n'),
  );
  const view = viewFromFiles([dir]);
  t.equal(view.synced, true);
  t.equal(view.namespace('team-a')?.labels['tenant'], 'a');
  t.equal(view.clusterSecretStore('shared')?.namespace, '');
  t.equal(view.secretStore('default', 'local')?.name, 'local');
  t.same(view.externalSecretsTargeting('team-a', 'db-creds').map((r) => r.name), ['db']);
});
