/**
 * One source for what the admission webhooks receive: the rules and mutators secretguard ships.
 *
 *   node dist/scripts/render-webhook-config.js           write the generated files
 *   node dist/scripts/render-webhook-config.js --check   exit 1 when a generated file is stale
 *
 * Generated files:
 *   charts/secretguard/files/webhook-rules.yaml   kinds and operations per rule and mutator, per webhook (read by the chart's templates)
 *   charts/secretguard/values.schema.json         its `config` property: the SecretGuardConfig schema, each rule's options schema
 *   webhook-config/*.yaml                         the two webhook configurations, rendered from the chart by real helm
 *
 * The plain manifests are the chart's own output (`helm template` with webhook-config/values.yaml), so they cannot
 * disagree with it; test/chart/webhook-config.test.ts fails when any of these files is stale.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { configSchema } from '../src/config/schema.js';
import type { MatchKind, Operation, RuleMatch } from '../src/engine/types.js';
import { allMutators } from '../src/mutators/registry.js';
import { allRules } from '../src/rules/registry.js';
import { peerPath } from '../test/e2e/peers.js';

/** Repository root: this file runs from dist/scripts/. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART_DIR = join(ROOT, 'charts', 'secretguard');
export const RULES_FILE = join(CHART_DIR, 'files', 'webhook-rules.yaml');
export const VALUES_SCHEMA_FILE = join(CHART_DIR, 'values.schema.json');
export const PLAIN_DIR = join(ROOT, 'webhook-config');
export const PLAIN_VALUES_FILE = join(PLAIN_DIR, 'values.yaml');
export const PLAIN_FILES = {
  ValidatingWebhookConfiguration: 'validating-webhook-configuration.yaml',
  MutatingWebhookConfiguration: 'mutating-webhook-configuration.yaml',
} as const;

/** Resource (plural) of every kind a rule or mutator may match. A new kind must be added here, or generation fails. */
const RESOURCES: Readonly<Record<string, string>> = {
  '/Secret': 'secrets',
  '/ConfigMap': 'configmaps',
  '/Pod': 'pods',
  '/ReplicationController': 'replicationcontrollers',
  '/Namespace': 'namespaces',
  '/ServiceAccount': 'serviceaccounts',
  'apps/Deployment': 'deployments',
  'apps/StatefulSet': 'statefulsets',
  'apps/DaemonSet': 'daemonsets',
  'apps/ReplicaSet': 'replicasets',
  'batch/Job': 'jobs',
  'batch/CronJob': 'cronjobs',
  'bitnami.com/SealedSecret': 'sealedsecrets',
  'external-secrets.io/ExternalSecret': 'externalsecrets',
  'external-secrets.io/ClusterExternalSecret': 'clusterexternalsecrets',
  'external-secrets.io/SecretStore': 'secretstores',
  'external-secrets.io/ClusterSecretStore': 'clustersecretstores',
  'external-secrets.io/PushSecret': 'pushsecrets',
  'external-secrets.io/ClusterPushSecret': 'clusterpushsecrets',
  'argoproj.io/Application': 'applications',
  'argoproj.io/ApplicationSet': 'applicationsets',
  'argoproj.io/AppProject': 'appprojects',
  'argoproj.io/Rollout': 'rollouts',
  'cert-manager.io/Certificate': 'certificates',
};

/**
 * Pods and the kinds that carry a pod template: the validating rules for them go to a webhook of their own
 * (validate-workloads.secretguard.io, `webhook.validatingWorkloads.failurePolicy`, Ignore by default), so an
 * outage of secretguard does not stop every rollout in the cluster. Every other kind a rule matches (Secrets,
 * ConfigMaps, SealedSecrets, ESO and Argo CD objects, and any kind added to RESOURCES later) goes to
 * validate.secretguard.io (`webhook.validating.failurePolicy`, Fail by default). Keys as in RESOURCES.
 */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  '/Pod',
  '/ReplicationController',
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'apps/ReplicaSet',
  'batch/Job',
  'batch/CronJob',
  'argoproj.io/Rollout',
]);
for (const key of WORKLOAD_KINDS) {
  if (RESOURCES[key] === undefined) throw new Error(`WORKLOAD_KINDS: ${key} is not in RESOURCES`);
}
const WORKLOAD_RESOURCES: ReadonlySet<string> = new Set(
  [...WORKLOAD_KINDS].map((key) => `${key.slice(0, key.indexOf('/'))}/${RESOURCES[key] ?? ''}`),
);

