/**
 * Self-managed certificates (chart `certificates.mode: selfManaged`): secretguard keeps its CA and serving
 * certificate in a Secret of its own namespace, patches the caBundle of its own webhook configurations, and
 * renews before expiry. Nothing of this is in the rendered chart, so Argo CD sees no drift on re-render
 * (Helm's genCA would change on every render).
 *
 * Every replica runs the same loop. Creation and renewal use optimistic concurrency (create fails with 409,
 * replace carries the resourceVersion), so the replicas converge on one Secret. A renewal makes a new CA; the
 * caBundle keeps the previous CA until it expires, so replicas still serving the old certificate stay trusted
 * until they pick up the new one.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Secret,
} from '@kubernetes/client-node';
import type { Command } from 'commander';
import { generateCertificates, serviceDnsNames, type CertificateRequest, type GeneratedCertificates } from './generate.js';

/** The Secret fields this module reads and writes. */
export interface SecretObject {
  apiVersion?: string;
  kind?: string;
  type?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
}

export const SECRET_KEYS = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'secretguard';
export const WEBHOOK_CONFIGURATION_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'] as const;
export type WebhookConfigurationKind = (typeof WEBHOOK_CONFIGURATION_KINDS)[number];

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the Secret holds, decoded. */
export interface StoredCertificates {
  /** PEM of every CA the caBundle trusts: the current one first, then a previous one until it expires. */
  caBundlePem: string;
  cert: string;
  key: string;
  notAfter: Date;
}

export type RenewalDecision = { action: 'keep' } | { action: 'create' | 'renew'; reason: string };

export interface RenewalPolicy {
  now: Date;
  /** Renew when less than this is left. */
  renewBeforeMs: number;
  /** DNS names the serving certificate must cover (`<service>.<namespace>.svc`, …). */
  dnsNames: readonly string[];
}

/** PEM certificates in a bundle, in order. */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const value = data?.[key];
  return value === undefined || value === '' ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The Secret's data decoded and checked (parses, key matches certificate); undefined when unusable. */
export function parseStoredCertificates(data: Record<string, string> | undefined): StoredCertificates | undefined {
  const caBundlePem = decode(data, SECRET_KEYS.ca);
  const cert = decode(data, SECRET_KEYS.cert);
  const key = decode(data, SECRET_KEYS.key);
  if (caBundlePem === undefined || cert === undefined || key === undefined || splitPem(caBundlePem).length === 0) return undefined;
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    for (const pem of splitPem(caBundlePem)) new X509Certificate(pem);
    return { caBundlePem, cert, key, notAfter: new Date(x509.validTo) };
  } catch {
    return undefined;
  }
}

function subjectAltDnsNames(x509: X509Certificate): Set<string> {
  const names = new Set<string>();
  for (const part of (x509.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) names.add(part.slice(4));
  }
  return names;
}

/** Whether the stored certificates can stay, and if not why: the pure part of the loop. */
export function renewalDecision(stored: StoredCertificates | undefined, hadData: boolean, policy: RenewalPolicy): RenewalDecision {
  if (stored === undefined) return hadData ? { action: 'renew', reason: 'unusable' } : { action: 'create', reason: 'missing' };
  if (stored.notAfter.getTime() - policy.now.getTime() < policy.renewBeforeMs) return { action: 'renew', reason: 'expiring' };
  const x509 = new X509Certificate(stored.cert);
  if (new Date(x509.validFrom).getTime() > policy.now.getTime() + 60 * 60 * 1000) return { action: 'renew', reason: 'not-yet-valid' };
  const sans = subjectAltDnsNames(x509);
  if (policy.dnsNames.some((name) => !sans.has(name))) return { action: 'renew', reason: 'names' };
  const trusted = splitPem(stored.caBundlePem).some((pem) => {
    try {
      return x509.checkIssued(new X509Certificate(pem)) && x509.verify(new X509Certificate(pem).publicKey);
    } catch {
      return false;
    }
  });
  if (!trusted) return { action: 'renew', reason: 'untrusted' };
  return { action: 'keep' };
}

/** The new CA first, then the CAs of the previous bundle that are still valid (so old serving certificates stay trusted). */
export function trustBundle(newCaPem: string, previousBundlePem: string | undefined, now: Date): string {
  const out = [newCaPem.trim()];
  for (const pem of splitPem(previousBundlePem ?? '')) {
    if (out.includes(pem.trim())) continue;
    try {
      if (new Date(new X509Certificate(pem).validTo).getTime() > now.getTime()) out.push(pem.trim());
    } catch {
      // an unreadable entry is dropped
    }
    if (out.length >= 2) break;
  }
  return out.join('\n') + '\n';
}

