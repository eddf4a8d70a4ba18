import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ClusterIndex } from '../cluster/cluster-index.js';
import { summarize, type Progress, type ScanReport } from './scan.js';

export interface WorkerInput {
  configPath: string | undefined;
  files: string[];
  defaultNamespace: string;
  only: string[] | undefined;
  /** Post `progress` messages (at most ten a second) while checking. */
  progress: boolean;
}

export type WorkerOutput = { ok: true; report: ScanReport } | { ok: false; internal: string };
/** Files and resources checked since the last progress message. */
export interface WorkerProgress {
  progress: { files: number; resources: number };
}

/** Below this much input, starting workers costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;
const MAX_WORKERS = 4;

/**
 * How to split a scan of these files over worker threads: contiguous shares with about the same number of
 * bytes each (so results keep file order), or undefined to scan in this thread. One thread below 4 MiB or
 * on one core; otherwise one worker per core, at most 4. `SECRETGUARD_WORKERS` overrides the count (0 or
 * 1: never; N: N workers whatever the size).
 */
export function planParallelScan(files: readonly string[]): string[][] | undefined {
  const override = process.env['SECRETGUARD_WORKERS'];
  const forced = override !== undefined && /^\d+$/.test(override) ? Number(override) : undefined;
  if (files.length < 2 || (forced !== undefined && forced <= 1) || (forced === undefined && availableParallelism() < 2)) return undefined;
  const sizes = files.map((file) => statSync(file).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (forced === undefined && total < PARALLEL_MIN_BYTES) return undefined;
  const count = Math.min(forced ?? Math.min(availableParallelism(), MAX_WORKERS), files.length);
  const result: string[][] = [[]];
  let filled = 0;
  files.forEach((file, index) => {
    const current = result[result.length - 1];
    if (current === undefined) return;
    if (current.length > 0 && filled >= (total * result.length) / count && result.length < count) {
      result.push([file]);
    } else current.push(file);
    filled += sizes[index] ?? 0;
  });
  return result;
}

function resultOf(worker: Worker, onProgress: Progress | undefined): Promise<WorkerOutput> {
  return new Promise((resolve, reject) => {
    worker.on('message', (message: WorkerOutput | WorkerProgress) => {
      if ('progress' in message) onProgress?.(message.progress.files, message.progress.resources);
      else resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`scan worker exited with code ${code}`));
    });
  });
}

/**
 * `scanManifests` for files only, with pass two split over worker threads: the same findings (unreadable
 * files included) in the same order as a scan in one thread.
 */
export async function scanFilesInParallel(options: {
  configPath: string | undefined;
  /** From planParallelScan: one worker per share. */
  shares: readonly (readonly string[])[];
  /** Pass one, run here while the workers start. */
  view: () => ClusterIndex;
  defaultNamespace: string;
  only?: ReadonlySet<string>;
  onProgress?: Progress;
}): Promise<ScanReport> {
  const workers = options.shares.map((files) => {
    const workerData: WorkerInput = {
      configPath: options.configPath,
      files: [...files],
      defaultNamespace: options.defaultNamespace,
      only: options.only === undefined ? undefined : [...options.only],
      progress: options.onProgress !== undefined,
    };
    return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData });
  });
  try {
    const results = Promise.all(workers.map((worker) => resultOf(worker, options.onProgress)));
    // Pass one may throw (unreadable --cluster-state); the workers are then terminated and this rejection is expected.
    results.catch(() => undefined);
    const snapshot = options.view().snapshot();
    for (const worker of workers) worker.postMessage(snapshot);
    const outputs = await results;
    const report: ScanReport = { findings: [], suppressed: [], resources: [], summary: summarize(0, []), skipped: [] };
    for (const output of outputs) {
      if (!output.ok) throw new Error(`scan worker failed (${output.internal})`);
      report.findings.push(...output.report.findings);
      report.suppressed.push(...output.report.suppressed);
      report.resources.push(...output.report.resources);
      report.skipped.push(...output.report.skipped);
    }
    report.summary = summarize(report.resources.length, report.findings, report.suppressed.length);
    return report;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