/** Whether a webhook-rules entry belongs to the workload webhook; a subresource (`pods/ephemeralcontainers`) goes with its resource. */
export function isWorkloadResource(resource: Pick<WebhookResource, 'apiGroup' | 'resource'>): boolean {
  const base = resource.resource.split('/')[0] ?? '';
  return WORKLOAD_RESOURCES.has(`${resource.apiGroup}/${base}`);
}

const DEFAULT_OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE'];

/** Rules that must see sealing keys in kube-system, where the chart's namespaceSelector sends nothing else. */
const SEALING_KEY_RULES: ReadonlySet<string> = new Set(['no-sealing-key-in-git']);

export interface WebhookUse {
  /** Rule or mutator id; the chart drops the use when the config turns it off. */
  id: string;
  /** On unless the config says otherwise (rules always; mutators by their defaultMode). */
  defaultEnabled: boolean;
  operations: Operation[];
}

export interface WebhookResource {
  apiGroup: string;
  resource: string;
  /** `*` when any user accepts every version. */
  apiVersions: string[];
  uses: WebhookUse[];
}

/** One key per webhook; the chart's templates/webhooks.yaml renders each key as one webhook. */
export interface WebhookRulesData {
  /** validate.secretguard.io: the secret-bearing kinds (fails closed by default). */
  validating: WebhookResource[];
  /** validate-workloads.secretguard.io: pods and pod-template kinds (WORKLOAD_KINDS; fails open by default). */
  validatingWorkloads: WebhookResource[];
  /**
   * validate-sealing-keys.secretguard.io: Secrets with the sealing-key label from the namespaces the two above exclude
   * (kube-system keeps the keys), for the rule that judges them.
   */
  validatingSealingKeys: WebhookResource[];
  /** mutate.secretguard.io. */
  mutating: WebhookResource[];
}

interface Matcher {
  id: string;
  defaultEnabled: boolean;
  match: RuleMatch;
}

function resourceOf(kind: MatchKind): string {
  const resource = RESOURCES[`${kind.group}/${kind.kind}`];
  if (resource === undefined) {
    throw new Error(`no resource name for ${kind.group === '' ? 'core' : kind.group}/${kind.kind}: add it to RESOURCES in scripts/render-webhook-config.ts`);
  }
  return resource;
}

/** One entry per group/resource, sorted, with the operations each rule or mutator needs on it. */
export function webhookResources(matchers: readonly Matcher[]): WebhookResource[] {
  const byKey = new Map<string, WebhookResource & { anyVersion: boolean; versions: Set<string> }>();
  for (const matcher of matchers) {
    for (const kind of matcher.match.kinds) {
      // A rule that judges a subresource (match.kinds[].subResources) needs its own webhook rule: `pods` does not cover `pods/ephemeralcontainers`.
      const base = resourceOf(kind);
      for (const resource of [base, ...(kind.subResources ?? []).map((sub) => `${base}/${sub}`)]) {
        const key = `${kind.group}/${resource}`;
        let entry = byKey.get(key);
        if (entry === undefined) {
          entry = { apiGroup: kind.group, resource, apiVersions: [], uses: [], anyVersion: false, versions: new Set() };
          byKey.set(key, entry);
        }
        if (kind.versions === undefined) entry.anyVersion = true;
        else for (const version of kind.versions) entry.versions.add(version);
        const operations = [...new Set(matcher.match.operations ?? DEFAULT_OPERATIONS)].sort();
        const existing = entry.uses.find((use) => use.id === matcher.id);
        if (existing === undefined) entry.uses.push({ id: matcher.id, defaultEnabled: matcher.defaultEnabled, operations });
        else existing.operations = [...new Set([...existing.operations, ...operations])].sort();
      }
    }
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, entry]) => ({
      apiGroup: entry.apiGroup,
      resource: entry.resource,
      apiVersions: entry.anyVersion ? ['*'] : [...entry.versions].sort(),
      uses: [...entry.uses].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    }));
}

