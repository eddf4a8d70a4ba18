import t from 'tap';
import type { JsonObject } from '../../src/k8s/json.js';
import reloader, { entryMatches } from '../../src/mutators/reloader-annotations.js';
import { mutatorTester, runMutatorCase } from '../mutator-tester.js';

const RELOAD = 'secret.reloader.stakater.com/reload';
const RELOAD_PATH = '/metadata/annotations/secret.reloader.stakater.com~1reload';

function externalSecret(name: string, namespace = 'shop', targetName?: string, version = 'v1'): JsonObject {
  return {
    apiVersion: `external-secrets.io/${version}`,
    kind: 'ExternalSecret',
    metadata: { name, namespace },
    spec: { secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' }, ...(targetName !== undefined ? { target: { name: targetName } } : {}) },
  };
}

/** ExternalSecrets in `shop` writing db-secret (explicit target) and api-keys (default target name). */
const CLUSTER = [externalSecret('db', 'shop', 'db-secret'), externalSecret('api-keys', 'shop', undefined, 'v1beta1'), externalSecret('other-ns', 'billing', 'plain')];

interface WorkloadParts {
  kind?: string;
  apiVersion?: string;
  annotations?: Record<string, string> | null;
  templateAnnotations?: Record<string, string>;
  podSpec: JsonObject;
  namespace?: string;
}

function workload(parts: WorkloadParts): JsonObject {
  const kind = parts.kind ?? 'Deployment';
  const template: JsonObject = {
    ...(parts.templateAnnotations !== undefined ? { metadata: { annotations: parts.templateAnnotations } } : {}),
    spec: parts.podSpec,
  };
  const metadata: JsonObject = { name: 'web', namespace: parts.namespace ?? 'shop' };
  if (parts.annotations !== undefined) metadata['annotations'] = parts.annotations;
  const spec: JsonObject = kind === 'CronJob' ? { schedule: '@daily', jobTemplate: { spec: { template } } } : { template };
  const apiVersion = parts.apiVersion ?? (kind === 'CronJob' ? 'batch/v1' : kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1');
  return { apiVersion, kind, metadata, spec };
}

function withAnnotations(object: JsonObject, annotations: Record<string, string>): JsonObject {
  const copy = structuredClone(object);
  const metadata = copy['metadata'] as JsonObject;
  metadata['annotations'] = { ...(metadata['annotations'] as Record<string, string> | undefined), ...annotations };
  return copy;
}

const envRef = (name: string, optional = false): JsonObject => ({
  containers: [{ name: 'app', image: 'app', env: [{ name: 'X', valueFrom: { secretKeyRef: { name, key: 'k', ...(optional ? { optional: true } : {}) } } }] }],
});
const envFromRef = (name: string): JsonObject => ({ containers: [{ name: 'app', image: 'app', envFrom: [{ secretRef: { name } }] }] });
const volumeRef = (name: string): JsonObject => ({ containers: [{ name: 'app', image: 'app' }], volumes: [{ name: 'v', secret: { secretName: name } }] });
const projectedRef = (name: string): JsonObject => ({
  containers: [{ name: 'app', image: 'app' }],
  volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name } }] } }],
});
const initRef = (name: string): JsonObject => ({
  initContainers: [{ name: 'migrate', image: 'm', envFrom: [{ secretRef: { name } }] }],
  containers: [{ name: 'app', image: 'app' }],
});
const ephemeralRef = (name: string): JsonObject => ({
  containers: [{ name: 'app', image: 'app' }],
  ephemeralContainers: [{ name: 'debug', image: 'd', env: [{ name: 'X', valueFrom: { secretKeyRef: { name, key: 'k' } } }] }],
});

/** The common case: no annotations at all, the whole map is added. */
function added(object: JsonObject, value: string, reason = 'ESO-managed', names = value.split(',').join(', ')) {
  return {
    object,
    cluster: CLUSTER,
    patch: [{ op: 'add' as const, path: '/metadata/annotations', value: { [RELOAD]: value } }],
    output: withAnnotations(object, { [RELOAD]: value }),
    notes: [`added ${RELOAD}: ${names} (${reason})`],
  };
}

