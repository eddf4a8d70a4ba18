// charts/secretguard with real helm: lint and template with the defaults, each certificate mode and the per-spoke
// values of examples/argocd; the rendered objects are checked, values.schema.json rejects typos, and
// `secretguard scan` finds nothing in the chart's own output.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { webhookResources, webhookRulesData, type WebhookResource } from '../../scripts/render-webhook-config.js';
import { matchesLabelSelector } from '../../src/k8s/selector.js';
import { allRules } from '../../src/rules/registry.js';
import { SEALING_KEY_LABEL } from '../../src/rules/no-sealing-key-in-git.js';
import { runCli } from '../helpers/cli.js';
import { CHART, find, helmOrSkip, render, runHelm, SPOKE_VALUES, templateArgs, VALUES_DIR, type K8sObject } from './helm.js';

const helm = helmOrSkip(t);

interface Webhook {
  name: string;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[]; scope: string }[];
  failurePolicy: string;
  matchPolicy: string;
  sideEffects: string;
  admissionReviewVersions: string[];
  timeoutSeconds: number;
  namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector?: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
  reinvocationPolicy?: string;
}

/**
 * The webhooks kube-apiserver calls for a CREATE of `group/resource` in `namespace` with `labels`: a rule names the
 * resource and operation, the namespaceSelector matches the Namespace's labels, the objectSelector the object's.
 */
function called(webhooks: readonly Webhook[], resource: string, namespace: string, labels: Record<string, string>): string[] {
  const namespaceLabels = { 'kubernetes.io/metadata.name': namespace };
  return webhooks
    .filter((w) => w.rules.some((r) => `${r.apiGroups[0] ?? ''}/${r.resources[0] ?? ''}` === resource && r.operations.includes('CREATE')))
    .filter((w) => matchesLabelSelector(w.namespaceSelector, namespaceLabels) === true)
    .filter((w) => w.objectSelector === undefined || matchesLabelSelector(w.objectSelector, labels) === true)
    .map((w) => w.name);
}

const key = (r: WebhookResource): string => `${r.apiGroup}/${r.resource}`;
const webhooksOf = (o: K8sObject | undefined): Webhook[] => (o?.['webhooks'] as Webhook[] | undefined) ?? [];
const podSpec = (deployment: K8sObject | undefined): Record<string, unknown> =>
  ((deployment?.['spec'] as { template: { spec: Record<string, unknown> } } | undefined)?.template.spec) ?? {};

/** The webhook rules when `disabled` rule/mutator ids are off. */
function expectedRules(resources: readonly WebhookResource[], disabled: ReadonlySet<string> = new Set()): Webhook['rules'] {
  return resources.flatMap((r) => {
    const operations = [...new Set(r.uses.filter((u) => u.defaultEnabled && !disabled.has(u.id)).flatMap((u) => u.operations))].sort();
    return operations.length === 0 ? [] : [{ apiGroups: [r.apiGroup], apiVersions: r.apiVersions, resources: [r.resource], operations, scope: '*' }];
  });
}

const valueSets: [string, string[]][] = [
  ['defaults (selfManaged)', []],
  ['certManager', [join(VALUES_DIR, 'cert-manager.yaml')]],
  ['certManager with an issuer', [join(VALUES_DIR, 'cert-manager-issuer.yaml')]],
  ['provided', [join(VALUES_DIR, 'provided.yaml')]],
  ['everything on', [join(VALUES_DIR, 'everything.yaml')]],
  ...SPOKE_VALUES.map((f): [string, string[]] => [`spoke ${f.split('/').at(-2) ?? ''}`, [f]]),
];