export function webhookRulesData(): WebhookRulesData {
  const validating = webhookResources(allRules.map((rule) => ({ id: rule.meta.id, defaultEnabled: true, match: rule.meta.match })));
  return {
    validating: validating.filter((resource) => !isWorkloadResource(resource)),
    validatingWorkloads: validating.filter(isWorkloadResource),
    validatingSealingKeys: webhookResources(
      allRules.filter((rule) => SEALING_KEY_RULES.has(rule.meta.id)).map((rule) => ({ id: rule.meta.id, defaultEnabled: true, match: rule.meta.match })),
    ),
    mutating: webhookResources(
      allMutators.map((mutator) => ({ id: mutator.meta.id, defaultEnabled: mutator.meta.defaultMode === 'on', match: mutator.meta.match })),
    ),
  };
}

export function renderRulesFile(data: WebhookRulesData = webhookRulesData()): string {
  return (
    '# Generated by `npm run webhook-config` from the rules and mutators secretguard ships; do not edit.\n' +
    '# templates/webhooks.yaml sends a resource and operation to a webhook only while a rule or mutator that\n' +
    '# needs it is enabled by .Values.config. One key per webhook: validating -> validate.secretguard.io,\n' +
    '# validatingWorkloads (pods and pod-template kinds) -> validate-workloads.secretguard.io, validatingSealingKeys (Secrets with\n' +
    '# the sealing-key label in the excluded namespaces) -> validate-sealing-keys.secretguard.io, mutating -> mutate.secretguard.io.\n' +
    stringify(data, { lineWidth: 0 })
  );
}

/** The `config` value of the chart: the SecretGuardConfig schema, apiVersion and kind optional, each rule's options checked. */
export function configValuesSchema(): Record<string, unknown> {
  // apiVersion and kind are optional here: the chart adds them.
  const base = Object.fromEntries(Object.entries(configSchema).filter(([key]) => key !== 'required'));
  const action = { enum: ['off', 'audit', 'warn', 'deny'] };
  const ruleProperties = Object.fromEntries(
    allRules.map((rule) => [
      rule.meta.id,
      {
        anyOf: [
          action,
          { type: 'object', additionalProperties: false, properties: { action, options: rule.meta.optionsSchema } },
        ],
      },
    ]),
  );
  const mode = { enum: ['on', 'off'] };
  const mutatorProperties = Object.fromEntries(
    allMutators.map((mutator) => [
      mutator.meta.id,
      {
        anyOf: [mode, { type: 'object', additionalProperties: false, properties: { mode, options: mutator.meta.optionsSchema } }],
      },
    ]),
  );
  return {
    description: 'SecretGuardConfig passed through to the webhook (generated from src/config/schema.ts and the rules by `npm run webhook-config`).',
    ...base,
    properties: {
      ...configSchema.properties,
      rules: { type: 'object', additionalProperties: false, properties: ruleProperties },
      mutators: { type: 'object', additionalProperties: false, properties: mutatorProperties },
    },
  };
}

export function renderValuesSchema(current: string): string {
  const schema = JSON.parse(current) as { properties: Record<string, unknown> };
  schema.properties['config'] = configValuesSchema();
  return JSON.stringify(schema, null, 2) + '\n';
}

