import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeAdmissionReview, respondMutate, respondValidate, type AdmissionOutcome } from '../admission/review.js';
import { ClusterIndex } from '../cluster/cluster-index.js';
import { viewFromFiles } from '../manifests/scan.js';
import { buildEngine, loadEffectiveConfig } from '../setup.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './exit.js';
import { collect } from './options.js';

export interface ReviewOptions {
  config?: string;
  clusterState?: string[];
  mutate?: boolean;
}

/** Printed on stderr when `review` runs without `--cluster-state`. */
export const EMPTY_VIEW_NOTE = 'note: no --cluster-state given: the cluster view is empty (no Namespaces, stores or ExternalSecrets)';

/**
 * The AdmissionReview response the server would send for `text`, through the same handler.
 * Without cluster state the view is empty and synced: a cluster with nothing in it, rather than a
 * server still syncing, so rules decide instead of denying every object they would look up.
 */
export function reviewText(text: string, name: string, options: ReviewOptions): AdmissionOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${name}: not valid JSON`);
  }
  const decoded = decodeAdmissionReview(json);
  if (!decoded.ok) throw new UsageError(`${name}: ${decoded.error}`);
  const engine = buildEngine(loadEffectiveConfig(options.config));
  const view = hasClusterState(options) ? viewFromFiles(options.clusterState) : emptyView();
  return options.mutate === true ? respondMutate(engine, view, decoded.request) : respondValidate(engine, view, decoded.request);
}

function hasClusterState(options: ReviewOptions): options is ReviewOptions & { clusterState: string[] } {
  return options.clusterState !== undefined && options.clusterState.length > 0;
}

function emptyView(): ClusterIndex {
  const view = new ClusterIndex();
  view.synced = true;
  return view;
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .description('print the AdmissionReview response the webhook would send for a request (`-` reads stdin)')
    .argument('<file>', 'AdmissionReview request JSON, or - for stdin')
    .option('-c, --config <file>', 'SecretGuardConfig file (defaults are embedded)')
    .option('--cluster-state <path>', 'manifests (files or directories) standing for the cluster (repeatable)', collect)
    .option('--mutate', 'answer as the mutating webhook (/mutate) instead of the validating one')
    .action((file: string, options: ReviewOptions) => {
      let text: string;
      try {
        text = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (error) {
        throw new UsageError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const outcome = reviewText(text, file === '-' ? '<stdin>' : file, options);
      if (!hasClusterState(options)) process.stderr.write(`${EMPTY_VIEW_NOTE}\n`);
      process.stdout.write(JSON.stringify(outcome.review) + '\n');
      process.exitCode = outcome.review.response.allowed ? EXIT_OK : EXIT_FINDINGS;
    });
}
