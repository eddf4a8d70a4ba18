import { parentPort, workerData } from 'node:worker_threads';
import { buildEngine, loadEffectiveConfig } from '../setup.js';
import { ClusterIndex, type ClusterSnapshot } from '../cluster/cluster-index.js';
import { readSource } from './load.js';
import { checkSources, type Progress } from './scan.js';
import type { WorkerInput, WorkerOutput, WorkerProgress } from './parallel.js';

// Pass two of `scan` for a share of the files. The input comes from parallel.ts in this same process,
// so its shape is known; the config was already validated there.
const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error('scan-worker runs only as a worker thread');

/** Batches of files checked, posted at most ten times a second, when the main thread shows progress. */
function progress(): { onProgress?: Progress } {
  if (!input.progress) return {};
  const pending = { files: 0, resources: 0 };
  let posted = -Infinity;
  return {
    onProgress(files, resources) {
      pending.files += files;
      pending.resources += resources;
      const now = performance.now();
      if (now - posted < 100) return;
      posted = now;
      port?.postMessage({ progress: { ...pending } } satisfies WorkerProgress);
      pending.files = 0;
      pending.resources = 0;
    },
  };
}

// Loading modules and the config overlaps with pass one in the main thread; the view's snapshot comes after.
const engine = buildEngine(loadEffectiveConfig(input.configPath));
port.once('message', (snapshot: ClusterSnapshot) => {
  let output: WorkerOutput;
  try {
    const view = ClusterIndex.fromSnapshot(snapshot);
    const sources = input.files.map((file) => () => readSource(file));
    const only = input.only === undefined ? {} : { only: new Set(input.only) };
    output = { ok: true, report: checkSources(engine, view, sources, { defaultNamespace: input.defaultNamespace, ...only, ...progress() }) };
  } catch (error) {
    output = { ok: false, internal: error instanceof Error ? error.name : typeof error };
  }
  port.postMessage(output);
});