export function caBundleOf(stored: StoredCertificates): string {
  return Buffer.from(stored.caBundlePem, 'utf8').toString('base64');
}

export function secretBody(name: string, namespace: string, stored: StoredCertificates, resourceVersion?: string): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, 'app.kubernetes.io/component': 'webhook-certificate' },
      annotations: { 'secretguard.io/not-after': stored.notAfter.toISOString() },
      ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    },
    data: {
      [SECRET_KEYS.ca]: Buffer.from(stored.caBundlePem).toString('base64'),
      [SECRET_KEYS.cert]: Buffer.from(stored.cert).toString('base64'),
      [SECRET_KEYS.key]: Buffer.from(stored.key).toString('base64'),
    },
  };
}

/** The parts of a webhook configuration the patch reads. */
export interface WebhookConfigurationLike {
  webhooks?: { name: string; clientConfig?: { caBundle?: string; service?: { name?: string; namespace?: string } } }[];
}

export type JsonPatchOperation = { op: 'test'; path: string; value: unknown } | { op: 'add'; path: string; value: unknown };

/**
 * JSON patch setting caBundle on the webhooks that call this service; empty when they already carry it.
 * Each change is guarded by a `test` of the webhook's name, so a concurrent reorder fails the patch instead of
 * writing into another webhook.
 */
export function caBundlePatch(configuration: WebhookConfigurationLike, caBundle: string, service: { name: string; namespace: string }): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  (configuration.webhooks ?? []).forEach((webhook, index) => {
    const target = webhook.clientConfig?.service;
    if (target?.name !== service.name || target.namespace !== service.namespace) return;
    if (webhook.clientConfig?.caBundle === caBundle) return;
    ops.push({ op: 'test', path: `/webhooks/${index}/name`, value: webhook.name });
    ops.push({ op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundle });
  });
  return ops;
}

/** The Kubernetes calls the loop makes; a fake in the unit tests, client-node against a real API server. */
export interface CertificateApi {
  readSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  /** Resolves to undefined on 409 (someone else created it first). */
  createSecret(namespace: string, body: SecretObject): Promise<SecretObject | undefined>;
  /** Resolves to undefined on 409 (someone else changed it since it was read). */
  replaceSecret(namespace: string, name: string, body: SecretObject): Promise<SecretObject | undefined>;
  readWebhookConfiguration(kind: WebhookConfigurationKind, name: string): Promise<WebhookConfigurationLike | undefined>;
  patchWebhookConfiguration(kind: WebhookConfigurationKind, name: string, patch: JsonPatchOperation[]): Promise<void>;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

async function orUndefinedOn<T>(codes: readonly number[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const code = statusOf(error);
    if (code !== undefined && codes.includes(code)) return undefined;
    throw error;
  }
}

/** CertificateApi through @kubernetes/client-node. */
export function kubeCertificateApi(kubeConfig: KubeConfig): CertificateApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  return {
    readSecret: (namespace, name) => orUndefinedOn([404], () => core.readNamespacedSecret({ name, namespace })),
    createSecret: (namespace, body) => orUndefinedOn([409], () => core.createNamespacedSecret({ namespace, body: Object.assign(new V1Secret(), body) })),
    replaceSecret: (namespace, name, body) => orUndefinedOn([409], () => core.replaceNamespacedSecret({ name, namespace, body: Object.assign(new V1Secret(), body) })),
    readWebhookConfiguration: (kind, name) =>
      orUndefinedOn([404], async () =>
        kind === 'ValidatingWebhookConfiguration'
          ? ((await admission.readValidatingWebhookConfiguration({ name })) as WebhookConfigurationLike)
          : ((await admission.readMutatingWebhookConfiguration({ name })) as WebhookConfigurationLike),
      ),
    async patchWebhookConfiguration(kind, name, patch) {
      if (kind === 'ValidatingWebhookConfiguration') await admission.patchValidatingWebhookConfiguration({ name, body: patch }, jsonPatch);
      else await admission.patchMutatingWebhookConfiguration({ name, body: patch }, jsonPatch);
    },
  };
}

export interface SelfManagedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SelfManagedOptions {
  /** Where the API server is; ignored when `api` is given. */
  kubeConfig?: KubeConfig;
  api?: CertificateApi;
  namespace: string;
  /** Secret (type kubernetes.io/tls) holding ca.crt (the trust bundle), tls.crt and tls.key. */
  secretName: string;
  /** Service the API server calls; the certificate covers `<service>.<namespace>.svc`. */
  service: string;
  /** Names of the webhook configurations to patch; each is looked up as Validating and as Mutating, a missing one is skipped. */
  webhookConfigurations: readonly string[];
  /** Files the server reads (`--tls-cert`, `--tls-key`); written only when their content changes. */
  certFile?: string;
  keyFile?: string;
  validityDays?: number;
  renewBeforeDays?: number;
  clusterDomain?: string;
  hosts?: readonly string[];
  logger?: SelfManagedLogger;
  /** Test seams. */
  now?: () => Date;
  generate?: (request: CertificateRequest) => GeneratedCertificates;
}

