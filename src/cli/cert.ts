import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generateCertificates } from '../certs/generate.js';
import { UsageError } from './exit.js';
import { collect } from './options.js';

interface CertOptions {
  outDir: string;
  service: string;
  namespace: string;
  host?: string[];
  validityDays: string;
  clusterDomain: string;
  force?: boolean;
}

export function registerCert(program: Command): void {
  program
    .command('cert')
    .description('make a CA and a serving certificate for the webhook (installs without cert-manager); prints the caBundle')
    .requiredOption('--out-dir <dir>', 'where ca.crt, tls.crt and tls.key are written')
    .requiredOption('--service <name>', 'Service name of the webhook')
    .requiredOption('--namespace <ns>', 'namespace of the Service')
    .option('--host <name>', 'extra SAN: DNS name or IP address, e.g. localhost or 127.0.0.1 (repeatable)', collect)
    .option('--validity-days <n>', 'validity of both certificates', '365')
    .option('--cluster-domain <domain>', 'cluster DNS domain', 'cluster.local')
    .option('--force', 'overwrite an existing ca.crt, tls.crt or tls.key')
    .action((options: CertOptions) => {
      const validityDays = Number(options.validityDays);
      if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 3650) {
        throw new UsageError('--validity-days must be an integer from 1 to 3650');
      }
      const existing = ['ca.crt', 'tls.crt', 'tls.key'].filter((name) => existsSync(join(options.outDir, name)));
      if (existing.length > 0 && options.force !== true) {
        // Overwriting a CA silently breaks every caBundle made from it.
        throw new UsageError(`${options.outDir} already holds ${existing.join(', ')}; refusing to overwrite without --force`);
      }
      const generated = generateCertificates({
        service: options.service,
        namespace: options.namespace,
        hosts: options.host ?? [],
        validityDays,
        clusterDomain: options.clusterDomain,
      });
      mkdirSync(options.outDir, { recursive: true });
      writeFileSync(join(options.outDir, 'ca.crt'), generated.caCert, { mode: 0o644 });
      writeFileSync(join(options.outDir, 'tls.crt'), generated.cert, { mode: 0o644 });
      writeFileSync(join(options.outDir, 'tls.key'), generated.key, { mode: 0o600 });
      process.stderr.write(
        `wrote ca.crt, tls.crt, tls.key to ${options.outDir} (SANs: ${[...generated.dnsNames, ...generated.ipAddresses].join(', ')}; ` +
          `valid until ${generated.notAfter.toISOString()}); caBundle on stdout\n`,
      );
      process.stdout.write(generated.caBundle + '\n');
    });
}
