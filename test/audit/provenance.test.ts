import t from 'tap';
import { auditProvenance, managerRole } from '../../src/rules/support/stored-provenance.js';
import { auditSubject } from '../../src/engine/subject.js';
import { ClusterIndex } from '../../src/cluster/cluster-index.js';
import { DEFAULT_GITOPS } from '../../src/config/defaults.js';
import { buildEngine, loadEffectiveConfig } from '../../src/setup.js';
import type { JsonObject } from '../../src/k8s/json.js';

const DATA = { 'f:data': { 'f:password': {} } };
const STRING_DATA = { 'f:stringData': { 'f:password': {} } };
const LABELS_ONLY = { 'f:metadata': { 'f:labels': { 'f:team': {} } } };
const SEALED_OWNER = [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'db', uid: 'u1', controller: true }];
const ES_OWNER = [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'db', uid: 'u2', controller: true }];

interface Entry {
  manager: string;
  fields: object;
  operation?: string;
  subresource?: string;
}

function secret(entries: Entry[], metadata: Record<string, unknown> = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      namespace: 'team-a',
      ...metadata,
      managedFields: entries.map((e) => ({
        manager: e.manager,
        operation: e.operation ?? 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: e.fields,
        ...(e.subresource !== undefined ? { subresource: e.subresource } : {}),
      })),
    },
    data: { password: 'aHVudGVyMg==' },
  } as JsonObject;
}

// [case, object, expected fromGit (undefined: nothing says), expected signal]
const TABLE: [string, JsonObject, boolean | undefined, string | undefined][] = [
  ['Argo CD server-side apply owns data', secret([{ manager: 'argocd-controller', operation: 'Apply', fields: DATA }]), true, 'field manager argocd-controller owns the data'],
  ['Flux kustomize-controller owns data', secret([{ manager: 'kustomize-controller', operation: 'Apply', fields: DATA }]), true, 'field manager kustomize-controller owns the data'],
  ['Flux helm-controller owns data', secret([{ manager: 'helm-controller', fields: DATA }]), true, 'field manager helm-controller owns the data'],
  ['kubectl apply (client side) owns data', secret([{ manager: 'kubectl-client-side-apply', fields: DATA }]), true, 'field manager kubectl-client-side-apply owns the data'],
  ['kubectl apply --server-side owns data', secret([{ manager: 'kubectl', operation: 'Apply', fields: STRING_DATA }]), true, 'field manager kubectl owns the data'],
  ['ESO owns data', secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }], { ownerReferences: ES_OWNER }), false, 'controller externalsecrets.external-secrets.io/db owns the data'],
  ['ESO (hashed long name) owns data', secret([{ manager: 'externalsecrets.external-secrets.io/sha3/ab12', fields: DATA }]), false, 'controller externalsecrets.external-secrets.io/sha3/ab12 owns the data'],
  ['ESO data, Argo CD tracking id copied onto it', secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }], { annotations: { 'argocd.argoproj.io/tracking-id': 'app:/Secret:team-a/db' } }), false, 'controller externalsecrets.external-secrets.io/db owns the data'],
  ['ESO data, Flux label copied onto it', secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }], { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }), false, 'controller externalsecrets.external-secrets.io/db owns the data'],
  ['Sealed Secrets controller with SealedSecret owner', secret([{ manager: 'controller', fields: DATA }], { ownerReferences: SEALED_OWNER }), false, 'controller controller owns the data'],
  ['a manager named controller without the SealedSecret owner', secret([{ manager: 'controller', fields: DATA }]), undefined, undefined],
  ['Argo CD applied a Secret ESO also writes (co-owned data)', secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }, { manager: 'argocd-controller', operation: 'Apply', fields: DATA }]), true, 'field manager argocd-controller owns the data'],
  ['ESO data edited by hand afterwards (kubectl-edit co-owns)', secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }, { manager: 'kubectl-edit', fields: DATA }]), false, 'controller externalsecrets.external-secrets.io/db owns the data'],
  ['kubectl create: hand-made, nothing says git', secret([{ manager: 'kubectl-create', fields: DATA }]), undefined, undefined],
  ['kubectl create, then labelled by Argo CD (metadata only)', secret([{ manager: 'kubectl-create', fields: DATA }, { manager: 'argocd-controller', operation: 'Apply', fields: LABELS_ONLY }]), true, 'field manager argocd-controller'],
  ['kubectl create with the last-applied annotation', secret([{ manager: 'kubectl-create', fields: DATA }], { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }), true, 'annotation kubectl.kubernetes.io/last-applied-configuration'],
  ['no managedFields, Argo CD tracking id', secret([], { annotations: { 'argocd.argoproj.io/tracking-id': 'app:/Secret:team-a/db' } }), true, 'annotation argocd.argoproj.io/tracking-id'],
  ['no managedFields, Flux helm label', secret([], { labels: { 'helm.toolkit.fluxcd.io/name': 'db' } }), true, 'label helm.toolkit.fluxcd.io/name'],
  ['no managedFields, nothing', secret([]), undefined, undefined],
  ['status subresource entry owns no payload', secret([{ manager: 'argocd-controller', subresource: 'status', fields: DATA }, { manager: 'kubectl-create', fields: DATA }]), true, 'field manager argocd-controller'],
  ['service account token (kube-controller-manager)', secret([{ manager: 'kube-controller-manager', fields: DATA }]), false, 'controller kube-controller-manager owns the data'],
  ['cert-manager issued certificate', secret([{ manager: 'cert-manager-certificates-issuing', fields: DATA }]), false, 'controller cert-manager-certificates-issuing owns the data'],
];