export interface EnsureResult {
  action: 'created' | 'renewed' | 'kept' | 'adopted';
  reason?: string;
  notAfter: Date;
  caBundle: string;
  /** `Kind/name` of each webhook configuration patched this time. */
  patched: string[];
  /** `Kind/name` of each webhook configuration that does not exist (e.g. the mutating webhook is disabled). */
  missing: string[];
  filesWritten: boolean;
}

const silent: SelfManagedLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function writeIfChanged(path: string, content: string, mode: number): boolean {
  try {
    if (readFileSync(path, 'utf8') === content) return false;
  } catch {
    // absent: written below
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, path);
  return true;
}

/** Make sure the Secret holds a valid pair, the webhook configurations trust its CA, and the files match it. */
export async function ensureSelfManagedCertificates(options: SelfManagedOptions): Promise<EnsureResult> {
  const api = options.api ?? kubeCertificateApi(options.kubeConfig ?? defaultKubeConfig());
  const logger = options.logger ?? silent;
  const now = options.now ?? (() => new Date());
  const generate = options.generate ?? generateCertificates;
  const validityDays = options.validityDays ?? 365;
  const renewBeforeDays = options.renewBeforeDays ?? 30;
  if (renewBeforeDays >= validityDays) throw new Error('renewBeforeDays must be less than validityDays');
  const dnsNames = serviceDnsNames(options.service, options.namespace, options.clusterDomain);
  const { namespace, secretName } = options;

  let stored: StoredCertificates | undefined;
  let action: EnsureResult['action'] = 'kept';
  let reason: string | undefined;
  for (let attempt = 0; stored === undefined; attempt++) {
    if (attempt >= 5) throw new Error(`Secret ${namespace}/${secretName} kept changing under us; giving up for now`);
    const existing = await api.readSecret(namespace, secretName);
    const current = parseStoredCertificates(existing?.data);
    const decision = renewalDecision(current, existing !== undefined, { now: now(), renewBeforeMs: renewBeforeDays * DAY_MS, dnsNames });
    if (decision.action === 'keep' && current !== undefined) {
      stored = current;
      if (attempt > 0) action = 'adopted';
      break;
    }
    reason = decision.action === 'keep' ? undefined : decision.reason;
    const generated = generate({
      service: options.service,
      namespace,
      validityDays,
      ...(options.clusterDomain !== undefined ? { clusterDomain: options.clusterDomain } : {}),
      ...(options.hosts !== undefined ? { hosts: options.hosts } : {}),
    });
    const next: StoredCertificates = {
      caBundlePem: trustBundle(generated.caCert, current?.caBundlePem, now()),
      cert: generated.cert,
      key: generated.key,
      notAfter: generated.notAfter,
    };
    if (existing === undefined) {
      const created = await api.createSecret(namespace, secretBody(secretName, namespace, next));
      if (created === undefined) continue; // another replica won: read theirs
      action = 'created';
    } else {
      const replaced = await api.replaceSecret(namespace, secretName, secretBody(secretName, namespace, next, existing.metadata?.resourceVersion));
      if (replaced === undefined) continue;
      action = 'renewed';
    }
    stored = next;
    logger.info({ secret: `${namespace}/${secretName}`, reason, notAfter: next.notAfter.toISOString() }, `webhook certificate ${action}`);
  }

  const caBundle = caBundleOf(stored);
  const patched: string[] = [];
  const missing: string[] = [];
  for (const name of options.webhookConfigurations) {
    for (const kind of WEBHOOK_CONFIGURATION_KINDS) {
      for (let attempt = 0; ; attempt++) {
        const configuration = await api.readWebhookConfiguration(kind, name);
        if (configuration === undefined) {
          missing.push(`${kind}/${name}`);
          break;
        }
        const patch = caBundlePatch(configuration, caBundle, { name: options.service, namespace });
        if (patch.length === 0) break;
        try {
          await api.patchWebhookConfiguration(kind, name, patch);
          patched.push(`${kind}/${name}`);
          logger.info({ webhookConfiguration: `${kind}/${name}` }, 'caBundle patched');
          break;
        } catch (error) {
          // A failed `test` (the list changed between read and patch) is a 422: read again, once.
          if (attempt >= 1 || statusOf(error) !== 422) throw error;
        }
      }
    }
  }

  let filesWritten = false;
  if (options.keyFile !== undefined) filesWritten = writeIfChanged(options.keyFile, stored.key, 0o600) || filesWritten;
  if (options.certFile !== undefined) filesWritten = writeIfChanged(options.certFile, stored.cert, 0o644) || filesWritten;
  return { action, ...(reason !== undefined ? { reason } : {}), notAfter: stored.notAfter, caBundle, patched, missing, filesWritten };
}

function defaultKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

export interface SelfManagedHandle {
  /** Result of the first run, done before the server starts. */
  first: EnsureResult;
  stop(): void;
}

/**
 * Run once (errors propagate: without a certificate there is nothing to serve), then every `intervalMs`; errors in
 * later runs are logged and retried at the next tick, while the current certificate keeps serving.
 */
export async function startSelfManagedCertificates(options: SelfManagedOptions & { intervalMs: number }): Promise<SelfManagedHandle> {
  const logger = options.logger ?? silent;
  const first = await ensureSelfManagedCertificates(options);
  for (const name of first.missing) logger.warn({ webhookConfiguration: name }, 'webhook configuration not found; its caBundle is not managed');
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    ensureSelfManagedCertificates(options)
      .catch((error: unknown) => {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'self-managed certificate check failed; retrying');
      })
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    first,
    stop() {
      clearInterval(timer);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// `secretguard serve --cert-mode self-managed`

export interface SelfManagedCliOptions {
  certMode?: string;
  certSecret?: string;
  certNamespace?: string;
  certService?: string;
  certWebhookConfiguration?: string[];
  certValidityDays?: string;
  certRenewBeforeDays?: string;
  certCheckInterval?: string;
  certClusterDomain?: string;
}

/** Adds the `--cert-*` flags to a command (serve). */
export function addSelfManagedOptions(command: Command): Command {
  return command
    .option('--cert-mode <mode>', 'files: use --tls-cert/--tls-key as they are; self-managed: keep them in a Secret, write them there, patch the caBundle', 'files')
    .option('--cert-secret <name>', 'self-managed: Secret holding the CA bundle and serving certificate')
    .option('--cert-namespace <ns>', 'self-managed: namespace of the Secret and Service (default: POD_NAMESPACE)')
    .option('--cert-service <name>', 'self-managed: Service the API server calls')
    .option(
      '--cert-webhook-configuration <name>',
      'self-managed: webhook configuration (validating and mutating) whose caBundle to patch (repeatable)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--cert-validity-days <n>', 'self-managed: validity of the CA and serving certificate', '365')
    .option('--cert-renew-before-days <n>', 'self-managed: renew this long before expiry', '30')
    .option('--cert-check-interval <seconds>', 'self-managed: how often the Secret and caBundle are checked', '60')
    .option('--cert-cluster-domain <domain>', 'self-managed: cluster DNS domain', 'cluster.local');
}

function integer(value: string | undefined, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}

/** SelfManagedOptions from the flags; undefined for `--cert-mode files`. Throws RangeError on a bad flag. */
export function selfManagedOptionsFrom(
  cli: SelfManagedCliOptions,
  files: { certFile: string; keyFile: string; kubeconfig?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): (SelfManagedOptions & { intervalMs: number }) | undefined {
  const mode = cli.certMode ?? 'files';
  if (mode === 'files') return undefined;
  if (mode !== 'self-managed') throw new RangeError('--cert-mode must be files or self-managed');
  const namespace = cli.certNamespace ?? env['POD_NAMESPACE'];
  if (namespace === undefined || namespace === '') throw new RangeError('--cert-mode self-managed needs --cert-namespace or POD_NAMESPACE');
  if (cli.certSecret === undefined || cli.certService === undefined) {
    throw new RangeError('--cert-mode self-managed needs --cert-secret and --cert-service');
  }
  const validityDays = integer(cli.certValidityDays ?? '365', '--cert-validity-days', 2, 3650);
  const renewBeforeDays = integer(cli.certRenewBeforeDays ?? '30', '--cert-renew-before-days', 1, validityDays - 1);
  const kubeConfig = new KubeConfig();
  if (files.kubeconfig !== undefined) kubeConfig.loadFromFile(files.kubeconfig);
  else kubeConfig.loadFromDefault();
  return {
    kubeConfig,
    namespace,
    secretName: cli.certSecret,
    service: cli.certService,
    webhookConfigurations: cli.certWebhookConfiguration ?? [],
    certFile: files.certFile,
    keyFile: files.keyFile,
    validityDays,
    renewBeforeDays,
    clusterDomain: cli.certClusterDomain ?? 'cluster.local',
    intervalMs: integer(cli.certCheckInterval ?? '60', '--cert-check-interval', 1, 86400) * 1000,
  };
}
