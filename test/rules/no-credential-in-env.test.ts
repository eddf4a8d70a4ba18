import rule from '../../src/rules/no-credential-in-env.js';
import { AWS_KEY_ID, AWS_SECRET, canariesIn, DB_PASSWORD, DB_URL, GITHUB_CLASSIC, STRIPE_LIVE } from '../detectors/fixtures.js';
import type { JsonObject } from '../../src/k8s/json.js';
import { ruleTester } from '../rule-tester.js';

const podSpec = (env: unknown[], list = 'containers') => ({ [list]: [{ name: 'api', image: 'ghcr.io/acme/api:1.4.2', env }] });
const template = (env: unknown[], list = 'containers') => ({ metadata: { labels: { app: 'api' } }, spec: podSpec(env, list) });
const workload = (apiVersion: string, kind: string, spec: Record<string, unknown>): JsonObject => ({ apiVersion, kind, metadata: { name: 'api', namespace: 'my-app' }, spec }) as JsonObject;
const tokenEnv = [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'GITHUB_TOKEN', value: GITHUB_CLASSIC }];
/** A running Pod as the API server sends it for `kubectl debug` (pods/ephemeralcontainers, UPDATE). */
const debugged = (env: unknown[]): JsonObject =>
  workload('v1', 'Pod', {
    containers: [{ name: 'api', image: 'ghcr.io/acme/api:1.4.2', env: [{ name: 'LOG_LEVEL', value: 'info' }] }],
    ephemeralContainers: [{ name: 'debugger-x7k2p', image: 'busybox:1.37', targetContainerName: 'api', env }],
  });