t.test('provenance of stored objects', async (t) => {
  for (const [name, object, fromGit, signal] of TABLE) {
    const got = auditProvenance(object, DEFAULT_GITOPS);
    t.same(got === undefined ? undefined : got.fromGit, fromGit, `${name}: fromGit`);
    t.same(got?.signal, signal, `${name}: signal`);
  }
});

t.test('bad shapes never throw and say nothing', async (t) => {
  const shapes: unknown[] = [null, 1, 'x', [], {}, { metadata: null }, { metadata: { managedFields: 'x' } }, { metadata: { managedFields: [null, 1, { manager: 3, fieldsV1: [] }] } }];
  for (const shape of shapes) t.equal(auditProvenance(shape, DEFAULT_GITOPS), undefined, JSON.stringify(shape));
});

t.test('manager roles follow the config', async (t) => {
  t.equal(managerRole('my-gitops', {}, { ...DEFAULT_GITOPS, fieldManagers: ['my-gitops'] }), 'gitops');
  t.equal(managerRole('argocd-controller', {}, { ...DEFAULT_GITOPS, fieldManagers: [] }), 'other');
  t.equal(managerRole('external-secrets', {}, DEFAULT_GITOPS), 'controller');
});

t.test('no-plaintext-secret on stored Secrets', async (t) => {
  const engine = buildEngine(loadEffectiveConfig(undefined));
  const view = new ClusterIndex();
  view.synced = true;
  const check = (object: JsonObject): string[] => {
    const subject = auditSubject(object, 'test');
    if (subject === undefined) throw new Error('no subject');
    return engine.evaluate(subject, view).map((f) => `${f.action} ${f.message}`);
  };
  t.same(check(secret([{ manager: 'argocd-controller', operation: 'Apply', fields: DATA }])), [
    'deny [no-plaintext-secret] Secret db holds plaintext values from git (field manager argocd-controller owns the data): key `password`: generic password. Base64 is not encryption: seal it with kubeseal and commit the SealedSecret, or replace it with an ExternalSecret',
  ]);
  t.same(check(secret([{ manager: 'externalsecrets.external-secrets.io/db', fields: DATA }], { ownerReferences: ES_OWNER, annotations: { 'argocd.argoproj.io/tracking-id': 'x' } })), []);
  t.same(check(secret([{ manager: 'kubectl-create', fields: DATA }])), []);
});
