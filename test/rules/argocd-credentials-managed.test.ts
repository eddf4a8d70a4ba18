import rule from '../../src/rules/argocd-credentials-managed.js';
import { b64, canariesIn, GITHUB_CLASSIC, OPENSSH_KEY, SA_TOKEN } from '../detectors/fixtures.js';
import type { Requester } from '../../src/engine/types.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { ARGOCD, PERSON, ruleTester } from '../rule-tester.js';

const ESO = { username: 'system:serviceaccount:external-secrets:external-secrets', groups: [] };
const ARGOCD_SERVER = { username: 'system:serviceaccount:argocd:argocd-server', groups: [] };
const TYPE = 'argocd.argoproj.io/secret-type';

const cluster = (config: unknown, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'prod-cluster', namespace: 'argocd', labels: { [TYPE]: 'cluster', env: 'production' }, ...metadata },
  type: 'Opaque',
  stringData: { name: 'prod-cluster', server: 'https://prod-cluster.example.com', config: typeof config === 'string' ? config : JSON.stringify(config) },
});
const repo = (type: string, data: Record<string, string>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'gitops-repo', namespace: 'argocd', labels: { [TYPE]: type }, ...metadata },
  data,
});

// Seed 000 exactly: the token is a placeholder, but the Secret is still a hand-written credential Secret.
const seedCluster = cluster('{\n"bearerToken": "<spoke-cluster-sa-token>",\n"tlsClientConfig": {\n"insecure": false,\n"caData": "<base64-ca-cert>"\n}\n}');
const withToken = cluster({ bearerToken: SA_TOKEN, tlsClientConfig: { insecure: false, caData: b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') } });
const esoOwned = {
  ...withToken,
  metadata: {
    ...withToken.metadata,
    labels: { ...withToken.metadata.labels, 'reconcile.external-secrets.io/managed': 'true' },
    ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'prod-cluster', uid: 'u', controller: true }],
  },
};
const sealedOwned = {
  ...withToken,
  metadata: { ...withToken.metadata, ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'prod-cluster', uid: 'u', controller: true }] },
};
const configField = '/stringData/config';

