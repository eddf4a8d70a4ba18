#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { ManifestError } from '../manifests/load.js';
import { EXIT_USAGE, UsageError } from './exit.js';
import { VERSION } from './version.js';
import nodeModule from 'node:module';

// Node 22.1 and later keep the compiled code of the modules loaded from here on (every command) in a cache
// under the temporary directory, which halves the next run's start-up; Node 20 has no such cache, and
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be written is skipped, never an error.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `secretguard rules | head -1`: a reader that goes away is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const program = new Command('secretguard')
  .description('keeps secrets out of git and inside their tenant')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

// Load only the command being run: `scan` in CI should not pay for the webhook's server, TLS and
// Kubernetes client modules. Help and unknown commands load them all.
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  scan: async () => (await import('./scan.js')).registerScan,
  rules: async () => (await import('./rules.js')).registerRules,
  config: async () => (await import('./config.js')).registerConfig,
  review: async () => (await import('./review.js')).registerReview,
  serve: async () => (await import('./serve.js')).registerServe,
  cert: async () => (await import('./cert.js')).registerCert,
  audit: async () => (await import('./audit.js')).registerAudit,
  completion: async () => (await import('./completion.js')).registerCompletion,
};
const requested = process.argv[2];
// `completion` describes every command, so it loads them all, as help does.
const load = requested === undefined || requested === 'completion' ? undefined : COMMANDS[requested];
for (const loader of load === undefined ? Object.values(COMMANDS) : [load]) (await loader())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with their own (zero) exit code.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof ManifestError) {
    // Line 0: a whole path (one that does not exist), not a place in a file.
    process.stderr.write(error.line === 0 ? `secretguard: ${error.file}: ${error.reason}\n` : `${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`secretguard: ${error.message}\n`);
    return EXIT_USAGE;
  }
  // Only the class name: messages of parsers can quote their input, which may be a secret.
  process.stderr.write(`secretguard: internal error (${error instanceof Error ? error.name : typeof error})\n`);
  return EXIT_USAGE;
}
