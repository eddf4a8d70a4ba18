import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export const TLS_MIN_VERSION = 'TLSv1.2';
/**
 * TLS 1.2 suites allowed besides TLS 1.3's (all AEAD): ECDHE key exchange with AES-GCM or
 * ChaCha20-Poly1305 only, as in Mozilla's "intermediate" profile. Node's default list also admits
 * CBC and static-RSA suites through `HIGH`.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** What the HTTPS server is started with and what every reload installs. */
export interface ServingTlsOptions {
  key: Buffer;
  cert: Buffer;
  minVersion: 'TLSv1.2';
  ciphers: string;
  honorCipherOrder: true;
}

export interface ServingCertificate {
  key: Buffer;
  cert: Buffer;
  notAfter: Date;
}

/** The key or certificate could not be read, or they do not match; the message names files and an error code only. */
export class TlsLoadError extends Error {
  override name = 'TlsLoadError';
  constructor(certPath: string, keyPath: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause instanceof Error ? cause.name : 'error');
    super(`cannot load the serving certificate ${certPath} with key ${keyPath} (${code})`);
  }
}

/** A server whose certificate can be swapped for new handshakes (https.Server, tls.Server). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** Read and check a key and certificate pair: both parse, and the key matches the certificate. */
export function readServingCertificate(certPath: string, keyPath: string): ServingCertificate {
  const cert = readFileSync(certPath);
  const key = readFileSync(keyPath);
  const x509 = new X509Certificate(cert);
  // Throws when the key does not parse or does not match the certificate.
  createSecureContext({ key, cert, minVersion: TLS_MIN_VERSION });
  return { key, cert, notAfter: new Date(x509.validTo) };
}

/**
 * The serving key and certificate, reloaded without restart when the files change (cert-manager
 * and Secret mounts rotate them by swapping a symlink in the directory). New handshakes get the
 * new pair; connections already open keep theirs, so in-flight requests are not dropped. A bad
 * new pair is refused: the old one stays, with an error line and a metric.
 */
export class TlsReloader {
  private current: ServingCertificate;
  private digest: string;
  private target: SecureContextTarget | undefined;
  private readonly watchers: FSWatcher[] = [];
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;

  constructor(
    private readonly certPath: string,
    private readonly keyPath: string,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    try {
      this.current = readServingCertificate(certPath, keyPath);
    } catch (error) {
      throw new TlsLoadError(certPath, keyPath, error);
    }
    this.digest = digestOf(this.current);
    this.metrics.certificateExpiry.set(this.current.notAfter.getTime() / 1000);
  }

  get certificate(): ServingCertificate {
    return this.current;
  }

  /** Options for fastify's `https`. */
  httpsOptions(): ServingTlsOptions {
    return { key: this.current.key, cert: this.current.cert, minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS, honorCipherOrder: true };
  }

  attach(target: SecureContextTarget): void {
    this.target = target;
  }

  reload(): boolean {
    let next: ServingCertificate;
    try {
      next = readServingCertificate(this.certPath, this.keyPath);
    } catch (error) {
      // Halfway through a rotation the key may not match the certificate yet: the next event retries.
      this.metrics.tlsReloads.inc({ result: 'failure' });
      this.logger.error(
        { cert: this.certPath, reason: (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'error') },
        'serving certificate reload refused; the previous certificate stays in force',
      );
      return false;
    }
    const digest = digestOf(next);
    if (digest === this.digest) return false;
    this.target?.setSecureContext({ key: next.key, cert: next.cert, minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS, honorCipherOrder: true });
    this.current = next;
    this.digest = digest;
    this.metrics.tlsReloads.inc({ result: 'success' });
    this.metrics.certificateExpiry.set(next.notAfter.getTime() / 1000);
    this.logger.info({ cert: this.certPath, notAfter: next.notAfter.toISOString() }, 'serving certificate reloaded');
    return true;
  }

  watch(pollMs = 60_000, debounceMs = 100): void {
    const names = new Set([basename(this.certPath), basename(this.keyPath)]);
    const schedule = (): void => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), debounceMs);
    };
    for (const directory of new Set([dirname(this.certPath), dirname(this.keyPath)])) {
      try {
        const watcher = watch(directory, (_event, file) => {
          if (file === null || names.has(file) || file.startsWith('..')) schedule();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        this.logger.warn({ directory }, 'cannot watch the certificate directory; polling only');
      }
    }
    this.poller = setInterval(() => this.reload(), pollMs);
    this.poller.unref();
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }
}

function digestOf(pair: ServingCertificate): string {
  return createHash('sha256').update(pair.cert).update(pair.key).digest('hex');
}
