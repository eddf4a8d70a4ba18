import type { JsonObject } from '../../src/k8s/json.js';
import rule, { normaliseRemoteKey } from '../../src/rules/externalsecret-remote-key-prefix.js';
import { ruleTester } from '../rule-tester.js';
import t from 'tap';
import { CLUSTER, SEED_EXTERNAL_SECRET, TENANCY, externalSecret } from './fixtures-eso.js';

const css = { name: 'team-a-vault', kind: 'ClusterSecretStore' };
const base = { cluster: CLUSTER, config: TENANCY };
const es = (ns: string, spec: JsonObject): JsonObject => externalSecret(ns, { secretStoreRef: css, ...spec });

t.test('normaliseRemoteKey', async (t) => {
  t.same(normaliseRemoteKey('/teams/team-a/db'), { key: 'teams/team-a/db', escapes: false });
  t.same(normaliseRemoteKey('teams/team-a/../team-b/db'), { key: 'teams/team-b/db', escapes: false });
  t.same(normaliseRemoteKey('teams/./team-a//db'), { key: 'teams/team-a/db', escapes: false });
  t.same(normaliseRemoteKey('../x'), { key: 'x', escapes: true });
  t.same(normaliseRemoteKey('teams/team-a/'), { key: 'teams/team-a/', escapes: false });
});

ruleTester(rule, {
  valid: [
    { name: 'keys under the tenant prefix', object: es('team-a-web', { data: [{ secretKey: 'a', remoteRef: { key: 'teams/team-a/db' } }, { secretKey: 'b', remoteRef: { key: '/apps/team-a-web/x' } }], dataFrom: [{ extract: { key: 'teams/team-a/all' } }, { find: { path: 'teams/team-a/', name: { regexp: '.*' } } }] }), ...base },
    { name: 'no prefixes for an untenanted namespace (the seed)', object: SEED_EXTERNAL_SECRET, ...base },
    { name: 'generator entries have no remote key', object: es('team-a-web', { dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: 'p' } } }] }), ...base },
    { name: 'PushSecret inside the prefix', object: { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'team-b-web' }, spec: { data: [{ match: { remoteRef: { remoteKey: 'teams/team-b/p' } } }] } }, ...base },
    { name: 'wrong types', object: es('team-a-web', { data: 'x', dataFrom: [1, { find: 'x' }, { extract: { key: 3 } }] }), ...base },
  ],
  invalid: [
    {
      name: 'a key of another team',
      object: es('team-a-web', { data: [{ secretKey: 'a', remoteRef: { key: 'teams/team-b/db' } }] }),
      ...base,
      errors: [{ messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/data/0/remoteRef/key', messageIncludes: ['teams/team-b/db', 'team-a'] }],
    },
    {
      name: '../ key escapes',
      object: es('team-a-web', {
        data: [{ secretKey: 'a', remoteRef: { key: 'teams/team-a/../team-b/db' } }, { secretKey: 'b', remoteRef: { key: '../../etc' } }],
        dataFrom: [{ extract: { key: 'apps/team-a-web/../../teams/team-b/x' } }],
      }),
      ...base,
      errors: [
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/data/0/remoteRef/key', messageIncludes: ['teams/team-b/db'] },
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/data/1/remoteRef/key', messageIncludes: ['escapes'] },
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/dataFrom/0/extract/key' },
      ],
    },
    {
      name: 'find without path reads the whole store',
      object: es('team-a-web', { dataFrom: [{ find: { name: { regexp: '.*' } } }, { find: { path: 'teams/' } }] }),
      ...base,
      errors: [
        { messageId: 'findWithoutPath', action: 'deny', field: '/spec/dataFrom/0/find' },
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/dataFrom/1/find/path' },
      ],
    },
    {
      name: 'PushSecret remoteKey and dataTo remoteKey outside the prefix',
      object: { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'team-b-web' }, spec: { data: [{ match: { remoteRef: { remoteKey: 'teams/team-a/p' } } }], dataTo: [{ storeRef: { name: 's' }, remoteKey: 'shared/bundle' }] } },
      ...base,
      errors: [
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/data/0/match/remoteRef/remoteKey' },
        { messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/dataTo/0/remoteKey' },
      ],
    },
    {
      name: 'ClusterExternalSecret: the key fits one tenant, not the other',
      object: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: 'c' },
        spec: { namespaces: ['team-a-web', 'team-b-web'], externalSecretSpec: { data: [{ secretKey: 'k', remoteRef: { key: 'teams/team-a/k' } }] } },
      },
      ...base,
      errors: [{ messageId: 'keyOutsidePrefix', action: 'deny', field: '/spec/externalSecretSpec/data/0/remoteRef/key', messageIncludes: ['team-b-web'] }],
    },
  ],
});