const dbEnv = workload({ podSpec: envRef('db-secret') });

mutatorTester(reloader, {
  unchanged: [
    { name: 'Secret not managed by ESO (scope managed)', object: workload({ podSpec: envRef('plain') }), cluster: CLUSTER },
    { name: 'ExternalSecret in another namespace does not count', object: workload({ podSpec: envRef('plain') }), cluster: [externalSecret('x', 'billing', 'plain')] },
    { name: 'ExternalSecret named like the Secret but targeting another name', object: workload({ podSpec: envRef('db') }), cluster: CLUSTER },
    { name: 'imagePullSecrets are not a reload trigger', object: workload({ podSpec: { containers: [{ name: 'a', image: 'a' }], imagePullSecrets: [{ name: 'db-secret' }] } }), cluster: CLUSTER },
    { name: 'ConfigMap references are not Secrets', object: workload({ podSpec: { containers: [{ name: 'a', image: 'a', envFrom: [{ configMapRef: { name: 'db-secret' } }] }] } }), cluster: CLUSTER },
    { name: 'already listed', object: workload({ annotations: { [RELOAD]: 'db-secret' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'already covered by an anchored regex entry', object: workload({ annotations: { [RELOAD]: 'other, db-.*' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'reloader.stakater.com/auto on the workload', object: workload({ annotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'auto parsed like Go ParseBool (True)', object: workload({ annotations: { 'reloader.stakater.com/auto': 'True' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'secret.reloader.stakater.com/auto on the workload', object: workload({ annotations: { 'secret.reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'reloader.stakater.com/search on the workload', object: workload({ annotations: { 'reloader.stakater.com/search': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'auto on the pod template (Reloader falls back to it)', object: workload({ templateAnnotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'secret auto on the pod template', object: workload({ templateAnnotations: { 'secret.reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'search on the pod template', object: workload({ templateAnnotations: { 'reloader.stakater.com/search': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'reload on the pod template already covers it', object: workload({ templateAnnotations: { [RELOAD]: 'db-secret' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'secretguard.io/reloader: disabled', object: workload({ annotations: { 'secretguard.io/reloader': 'disabled' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'excluded by secrets.exclude.reloader.stakater.com/reload', object: workload({ annotations: { 'secrets.exclude.reloader.stakater.com/reload': 'x, db-secret' }, podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'renamed auto annotation (Reloader --auto-annotation)', object: workload({ annotations: { 'example.com/auto': 'true' }, podSpec: envRef('db-secret') }), cluster: CLUSTER, options: { autoAnnotation: 'example.com/auto' } },
    { name: 'Rollout with workloadRef has no template', object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'r', namespace: 'shop' }, spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } }, cluster: CLUSTER },
    { name: 'Job is not handled', object: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'shop' }, spec: { template: { spec: envRef('db-secret') } } }, cluster: CLUSTER },
    { name: 'Pod is not handled', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: envRef('db-secret') }, cluster: CLUSTER },
    { name: 'unknown Deployment version', object: workload({ apiVersion: 'apps/v1beta2', podSpec: envRef('db-secret') }), cluster: CLUSTER },
    { name: 'garbage template', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', namespace: 'shop' }, spec: { template: 'x' } }, cluster: CLUSTER },
    { name: 'mode off', object: dbEnv, cluster: CLUSTER, config: { mutators: { 'reloader-annotations': 'off' } } },
    { name: 'DELETE', object: dbEnv, cluster: CLUSTER, operation: 'DELETE' },
  ],
  changed: [
    { name: 'env secretKeyRef', ...added(dbEnv, 'db-secret') },
    { name: 'env secretKeyRef, optional', ...added(workload({ podSpec: envRef('db-secret', true) }), 'db-secret') },
    { name: 'envFrom secretRef', ...added(workload({ podSpec: envFromRef('db-secret') }), 'db-secret') },
    { name: 'volume secret', ...added(workload({ podSpec: volumeRef('db-secret') }), 'db-secret') },
    { name: 'projected volume secret', ...added(workload({ podSpec: projectedRef('db-secret') }), 'db-secret') },
    { name: 'initContainers', ...added(workload({ podSpec: initRef('db-secret') }), 'db-secret') },
    { name: 'ephemeralContainers', ...added(workload({ podSpec: ephemeralRef('db-secret') }), 'db-secret') },
    { name: 'ExternalSecret with the default target name (v1beta1)', ...added(workload({ podSpec: envFromRef('api-keys') }), 'api-keys') },
    { name: 'StatefulSet', ...added(workload({ kind: 'StatefulSet', podSpec: envRef('db-secret') }), 'db-secret') },
    { name: 'DaemonSet', ...added(workload({ kind: 'DaemonSet', podSpec: envRef('db-secret') }), 'db-secret') },
    { name: 'CronJob (spec.jobTemplate.spec.template)', ...added(workload({ kind: 'CronJob', podSpec: volumeRef('db-secret') }), 'db-secret') },
    { name: 'Argo Rollout', ...added(workload({ kind: 'Rollout', podSpec: envRef('db-secret') }), 'db-secret') },
    {
      name: 'several references, sorted and deduplicated, non-ESO Secret left out',
      ...added(
        workload({
          podSpec: {
            initContainers: [{ name: 'i', image: 'i', envFrom: [{ secretRef: { name: 'db-secret' } }] }],
            containers: [{ name: 'a', image: 'a', envFrom: [{ secretRef: { name: 'plain' } }], env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'api-keys', key: 'k' } } }] }],
            volumes: [{ name: 'v', secret: { secretName: 'db-secret' } }],
          },
        }),
        'api-keys,db-secret',
      ),
    },
    {
      name: 'scope all: every consumed Secret',
      ...added(workload({ podSpec: { containers: [{ name: 'a', image: 'a', envFrom: [{ secretRef: { name: 'plain' } }, { secretRef: { name: 'db-secret' } }] }] } }), 'db-secret,plain', 'scope all'),
      options: { scope: 'all' },
    },
    {
      name: 'scope all with ESO Secrets only says ESO-managed',
      ...added(dbEnv, 'db-secret'),
      options: { scope: 'all' },
    },
    {
      name: 'merged with an existing value (union, sorted)',
      object: workload({ annotations: { [RELOAD]: 'zeta, alpha', team: 'a' }, podSpec: envRef('db-secret') }),
      cluster: CLUSTER,
      patch: [{ op: 'replace', path: RELOAD_PATH, value: 'alpha,db-secret,zeta' }],
      output: workload({ annotations: { [RELOAD]: 'alpha,db-secret,zeta', team: 'a' }, podSpec: envRef('db-secret') }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'other annotations present: add only the key (JSON Patch escaping of /)',
      object: workload({ annotations: { 'a/b~c': 'x' }, podSpec: envRef('db-secret') }),
      cluster: CLUSTER,
      patch: [{ op: 'add', path: RELOAD_PATH, value: 'db-secret' }],
      output: workload({ annotations: { 'a/b~c': 'x', [RELOAD]: 'db-secret' }, podSpec: envRef('db-secret') }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'annotations: null is replaced by a map',
      ...added(workload({ annotations: null, podSpec: envRef('db-secret') }), 'db-secret'),
      output: workload({ annotations: { [RELOAD]: 'db-secret' }, podSpec: envRef('db-secret') }),
    },
    {
      name: 'reload on the pod template is merged onto the workload, template untouched',
      object: workload({ templateAnnotations: { [RELOAD]: 'legacy' }, podSpec: envRef('db-secret') }),
      cluster: CLUSTER,
      patch: [{ op: 'add', path: '/metadata/annotations', value: { [RELOAD]: 'db-secret,legacy' } }],
      output: workload({ annotations: { [RELOAD]: 'db-secret,legacy' }, templateAnnotations: { [RELOAD]: 'legacy' }, podSpec: envRef('db-secret') }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'template auto is ignored once the workload has its own reload (as Reloader does)',
      object: workload({ annotations: { [RELOAD]: 'x' }, templateAnnotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }),
      cluster: CLUSTER,
      patch: [{ op: 'replace', path: RELOAD_PATH, value: 'db-secret,x' }],
      output: workload({ annotations: { [RELOAD]: 'db-secret,x' }, templateAnnotations: { 'reloader.stakater.com/auto': 'true' }, podSpec: envRef('db-secret') }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'auto "false" is not an opt-out',
      object: workload({ annotations: { 'reloader.stakater.com/auto': 'false' }, podSpec: envRef('db-secret') }),
      cluster: CLUSTER,
      patch: [{ op: 'add', path: RELOAD_PATH, value: 'db-secret' }],
      output: workload({ annotations: { 'reloader.stakater.com/auto': 'false', [RELOAD]: 'db-secret' }, podSpec: envRef('db-secret') }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'what Reloader added (STAKATER_ env, last-reloaded-from) is kept',
      object: workload({
        templateAnnotations: { 'reloader.stakater.com/last-reloaded-from': '{"type":"SECRET","name":"db-secret"}' },
        podSpec: { containers: [{ name: 'a', image: 'a', env: [{ name: 'STAKATER_DB_SECRET_SECRET', value: 'abc' }, { name: 'P', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'p' } } }] }] },
      }),
      cluster: CLUSTER,
      patch: [{ op: 'add', path: '/metadata/annotations', value: { [RELOAD]: 'db-secret' } }],
      output: workload({
        annotations: { [RELOAD]: 'db-secret' },
        templateAnnotations: { 'reloader.stakater.com/last-reloaded-from': '{"type":"SECRET","name":"db-secret"}' },
        podSpec: { containers: [{ name: 'a', image: 'a', env: [{ name: 'STAKATER_DB_SECRET_SECRET', value: 'abc' }, { name: 'P', valueFrom: { secretKeyRef: { name: 'db-secret', key: 'p' } } }] }] },
      }),
      notes: [`added ${RELOAD}: db-secret (ESO-managed)`],
    },
    {
      name: 'renamed reload annotation (Reloader --secret-annotation)',
      object: dbEnv,
      cluster: CLUSTER,
      options: { reloadAnnotation: 'example.com/reload' },
      patch: [{ op: 'add', path: '/metadata/annotations', value: { 'example.com/reload': 'db-secret' } }],
      output: withAnnotations(dbEnv, { 'example.com/reload': 'db-secret' }),
      notes: ['added example.com/reload: db-secret (ESO-managed)'],
    },
    {
      name: 'UPDATE',
      ...added(dbEnv, 'db-secret'),
      operation: 'UPDATE',
      oldObject: dbEnv,
    },
  ],
});

t.test('reload entries match as anchored regexes, like Reloader', async (t) => {
  t.ok(entryMatches('db-.*', 'db-secret'));
  t.notOk(entryMatches('db', 'db-secret'), 'anchored: a prefix is not a match');
  t.notOk(entryMatches('secret', 'db-secret'), 'anchored: a suffix is not a match');
  t.ok(entryMatches('a|db-secret', 'db-secret'), '^a|db-secret$ as Go builds it');
  t.notOk(entryMatches('[', '['), 'an invalid regex never matches (Reloader skips it)');
});

t.test('a long list of Secrets keeps the note under 120 characters', async (t) => {
  const names = Array.from({ length: 12 }, (_, i) => `a-rather-long-secret-name-${i}`);
  const object = workload({ podSpec: { containers: [{ name: 'a', image: 'a', envFrom: names.map((name) => ({ secretRef: { name } })) }] } });
  const result = runMutatorCase(reloader, { name: 'long', object, options: { scope: 'all' } });
  t.equal(result.notes.length, 1);
  t.ok((result.notes[0] ?? '').length <= 120, result.notes[0] ?? 'no note');
  t.match(result.notes[0] ?? '', /and \d+ more \(scope all\)$/);
});

t.test('options are validated', async (t) => {
  t.throws(() => runMutatorCase(reloader, { name: 'bad', object: dbEnv, options: { scope: 'some' } }));
  t.throws(() => runMutatorCase(reloader, { name: 'bad', object: dbEnv, options: { unknown: true } }));
});
