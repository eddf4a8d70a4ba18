/**
 * Certificate decisions for self-managed mode: what the Secret holds, whether it can stay, the trust bundle and the
 * caBundle patch. Pure functions over PEM text and plain objects; no Kubernetes calls.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';

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