ruleTester(rule, {
  valid: [
    { name: 'ESO creates the cluster Secret', object: esoOwned, requester: ESO },
    { name: 'a SealedSecret unseals into the cluster Secret', object: sealedOwned, requester: { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: [] } },
    { name: 'cluster Secret with exec/aws auth only (names and ARNs)', object: cluster({ awsAuthConfig: { clusterName: 'prod', roleARN: 'arn:aws:iam::1:role/x' }, tlsClientConfig: { caData: 'Y2E=' } }), source: 'cli' },
    { name: 'repository Secret without credentials (public repo)', object: repo('repository', { url: b64('https://github.com/org/public'), type: b64('git') }), source: 'cli' },
    { name: 'an unrelated secret-type', object: repo('other', { password: b64('x1y2z3w4') }), source: 'cli' },
    { name: 'no secret-type label', object: { ...repo('repository', { password: b64('x1y2z3w4') }), metadata: { name: 'x' } }, source: 'cli' },
    { name: 'allowed requester (argocd cluster add through the API server)', object: withToken, requester: ARGOCD_SERVER, options: { allowedRequesters: [ARGOCD_SERVER.username] } },
    { name: 'onlyFromGit: a person is not reported', object: withToken, requester: PERSON, options: { onlyFromGit: true } },
    { name: 'empty credential fields', object: repo('repository', { password: '', sshPrivateKey: '' }), source: 'cli' },
    { name: 'DELETE', object: null, oldObject: withToken, operation: 'DELETE', requester: PERSON },
    { name: 'config of the wrong type', object: { ...withToken, stringData: { config: 42 } }, source: 'cli' },
  ],
  invalid: [
    {
      name: 'a repo-creds template whose every value is a placeholder warns',
      object: { ...repo('repo-creds', {}), data: {}, stringData: { url: '<repo-url>', username: '<username>', password: '${GIT_TOKEN}' } },
      source: 'cli',
      errors: [{ messageId: 'placeholdersOnly' as const, action: 'warn', field: '/stringData/password', messageIncludes: ['repo-creds Secret gitops-repo', 'placeholders only', 'SealedSecret', 'ExternalSecret'] }],
    },
    {
      name: 'a repository Secret with placeholder keys in data warns',
      object: repo('repository', { url: b64('{{ .Values.repoURL }}'), sshPrivateKey: b64('<ssh-private-key>') }),
      source: 'cli',
      errors: [{ messageId: 'placeholdersOnly' as const, action: 'warn', field: '/data/sshPrivateKey' }],
    },
    {
      name: 'a real URL next to a placeholder password keeps the deny',
      object: repo('repository', { url: b64('https://github.com/org/private'), password: b64('<password>') }),
      source: 'cli',
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: '/data/password' }],
    },
    {
      name: 'the literal password keeps the deny',
      object: { ...repo('repo-creds', {}), data: {}, stringData: { url: '<repo-url>', password: 'password' } },
      source: 'cli',
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: '/stringData/password' }],
    },
    {
      name: 'seed 000 prod-cluster Secret in git (CLI)',
      object: seedCluster,
      source: 'cli',
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: configField, messageIncludes: ['cluster Secret prod-cluster', '`config` > bearerToken', 'manifest file', 'spoke cluster', 'ExternalSecret'] }],
    },
    {
      name: 'cluster Secret with a real token synced by Argo CD',
      object: withToken,
      requester: ARGOCD,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: configField, messageIncludes: ['git (requester system:serviceaccount:argocd'] }],
      canaries: canariesIn(SA_TOKEN),
    },
    {
      name: 'created by hand with kubectl, whatever the requester',
      object: withToken,
      requester: PERSON,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: configField, messageIncludes: ['requester alice'] }],
      canaries: canariesIn(SA_TOKEN),
    },
    ...(
      [
        ['a person copies ESO labels and owner', esoOwned, PERSON, 'requester alice'],
        ['a person copies a SealedSecret owner', sealedOwned, PERSON, 'requester alice'],
        ['kubectl apply -f of ESO labels', { ...esoOwned, metadata: { ...esoOwned.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } }, PERSON, 'last-applied-configuration'],
        ['Flux applies a forged SealedSecret owner', { ...sealedOwned, metadata: { ...sealedOwned.metadata, labels: { ...sealedOwned.metadata.labels, 'kustomize.toolkit.fluxcd.io/name': 'apps' } } }, { username: 'system:serviceaccount:flux-system:kustomize-controller', groups: [] }, 'kustomize-controller'],
        ['the sealed-secrets identity cannot vouch for an ESO claim', esoOwned, { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: [] }, 'requester system:serviceaccount:kube-system:sealed-secrets-controller'],
        ['ESO owns nothing when the Argo CD field manager owns the values', { ...esoOwned, metadata: { ...esoOwned.metadata, managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsV1: { 'f:stringData': { 'f:config': {} } } }] } }, ESO, 'field manager argocd-controller'],
      ] as unknown as [string, JsonObject, Requester, string][]
    ).map(([name, object, requester, origin]) => ({
      name: `forged producer claim: ${name}`,
      object,
      requester,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny' as const, field: configField, messageIncludes: [origin] }],
      canaries: canariesIn(SA_TOKEN),
    })),
    {
      name: 'ESO labels do not exempt what Argo CD applies from git',
      object: esoOwned,
      requester: ARGOCD,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: configField }],
    },
    {
      name: 'every secret-bearing config part is named',
      object: cluster({ password: 'Zq7Kp2Vw9Lm4', tlsClientConfig: { keyData: b64('k'), certData: b64('c') }, execProviderConfig: { command: 'x', env: { TOKEN: 'Zq7Kp2Vw9Lm4' } } }),
      source: 'cli',
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: configField, messageIncludes: ['`config` > password, tlsClientConfig.keyData, execProviderConfig.env'] }],
      canaries: ['Zq7Kp2Vw9Lm4'],
    },
    {
      name: 'config in base64 data that is not JSON but holds a token',
      object: { ...repo('cluster', { config: b64(`bearerToken: ${GITHUB_CLASSIC}`) }), metadata: { name: 'c', namespace: 'argocd', labels: { [TYPE]: 'cluster' } } },
      source: 'cli',
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: '/data/config', messageIncludes: ['unparsable JSON'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    },
    ...(['repository', 'repo-creds', 'repository-write', 'repo-write-creds'] as const).map((type) => ({
      name: `${type} Secret with a password and an SSH key`,
      object: repo(type, { url: b64('git@github.com:org/repo.git'), password: b64(GITHUB_CLASSIC), sshPrivateKey: b64(OPENSSH_KEY) }),
      source: 'cli' as const,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny' as const, field: '/data/password', messageIncludes: [`${type} Secret gitops-repo`, '`password`, `sshPrivateKey`', 'repository'] }],
      canaries: [...canariesIn(GITHUB_CLASSIC), ...canariesIn(OPENSSH_KEY)],
    })),
    {
      name: 'other repository credential keys',
      object: repo('repo-creds', {
        githubAppPrivateKey: b64(OPENSSH_KEY),
        tlsClientCertKey: b64(OPENSSH_KEY),
        bearerToken: b64('t0k3n-Zq7Kp2'),
        gcpServiceAccountKey: b64('{}x'),
        azureServicePrincipalClientSecret: b64('Zq7Kp2Vw9Lm4'),
      }),
      requester: PERSON,
      errors: [{ messageId: 'handMadeCredentials' as const, action: 'deny', field: '/data/githubAppPrivateKey', messageIncludes: ['`azureServicePrincipalClientSecret`'] }],
    },
  ],
});
