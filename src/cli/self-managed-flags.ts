/** The `--cert-*` flags of `secretguard serve --cert-mode self-managed`, turned into SelfManagedOptions. */
import { KubeConfig } from '@kubernetes/client-node';
import { Option, type Command } from 'commander';
import { collect } from './options.js';
import type { SelfManagedOptions } from '../certs/renewal.js';

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
    .addOption(
      new Option('--cert-mode <mode>', 'files: use --tls-cert/--tls-key as they are; self-managed: keep them in a Secret, write them there, patch the caBundle')
        .choices(['files', 'self-managed'])
        .default('files'),
    )
    .option('--cert-secret <name>', 'self-managed: Secret holding the CA bundle and serving certificate')
    .option('--cert-namespace <ns>', 'self-managed: namespace of the Secret and Service (default: POD_NAMESPACE)')
    .option('--cert-service <name>', 'self-managed: Service the API server calls')
    .option(
      '--cert-webhook-configuration <name>',
      'self-managed: webhook configuration (validating and mutating) whose caBundle to patch (repeatable)',
      collect,
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
