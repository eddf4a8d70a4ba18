import { collectFiles, parseManifests, readSource } from '../manifests/load.js';
import { ClusterIndex } from './index.js';

/**
 * A cluster view from manifest files (`serve --cluster-state`, `review --cluster-state`): every
 * Namespace, store and ExternalSecret under the paths, synced at once. Throws ManifestError on
 * unreadable or unparsable files.
 */
export function loadClusterState(paths: readonly string[]): ClusterIndex {
  const index = new ClusterIndex();
  for (const file of collectFiles(paths)) {
    for (const manifest of parseManifests(readSource(file))) index.upsert(manifest.object);
  }
  index.synced = true;
  return index;
}