if (helm !== undefined) {
  const data = webhookRulesData();

  for (const [label, files] of valueSets) {
    t.test(`${label}: helm lint, helm template, secretguard scan`, async (t) => {
      const lint = runHelm(helm, ['lint', CHART, '--strict', '--namespace', 'secretguard', ...files.flatMap((f) => ['--values', f])]);
      t.equal(lint.code, 0, `helm lint: ${lint.stdout}${lint.stderr}`);
      const { text, objects } = render(helm, files);
      t.ok(objects.length > 5);
      t.same(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name), [], 'the chart renders no Secret (no data to leak, nothing to drift)');
      for (const o of objects) t.match(o.metadata.labels ?? {}, { 'app.kubernetes.io/name': 'secretguard' }, `${o.kind} ${o.metadata.name} labelled`);

      // We follow our own rules.
      const scan = runCli(['scan', '--format', 'json', '-'], text);
      const report = JSON.parse(scan.stdout || '{}') as { findings?: { ruleId: string; message: string }[] };
      t.same(report.findings, [], 'secretguard scan finds nothing in the rendered chart');
      t.equal(scan.code, 0, scan.stderr);

      // The config the chart passes through is one secretguard accepts.
      const configMap = objects.find((o) => o.kind === 'ConfigMap');
      const configText = (configMap?.['data'] as Record<string, string> | undefined)?.['config.yaml'] ?? '';
      const dir = mkdtempSync(join(os.tmpdir(), 'sg-chart-'));
      writeFileSync(join(dir, 'config.yaml'), configText);
      const validate = runCli(['config', 'validate', join(dir, 'config.yaml')]);
      rmSync(dir, { recursive: true, force: true });
      t.equal(validate.code, 0, `secretguard config validate: ${validate.stdout}${validate.stderr}`);

      const again = render(helm, files);
      t.equal(again.text, text, 'rendering is deterministic (no genCA, no random values): Argo CD sees no drift');
    });
  }

  t.test('default values', async (t) => {
    const { objects } = render(helm, []);
    const deployment = find(objects, 'Deployment');
    const spec = deployment?.['spec'] as { replicas: number; template: { metadata: { annotations: Record<string, string> } } };
    t.equal(spec.replicas, 2);
    t.match(spec.template.metadata.annotations['checksum/config'], /^[a-f0-9]{64}$/, 'rolled out on config change');
    const pod = podSpec(deployment);
    t.equal(pod['automountServiceAccountToken'], false);
    t.match(pod['securityContext'], { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    t.match(pod['topologySpreadConstraints'], [{ topologyKey: 'kubernetes.io/hostname', maxSkew: 1 }]);
    const container = (pod['containers'] as Record<string, unknown>[])[0] ?? {};
    t.same(container['securityContext'], {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    t.match(container['readinessProbe'], { httpGet: { path: '/readyz', port: 'metrics' } });
    t.match(container['livenessProbe'], { httpGet: { path: '/healthz', port: 'metrics' } });
    t.match(container['resources'], { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    const args = container['args'] as string[];
    for (const flag of ['--config=', '--tls-cert=', '--tls-key=', '--port=8443', '--metrics-port=8080', '--request-timeout=10000', '--headers-timeout=5000', '--keep-alive-timeout=65000', '--max-connections=1000', '--max-requests-per-socket=1000', '--cert-mode=self-managed', '--cert-secret=secretguard-tls', '--cert-service=secretguard', '--cert-webhook-configuration=secretguard']) {
      t.ok(args.some((a) => a.startsWith(flag)), `serve ${flag}`);
    }
    const volumes = pod['volumes'] as { name: string; emptyDir?: unknown; projected?: { sources: Record<string, unknown>[] } }[];
    t.ok(volumes.find((v) => v.name === 'tls')?.emptyDir, 'selfManaged: certificates written by secretguard into an emptyDir');
    t.match(volumes.find((v) => v.name === 'kube-api-access')?.projected?.sources[0], { serviceAccountToken: { expirationSeconds: 3607 } });
    t.ok(find(objects, 'PodDisruptionBudget'));
    t.match(find(objects, 'PodDisruptionBudget')?.['spec'], { minAvailable: 1 });
    t.notOk(find(objects, 'HorizontalPodAutoscaler'));
    t.notOk(find(objects, 'ServiceMonitor'));
    t.notOk(find(objects, 'PrometheusRule'));
    t.equal(find(objects, 'ServiceAccount')?.['automountServiceAccountToken'], false);

    const validating = webhooksOf(find(objects, 'ValidatingWebhookConfiguration'));
    const mutating = webhooksOf(find(objects, 'MutatingWebhookConfiguration'));
    t.same(
      validating.map((w) => w.name),
      ['validate.secretguard.io', 'validate-workloads.secretguard.io', 'validate-sealing-keys.secretguard.io'],
      'three validating webhooks: secret-bearing kinds, workloads, sealing keys in the excluded namespaces',
    );
    t.equal(mutating.length, 1);
    const common = {
      matchPolicy: 'Equivalent',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: 5,
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'secretguard'] }] },
    };
    const service = { name: 'secretguard', namespace: 'secretguard', path: '/validate', port: 443 };
    t.match(validating[0], { name: 'validate.secretguard.io', failurePolicy: 'Fail', clientConfig: { service }, ...common });
    t.match(validating[1], { name: 'validate-workloads.secretguard.io', failurePolicy: 'Ignore', clientConfig: { service }, ...common });
    t.notOk(validating[0]?.objectSelector ?? validating[1]?.objectSelector, 'the two main webhooks select no objects by label');
    t.match(validating[2], {
      name: 'validate-sealing-keys.secretguard.io',
      failurePolicy: 'Fail',
      clientConfig: { service },
      ...common,
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system', 'secretguard'] }] },
    });
    t.same(validating[2]?.objectSelector, { matchExpressions: [{ key: SEALING_KEY_LABEL, operator: 'Exists' }] }, 'sealing keys by the label no-sealing-key-in-git reads, any value');
    t.same(validating[2]?.rules, expectedRules(data.validatingSealingKeys), 'validate-sealing-keys.secretguard.io: Secrets, with the operations of no-sealing-key-in-git');
    t.same(validating[2]?.rules.map((r) => r.resources), [['secrets']]);
    // Each Secret reaches exactly one validating webhook, or none where secretguard never looks; a labelled key everywhere.
    const dispatch: [string, Record<string, string>, string[]][] = [
      ['kube-system', { [SEALING_KEY_LABEL]: 'active' }, ['validate-sealing-keys.secretguard.io']],
      ['kube-system', { [SEALING_KEY_LABEL]: 'compromised' }, ['validate-sealing-keys.secretguard.io']],
      ['kube-system', { [SEALING_KEY_LABEL]: '' }, ['validate-sealing-keys.secretguard.io']],
      ['secretguard', { [SEALING_KEY_LABEL]: 'active' }, ['validate-sealing-keys.secretguard.io']],
      ['team-a', { [SEALING_KEY_LABEL]: 'active' }, ['validate.secretguard.io']],
      ['sealed-secrets', { [SEALING_KEY_LABEL]: 'active', app: 'x' }, ['validate.secretguard.io']],
      ['kube-system', {}, []],
      ['kube-system', { 'sealedsecrets.bitnami.com/managed': 'true' }, []],
      ['secretguard', { app: 'secretguard' }, []],
      ['team-a', {}, ['validate.secretguard.io']],
    ];
    for (const [namespace, labels, expected] of dispatch) {
      t.same(called(validating, '/secrets', namespace, labels), expected, `Secret in ${namespace} labelled ${JSON.stringify(labels)}`);
    }
    for (const resource of ['/configmaps', '/pods', 'bitnami.com/sealedsecrets']) {
      t.same(called(validating, resource, 'kube-system', { [SEALING_KEY_LABEL]: 'active' }), [], `${resource} in kube-system stays unsent, whatever its labels`);
    }    t.match(mutating[0], { name: 'mutate.secretguard.io', failurePolicy: 'Ignore', reinvocationPolicy: 'IfNeeded', clientConfig: { service: { path: '/mutate' } }, ...common });
    for (const webhook of validating) t.notOk(webhook.clientConfig.caBundle, `${webhook.name}: selfManaged: no caBundle rendered (secretguard patches it)`);
    t.same(validating[0]?.rules, expectedRules(data.validating), 'validate.secretguard.io: exactly the kinds and operations of the rules, minus workloads');
    t.same(validating[1]?.rules, expectedRules(data.validatingWorkloads), 'validate-workloads.secretguard.io: exactly the workload kinds and operations of the rules');
    t.same(mutating[0]?.rules, expectedRules(data.mutating), 'mutating rules: exactly the kinds and operations of the mutators');
    const all = webhookResources(allRules.map((rule) => ({ id: rule.meta.id, defaultEnabled: true, match: rule.meta.match })));
    t.same(
      [...data.validating, ...data.validatingWorkloads].map(key).sort(),
      all.map(key).sort(),
      'every resource a rule matches goes to exactly one of the two validating webhooks',
    );
    const receives = (webhook: Webhook | undefined): Set<string> => new Set(webhook?.rules.map((r) => `${r.apiGroups[0] ?? ''}/${r.resources[0] ?? ''}`));
    const secretBearing = receives(validating[0]);
    const workloads = receives(validating[1]);
    for (const r of ['/secrets', '/configmaps', 'bitnami.com/sealedsecrets', 'external-secrets.io/externalsecrets', 'external-secrets.io/clustersecretstores', 'argoproj.io/applications']) {
      t.ok(secretBearing.has(r), `validate.secretguard.io (Fail) receives ${r}`);
      t.notOk(workloads.has(r), `validate-workloads.secretguard.io does not receive ${r}`);
    }
    for (const r of ['/pods', '/pods/ephemeralcontainers', '/replicationcontrollers', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs', 'batch/cronjobs', 'argoproj.io/rollouts']) {
      t.ok(workloads.has(r), `validate-workloads.secretguard.io (Ignore) receives ${r}`);
      t.notOk(secretBearing.has(r), `validate.secretguard.io does not receive ${r}`);
    }

    const failOpenSecrets = webhooksOf(find(render(helm, [], ['--set', 'webhook.validating.failurePolicy=Ignore']).objects, 'ValidatingWebhookConfiguration'));
    t.same(failOpenSecrets.map((w) => w.failurePolicy), ['Ignore', 'Ignore', 'Fail'], 'webhook.validating.failurePolicy sets validate.secretguard.io only');
    const failClosedWorkloads = webhooksOf(find(render(helm, [], ['--set', 'webhook.validatingWorkloads.failurePolicy=Fail']).objects, 'ValidatingWebhookConfiguration'));
    t.same(failClosedWorkloads.map((w) => w.failurePolicy), ['Fail', 'Fail', 'Fail'], 'webhook.validatingWorkloads.failurePolicy sets validate-workloads.secretguard.io only');
    const openKeys = webhooksOf(find(render(helm, [], ['--set', 'webhook.validatingSealingKeys.failurePolicy=Ignore']).objects, 'ValidatingWebhookConfiguration'));
    t.same(openKeys.map((w) => w.failurePolicy), ['Fail', 'Ignore', 'Ignore'], 'webhook.validatingSealingKeys.failurePolicy sets validate-sealing-keys.secretguard.io only');
    const keysOff = webhooksOf(find(render(helm, [], ['--set', 'config.rules.no-sealing-key-in-git=off']).objects, 'ValidatingWebhookConfiguration'));
    t.same(keysOff.map((w) => w.name), ['validate.secretguard.io', 'validate-workloads.secretguard.io'], 'no-sealing-key-in-git off: no sealing-key webhook');

    // RBAC: read-only cluster view; caBundle patch and Secret scoped by resourceNames.
    const view = find(objects, 'ClusterRole', 'secretguard-view');
    for (const rule of (view?.['rules'] as { verbs: string[] }[] | undefined) ?? []) t.same(rule.verbs, ['get', 'list', 'watch']);
    t.same(find(objects, 'ClusterRole', 'secretguard-cabundle')?.['rules'], [
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'], resourceNames: ['secretguard'], verbs: ['get', 'patch'] },
    ]);
    t.same(find(objects, 'Role', 'secretguard-tls')?.['rules'], [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['secretguard-tls'], verbs: ['get', 'update'] },
    ]);
    t.notOk(objects.some((o) => o.kind.endsWith('Role') && JSON.stringify(o['rules']).includes('"*"')), 'no wildcard in RBAC');
  });

  t.test('certManager mode', async (t) => {
    const { objects } = render(helm, [join(VALUES_DIR, 'cert-manager.yaml')]);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      t.equal(find(objects, kind)?.metadata.annotations?.['cert-manager.io/inject-ca-from'], 'secretguard/secretguard-tls');
    }
    const certificate = find(objects, 'Certificate', 'secretguard-tls');
    t.match(certificate?.['spec'], { secretName: 'secretguard-tls', dnsNames: ['secretguard.secretguard.svc', 'secretguard.secretguard.svc.cluster.local'], issuerRef: { name: 'secretguard-ca', kind: 'Issuer' } });
    t.ok(find(objects, 'Issuer', 'secretguard-selfsigned'));
    t.notOk(find(objects, 'Role', 'secretguard-tls'), 'no Secret access');
    t.notOk(find(objects, 'ClusterRole', 'secretguard-cabundle'));
    const pod = podSpec(find(objects, 'Deployment'));
    t.match((pod['volumes'] as { name: string }[]).find((v) => v.name === 'tls'), { secret: { secretName: 'secretguard-tls' } });
    t.notOk(((pod['containers'] as { args: string[] }[])[0]?.args ?? []).some((a) => a.startsWith('--cert-mode')));

    const withIssuer = render(helm, [join(VALUES_DIR, 'cert-manager-issuer.yaml')]).objects;
    t.match(find(withIssuer, 'Certificate', 'secretguard-tls')?.['spec'], { issuerRef: { name: 'platform-ca', kind: 'ClusterIssuer' } });
    t.notOk(find(withIssuer, 'Issuer'), 'no self-signed issuer when one is given');
  });

  t.test('provided mode', async (t) => {
    const { objects } = render(helm, [join(VALUES_DIR, 'provided.yaml')]);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      t.equal(webhooksOf(find(objects, kind))[0]?.clientConfig.caBundle, 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==');
    }
    t.match((podSpec(find(objects, 'Deployment'))['volumes'] as { name: string }[]).find((v) => v.name === 'tls'), { secret: { secretName: 'my-webhook-tls' } });
    const missing = runHelm(helm, templateArgs([], ['--set', 'certificates.mode=provided', '--set', 'certificates.provided.caBundle=Cg==']));
    t.not(missing.code, 0);
    t.match(missing.stderr, /certificates\.provided\.secretName is required/);
  });

  t.test('everything on: HPA, monitoring, rules turned off, excluded namespaces', async (t) => {
    const { objects } = render(helm, [join(VALUES_DIR, 'everything.yaml')]);
    t.match(find(objects, 'HorizontalPodAutoscaler', 'sg')?.['spec'], { minReplicas: 2, maxReplicas: 6, metrics: [{ resource: { name: 'cpu' } }] });
    t.notOk((find(objects, 'Deployment')?.['spec'] as Record<string, unknown>)['replicas'], 'the HPA owns replicas');
    t.equal(podSpec(find(objects, 'Deployment'))['priorityClassName'], 'system-cluster-critical');
    t.ok(find(objects, 'ServiceMonitor', 'sg'));
    const groups = (find(objects, 'PrometheusRule', 'sg')?.['spec'] as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
    t.same(groups[0]?.rules.map((r) => r.alert), ['SecretGuardWebhookErrors', 'SecretGuardWebhookLatency', 'SecretGuardClusterViewStale', 'SecretGuardCertificateExpiry', 'SecretGuardDenialSpike']);
    const validating = webhooksOf(find(objects, 'ValidatingWebhookConfiguration', 'sg'))[0];
    t.equal(validating?.timeoutSeconds, 10);
    t.same(validating?.namespaceSelector.matchExpressions[0]?.values, ['kube-system', 'secretguard', 'argocd'], 'user namespaces added, duplicates dropped');
    t.same(validating?.rules, expectedRules(data.validating, new Set(['argocd-ignore-differences-scope', 'no-credential-in-configmap'])), 'rules turned off are not sent');
    const workloads = webhooksOf(find(objects, 'ValidatingWebhookConfiguration', 'sg'))[1];
    t.equal(workloads?.name, 'validate-workloads.secretguard.io');
    t.equal(workloads?.timeoutSeconds, 10, 'same timeout');
    t.same(workloads?.namespaceSelector, validating?.namespaceSelector, 'same namespaceSelector');
    const keys = webhooksOf(find(objects, 'ValidatingWebhookConfiguration', 'sg'))[2];
    t.same(keys?.namespaceSelector.matchExpressions[0], { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['kube-system', 'secretguard', 'argocd'] }, 'sealing keys from exactly the namespaces the others exclude');
    t.equal(keys?.timeoutSeconds, 10, 'same timeout');
    t.notOk(validating?.rules.some((r) => r.resources.includes('configmaps')), 'no rule left for ConfigMaps: the webhook does not receive them');
  });

  t.test('per-spoke values (examples/argocd)', async (t) => {
    const [prod, staging] = SPOKE_VALUES.map((f) => render(helm, [f]).objects);
    t.equal(find(prod ?? [], 'Deployment')?.metadata.labels?.['secretguard.io/cluster'], 'prod-eu-1');
    t.same(webhooksOf(find(prod ?? [], 'ValidatingWebhookConfiguration')).map((w) => w.failurePolicy).slice(0, 2), ['Fail', 'Ignore'], 'prod: Secrets fail closed, workloads open');
    t.same(webhooksOf(find(staging ?? [], 'ValidatingWebhookConfiguration')).map((w) => w.failurePolicy).slice(0, 2), ['Ignore', 'Ignore'], 'staging: both fail open');
    const config = (find(prod ?? [], 'ConfigMap')?.['data'] as Record<string, string>)['config.yaml'] ?? '';
    t.match(config, /sealedsecret-ciphertext:\n\s+action: deny\n\s+options:\n\s+certificates:\n\s+- \|\n\s+-----BEGIN CERTIFICATE-----/);
    t.match(config, /team-b-vault/);
    const stagingConfig = (find(staging ?? [], 'ConfigMap')?.['data'] as Record<string, string>)['config.yaml'] ?? '';
    t.match(stagingConfig, /no-plaintext-secret:\n\s+action: warn/, 'a bare action is written in object form');
  });

  t.test('first install: Argo CD registers the webhooks only after the pods that serve them are healthy', async (t) => {
    for (const mode of ['selfManaged', 'certManager'] as const) {
      const { objects } = render(helm, [], [`--set=certificates.mode=${mode}`]);
      const wave = (o: K8sObject | undefined): number => Number(o?.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');
      for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
        t.equal(wave(find(objects, kind)), 1, `${mode}: ${kind} in sync wave 1`);
      }
      const others = objects.filter((o) => !o.kind.endsWith('WebhookConfiguration'));
      t.ok(others.length > 0 && others.every((o) => wave(o) < 1), `${mode}: the Deployment, Service, RBAC and certificates come in earlier waves`);
    }
    const moved = render(helm, [], ['--set=webhook.syncWave=5']).objects;
    t.equal(find(moved, 'ValidatingWebhookConfiguration')?.metadata.annotations?.['argocd.argoproj.io/sync-wave'], '5', 'the wave is configurable');
  });

  t.test('values.schema.json rejects typos and bad values', async (t) => {
    const cases: [string, string[]][] = [
      ['misspelt top-level key (file)', ['--values', join(VALUES_DIR, 'typo.yaml')]],
      ['misspelt nested key', ['--set', 'webhook.timeoutSecond=5']],
      ['unknown failure policy', ['--set', 'webhook.validating.failurePolicy=Maybe']],
      ['unknown workload failure policy', ['--set', 'webhook.validatingWorkloads.failurePolicy=Maybe']],
      ['misspelt workload webhook key', ['--set', 'webhook.validatingWorkload.failurePolicy=Ignore']],
      ['unknown sealing-key failure policy', ['--set', 'webhook.validatingSealingKeys.failurePolicy=Maybe']],
      ['timeout out of range', ['--set', 'webhook.timeoutSeconds=31']],
      ['unknown certificate mode', ['--set', 'certificates.mode=genCA']],
      ['misspelt rule id in config', ['--set', 'config.rules.no-plaintext-secert=deny']],
      ['unknown config field', ['--set', 'config.logLevl=debug']],
      ['bad rule option', ['--set', 'config.rules.sealedsecret-scope.options.nonsense=1']],
    ];
    for (const [label, args] of cases) {
      const result = runHelm(helm, templateArgs([], args));
      t.not(result.code, 0, label);
      t.match(result.stderr, /values don't meet the specifications of the schema|schema/, label);
    }
    t.equal(runHelm(helm, templateArgs([], ['--set', 'config.rules.no-plaintext-secret=warn'])).code, 0, 'a real rule id is accepted');
  });

  t.test('templates never use Helm\'s random or generated values', async (t) => {
    const dir = join(CHART, 'templates');
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8');
      t.notMatch(text, /\b(genCA|genSelfSignedCert|genSignedCert|genPrivateKey|randAlphaNum|randAlpha|randNumeric|randAscii|uuidv4|now)\b/, file);
      t.notMatch(text, /\blookup\b/, `${file}: no lookup (Argo CD renders without a cluster)`);
    }
  });
}
