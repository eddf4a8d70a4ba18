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
import type { EventLogger } from '../log.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  caBundleOf,
  caBundlePatch,
  parseStoredCertificates,
  renewalDecision,
  secretBody,
  trustBundle,
  WEBHOOK_CONFIGURATION_KINDS,
  type StoredCertificates,
} from './decisions.js';
import { generateCertificates, serviceDnsNames, type CertificateRequest, type GeneratedCertificates } from './generate.js';
import { kubeCertificateApi, statusOf, type CertificateApi } from './kube-api.js';

const DAY_MS = 24 * 60 * 60 * 1000;

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
  logger?: EventLogger;
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

const silent: EventLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

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

/** While a webhook configuration is missing at start-up, look again this often, for this long. */
const MISSING_RETRY_MS = 2000;
const MISSING_RETRY_FOR_MS = 5 * 60_000;

/**
 * Run once (errors propagate: without a certificate there is nothing to serve), then every `intervalMs`; errors in
 * later runs are logged and retried at the next tick, while the current certificate keeps serving. On a first
 * install the webhook configurations are registered after the pods are ready (chart sync wave), so while one is
 * missing the check runs every few seconds for a while: the caBundle lands seconds after the configuration does.
 */
export async function startSelfManagedCertificates(
  options: SelfManagedOptions & { intervalMs: number; missingRetryMs?: number; missingRetryForMs?: number },
): Promise<SelfManagedHandle> {
  const logger = options.logger ?? silent;
  const first = await ensureSelfManagedCertificates(options);
  for (const name of first.missing) logger.warn({ webhookConfiguration: name }, 'webhook configuration not found; its caBundle is not managed until it appears');
  const retryMs = options.missingRetryMs ?? MISSING_RETRY_MS;
  const retryUntil = Date.now() + (options.missingRetryForMs ?? MISSING_RETRY_FOR_MS);
  let missing = first.missing.length;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    const soon = missing > 0 && Date.now() < retryUntil;
    timer = setTimeout(tick, soon ? Math.min(retryMs, options.intervalMs) : options.intervalMs);
    timer.unref();
  };
  const tick = (): void => {
    ensureSelfManagedCertificates(options)
      .then((result) => {
        if (result.missing.length < missing) logger.info({ patched: result.patched }, 'webhook configuration appeared; caBundle patched');
        missing = result.missing.length;
      })
      .catch((error: unknown) => {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'self-managed certificate check failed; retrying');
      })
      .finally(schedule);
  };
  schedule();
  return {
    first,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
