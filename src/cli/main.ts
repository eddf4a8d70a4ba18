#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { ManifestError } from '../manifests/load.js';
import { registerConfig } from './config.js';
import { EXIT_USAGE, UsageError } from './exit.js';
import { registerCert } from './cert.js';
import { registerReview } from './review.js';
import { registerRules } from './rules.js';
import { registerScan } from './scan.js';
import { registerServe } from './serve.js';
import { VERSION } from './version.js';

const program = new Command('secretguard')
  .description('keeps secrets out of git and inside their tenant')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

registerScan(program);
registerRules(program);
registerConfig(program);
registerServe(program);
registerCert(program);
registerReview(program);

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
    process.stderr.write(`${error.message}\n`);
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