const kinds: [string, string, Record<string, unknown>, string][] = [
  ['v1', 'Pod', podSpec(tokenEnv), '/spec/containers/0/env/1/value'],
  ['apps/v1', 'Deployment', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
  ['apps/v1', 'StatefulSet', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
  ['apps/v1', 'DaemonSet', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
  ['apps/v1', 'ReplicaSet', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
  ['batch/v1', 'Job', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
  ['batch/v1', 'CronJob', { schedule: '@daily', jobTemplate: { spec: { template: template(tokenEnv) } } }, '/spec/jobTemplate/spec/template/spec/containers/0/env/1/value'],
  ['argoproj.io/v1alpha1', 'Rollout', { template: template(tokenEnv) }, '/spec/template/spec/containers/0/env/1/value'],
];

/** Env shapes from public GitOps repositories (docs/accuracy.md): names given as values, placeholders. */
const namesAndPlaceholders = [
  { name: 'HF_TOKEN', value: 'HF_TOKEN' },
  { name: 'NGC_API_KEY', value: 'nvapi-NVKEY' },
  { name: 'GOOGLE_API_KEY', value: 'GOOGLE_API_KEY_VAL' },
  { name: 'MYSQL_ALLOW_EMPTY_PASSWORD', value: 'yes' },
  { name: 'MYSQL_RANDOM_ROOT_PASSWORD', value: '1' },
  { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
  { name: 'OPENAI_API_KEY', value: '<your-openai-key>' },
];

/** Literal credentials the sweep found missed: MinIO and database quick-starts. */
const missed: [string, string][] = [
  ['MINIO_ACCESS_KEY', 'minio'],
  ['MINIO_SECRET_KEY', 'minio123'],
  ['MINIO_ROOT_PASSWORD', 'minio-root-pw'],
  ['USER_PASSWORD', 'guest'],
  ['AUTOMATION_TOKEN', 'ci-automation-7'],
  ['MYSQL_PASSWORD', 'password'],
  ['POSTGRES_PASSWORD', 'pg'],
  ['MYSQL_ROOT_PASSWORD', 'root'],
];

ruleTester(rule, {
  valid: [
    { name: 'env var names and obvious placeholders given as values', object: workload('apps/v1', 'Deployment', { template: template(namesAndPlaceholders) }), source: 'cli' },
    {
      name: 'valueFrom.secretKeyRef is the fix',
      object: workload('apps/v1', 'Deployment', { template: template([{ name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }]) }),
      source: 'cli',
    },
    {
      name: 'ordinary settings',
      object: workload('apps/v1', 'Deployment', {
        template: template([
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'DATABASE_HOST', value: 'postgres-primary.db.svc.cluster.local' },
          { name: 'DATABASE_URL', value: 'postgres://app:$(DB_PASSWORD)@db:5432/app' },
          { name: 'DB_PASSWORD_FILE', value: '/run/secrets/db/password' },
          { name: 'REQUEST_ID_SALT', value: '6f1c3c7e-2b9a-4f3e-9d5a-0a1b2c3d4e5f' },
          { name: 'IMAGE_DIGEST', value: 'sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31' },
          { name: 'DB_PASSWORD', value: '{{ .Values.db.password }}' },
          { name: 'API_KEY', value: '${API_KEY}' },
        ]),
      }),
      source: 'cli',
    },
    { name: 'Rollout with workloadRef has no template', object: workload('argoproj.io/v1alpha1', 'Rollout', { workloadRef: { kind: 'Deployment', name: 'api' } }), source: 'cli' },
    { name: 'wrong shapes', object: workload('apps/v1', 'Deployment', { template: { spec: { containers: [null, 'x', { env: 'x' }, { env: [null, { name: 1, value: 2 }] }] } } }), source: 'cli' },
    {
      name: 'pods/ephemeralcontainers: an ephemeral container with plain settings',
      object: debugged([{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'GITHUB_TOKEN', valueFrom: { secretKeyRef: { name: 'gh', key: 'token' } } }]),
      oldObject: debugged([]),
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
    },
    // Other subresources never write env; the rule is not asked about them, whatever the object holds.
    ...['status', 'resize', 'binding', 'eviction'].map((subResource) => ({
      name: `pods/${subResource} is not judged`,
      object: workload('v1', 'Pod', podSpec(tokenEnv)),
      oldObject: workload('v1', 'Pod', podSpec(tokenEnv)),
      operation: 'UPDATE' as const,
      subResource,
    })),
    {
      name: 'a Deployment with a subresource (scale) is not judged',
      object: workload('apps/v1', 'Deployment', { template: template(tokenEnv) }),
      operation: 'UPDATE',
      subResource: 'scale',
    },
    {
      name: 'ephemeralcontainers on a kind other than Pod is not judged',
      object: workload('apps/v1', 'Deployment', { template: template(tokenEnv) }),
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
    },
    { name: 'DELETE', object: null, oldObject: workload('v1', 'Pod', podSpec(tokenEnv)), operation: 'DELETE' },
  ],
  invalid: [
    ...missed.map(([env, value]) => ({
      name: `a literal ${env} of a quick-start`,
      object: workload('apps/v1', 'StatefulSet', { template: template([{ name: 'MINIO_VOLUMES', value: '/data' }, { name: env, value }]) }),
      source: 'cli' as const,
      errors: [{ messageId: 'credentialInEnv' as const, action: 'deny' as const, field: '/spec/template/spec/containers/0/env/1/value', messageIncludes: [`env \`${env}\``] }],
    })),
    ...kinds.map(([apiVersion, kind, spec, field]) => ({
      name: `${kind} with a literal GitHub token`,
      object: workload(apiVersion, kind, spec),
      source: 'cli' as const,
      errors: [{ messageId: 'credentialInEnv' as const, action: 'deny' as const, field, messageIncludes: [`${kind} api`, 'container `api`', 'env `GITHUB_TOKEN`', 'GitHub token', 'valueFrom.secretKeyRef'] }],
      canaries: canariesIn(GITHUB_CLASSIC),
    })),
    {
      name: 'init and ephemeral containers, several credentials',
      object: workload('v1', 'Pod', {
        initContainers: [{ name: 'migrate', env: [{ name: 'DATABASE_URL', value: DB_URL }] }],
        containers: [{ name: 'api', env: [{ name: 'AWS_ACCESS_KEY_ID', value: AWS_KEY_ID }, { name: 'AWS_SECRET_ACCESS_KEY', value: AWS_SECRET }] }],
        ephemeralContainers: [{ name: 'debug', env: [{ name: 'STRIPE_KEY', value: STRIPE_LIVE }, { name: 'DB_PASSWORD', value: DB_PASSWORD }] }],
      }),
      requester: { username: 'alice', groups: [] },
      errors: [
        { messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/initContainers/0/env/0/value', messageIncludes: ['container `migrate`', 'database URL with a password'] },
        { messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/containers/0/env/0/value', messageIncludes: ['AWS access key id'] },
        { messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/containers/0/env/1/value', messageIncludes: ['AWS secret access key'] },
        { messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/ephemeralContainers/0/env/0/value', messageIncludes: ['Stripe secret key'] },
        { messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/ephemeralContainers/0/env/1/value', messageIncludes: ['generic password'] },
      ],
      canaries: [DB_PASSWORD, ...canariesIn(AWS_KEY_ID), ...canariesIn(AWS_SECRET), ...canariesIn(STRIPE_LIVE)],
    },
    ...(
      [
        ['GITHUB_TOKEN', GITHUB_CLASSIC, 'GitHub token', canariesIn(GITHUB_CLASSIC)],
        ['AWS_SECRET_ACCESS_KEY', AWS_SECRET, 'AWS secret access key', canariesIn(AWS_SECRET)],
        ['DB_PASSWORD', DB_PASSWORD, 'generic password', [DB_PASSWORD]],
        ['DATABASE_URL', DB_URL, 'database URL with a password', []],
      ] as const
    ).map(([env, value, what, canaries]) => ({
      name: `pods/ephemeralcontainers: kubectl debug with a literal ${what}`,
      object: debugged([{ name: 'TERM', value: 'xterm' }, { name: env, value }]),
      oldObject: debugged([]),
      operation: 'UPDATE' as const,
      subResource: 'ephemeralcontainers',
      errors: [{ messageId: 'credentialInEnv' as const, action: 'deny' as const, field: '/spec/ephemeralContainers/0/env/1/value', messageIncludes: ['Pod api', 'container `debugger-x7k2p`', `env \`${env}\``, what] }],
      canaries: [...canaries],
    })),
    {
      name: 'pods/ephemeralcontainers: a second debug container added next to a clean one',
      object: workload('v1', 'Pod', {
        containers: [{ name: 'api', env: [] }],
        ephemeralContainers: [
          { name: 'debugger-a', env: [{ name: 'TERM', value: 'xterm' }] },
          { name: 'debugger-b', env: [{ name: 'STRIPE_KEY', value: STRIPE_LIVE }] },
        ],
      }),
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
      errors: [{ messageId: 'credentialInEnv' as const, action: 'deny', field: '/spec/ephemeralContainers/1/env/0/value', messageIncludes: ['container `debugger-b`', 'Stripe secret key'] }],
      canaries: canariesIn(STRIPE_LIVE),
    },
  ],
});