export function helmBinary(): string | undefined {
  const fromEnv = process.env['HELM'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const peer = peerPath('helm');
  if (peer !== undefined) return peer;
  const which = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : undefined;
}

/** Labels that only mean something to Helm; the plain manifests keep the name and instance labels. */
const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version'];

/** The two webhook configurations as the chart renders them with webhook-config/values.yaml. */
export function renderPlainManifests(helm: string): Record<keyof typeof PLAIN_FILES, string> {
  const result = spawnSync(
    helm,
    ['template', 'secretguard', CHART_DIR, '--namespace', 'secretguard', '--values', PLAIN_VALUES_FILE, '--show-only', 'templates/webhooks.yaml'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  const out: Partial<Record<keyof typeof PLAIN_FILES, string>> = {};
  for (const doc of parseAllDocuments(result.stdout)) {
    const object = doc.toJS() as { kind?: string; metadata?: { labels?: Record<string, string> }; webhooks?: { clientConfig?: Record<string, unknown> }[] } | null;
    if (object === null || (object.kind !== 'ValidatingWebhookConfiguration' && object.kind !== 'MutatingWebhookConfiguration')) continue;
    const labels = object.metadata?.labels ?? {};
    for (const label of HELM_ONLY_LABELS) Reflect.deleteProperty(labels, label);
    for (const webhook of object.webhooks ?? []) {
      if (webhook.clientConfig !== undefined) webhook.clientConfig['caBundle'] = '${CA_BUNDLE}';
    }
    out[object.kind] =
      '# Generated from charts/secretguard by `npm run webhook-config` (helm template with webhook-config/values.yaml); do not edit.\n' +
      '# Substitute ${CA_BUNDLE} before applying; see webhook-config/README.md.\n' +
      stringify(object, { lineWidth: 0 });
  }
  if (out.ValidatingWebhookConfiguration === undefined || out.MutatingWebhookConfiguration === undefined) {
    throw new Error('helm template did not render both webhook configurations');
  }
  return out as Record<keyof typeof PLAIN_FILES, string>;
}

export interface GeneratedFile {
  path: string;
  content: string;
}

/** Every generated file with its expected content; the plain manifests only when helm is at hand. */
export function generatedFiles(helm: string | undefined): { files: GeneratedFile[]; helmMissing: boolean } {
  const files: GeneratedFile[] = [
    { path: RULES_FILE, content: renderRulesFile() },
    { path: VALUES_SCHEMA_FILE, content: renderValuesSchema(readFileSync(VALUES_SCHEMA_FILE, 'utf8')) },
  ];
  if (helm === undefined) return { files, helmMissing: true };
  const manifests = renderPlainManifests(helm);
  for (const kind of Object.keys(PLAIN_FILES) as (keyof typeof PLAIN_FILES)[]) {
    files.push({ path: join(PLAIN_DIR, PLAIN_FILES[kind]), content: manifests[kind] });
  }
  return { files, helmMissing: false };
}

/** Files whose content on disk differs from what generation gives. */
export function staleFiles(files: readonly GeneratedFile[]): string[] {
  return files.filter((file) => !existsSync(file.path) || readFileSync(file.path, 'utf8') !== file.content).map((file) => file.path);
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const helm = helmBinary();
  if (check) {
    const { files, helmMissing } = generatedFiles(helm);
    const stale = staleFiles(files);
    for (const path of stale) process.stderr.write(`stale: ${path} (run npm run webhook-config)\n`);
    if (helmMissing) process.stderr.write('helm not found (scripts/peers/build.sh helm): webhook-config/ not checked\n');
    return stale.length > 0 || helmMissing ? 1 : 0;
  }
  // The chart reads the rules file, so it is written before helm renders the plain manifests.
  mkdirSync(join(CHART_DIR, 'files'), { recursive: true });
  writeFileSync(RULES_FILE, renderRulesFile());
  writeFileSync(VALUES_SCHEMA_FILE, renderValuesSchema(readFileSync(VALUES_SCHEMA_FILE, 'utf8')));
  if (helm === undefined) {
    process.stderr.write('helm not found (run scripts/peers/build.sh helm, or set HELM): webhook-config/ not written\n');
    return 1;
  }
  const manifests = renderPlainManifests(helm);
  for (const kind of Object.keys(PLAIN_FILES) as (keyof typeof PLAIN_FILES)[]) {
    writeFileSync(join(PLAIN_DIR, PLAIN_FILES[kind]), manifests[kind]);
  }
  process.stdout.write(`wrote ${RULES_FILE}, ${VALUES_SCHEMA_FILE}, ${PLAIN_DIR}/*.yaml\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
