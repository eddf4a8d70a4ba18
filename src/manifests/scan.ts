import { ClusterIndex } from '../cluster/index.js';
import { resourceOf, type Engine } from '../engine/engine.js';
import type { Finding, Subject } from '../engine/types.js';
import type { ResourceRef } from '../k8s/object.js';
import { gvkOf, nameOf, namespaceOf } from '../k8s/object.js';
import { isClusterScoped } from '../k8s/scope.js';
import { LineFinder, ManifestError, parseManifests, type LoadedManifest, type ManifestSource } from './load.js';

export interface ScanFinding extends Finding {
  file: string;
  line: number;
}

/** One scanned resource and the rules that applied to it (JUnit writes a testcase for each). */
export interface ScannedResource {
  resource: ResourceRef;
  file: string;
  line: number;
  /** Rules that applied to the resource. */
  rules: string[];
  findings: ScanFinding[];
}

export interface ScanSummary {
  resources: number;
  deny: number;
  warn: number;
  audit: number;
  error: number;
}

export interface ScanReport {
  findings: ScanFinding[];
  resources: ScannedResource[];
  summary: ScanSummary;
  /** Documents that are not Kubernetes objects at all (no apiVersion and no kind), e.g. Helm values files. */
  skipped: { file: string; line: number }[];
}

export interface ScanOptions {
  /** Where to read each input; called again for files with findings to find lines. */
  sources: readonly (() => ManifestSource)[];
  /** Extra cluster state (`--cluster-state`): fed to the view, never evaluated. */
  clusterState: readonly (() => ManifestSource)[];
  /** Namespace for namespaced objects that name none, as kubectl does. */
  defaultNamespace: string;
  only?: ReadonlySet<string>;
}

export const CLI_REQUESTER = { username: 'secretguard-cli', groups: [] as string[] };

/**
 * The subject for a manifest: a CREATE by the CLI. A namespaced object that names no namespace gets the
 * default one, as kubectl does; cluster-scoped objects get none.
 */
export function manifestSubject(manifest: LoadedManifest, defaultNamespace: string): Subject | undefined {
  const gvk = gvkOf(manifest.object);
  if (gvk === undefined) return undefined;
  return {
    gvk,
    object: manifest.object,
    oldObject: null,
    operation: 'CREATE',
    requester: CLI_REQUESTER,
    namespace: isClusterScoped(gvk.group, gvk.kind) ? '' : (namespaceOf(manifest.object) ?? defaultNamespace),
    name: nameOf(manifest.object) ?? '',
    dryRun: false,
    source: 'cli',
    origin: { kind: 'manifest', file: manifest.file, line: manifest.line },
  };
}

/**
 * The CLI's whole job: load every input, build the cluster view from the scanned set plus the
 * extra state, then run the engine on each object. Throws ManifestError for unreadable or invalid input.
 */
export function scanManifests(engine: Engine, options: ScanOptions): ScanReport {
  const view = new ClusterIndex();
  for (const read of options.clusterState) {
    for (const manifest of parseManifests(read())) view.upsert(manifest.object, options.defaultNamespace);
  }
  const loaded: { manifest: LoadedManifest; sourceIndex: number }[] = [];
  const skipped: ScanReport['skipped'] = [];
  options.sources.forEach((read, sourceIndex) => {
    for (const manifest of parseManifests(read())) {
      if (gvkOf(manifest.object) === undefined) {
        const hasApiVersion = manifest.object['apiVersion'] !== undefined;
        const hasKind = manifest.object['kind'] !== undefined;
        if (!hasApiVersion && !hasKind) {
          skipped.push({ file: manifest.file, line: manifest.line });
          continue;
        }
        throw new ManifestError(manifest.file, manifest.line, 'object needs both apiVersion and kind as non-empty strings');
      }
      view.upsert(manifest.object, options.defaultNamespace);
      loaded.push({ manifest, sourceIndex });
    }
  });
  view.synced = true;

  const findings: ScanFinding[] = [];
  const resources: ScannedResource[] = [];
  const lineFinders = new Map<number, LineFinder>();
  const evaluateOptions = options.only === undefined ? {} : { only: options.only };
  for (const { manifest, sourceIndex } of loaded) {
    const subject = manifestSubject(manifest, options.defaultNamespace);
    if (subject === undefined) continue;
    const resource = resourceOf(subject);
    const scanned: ScannedResource = {
      resource,
      file: manifest.file,
      line: manifest.line,
      rules: engine.matchingRules(subject, evaluateOptions).map((r) => r.meta.id),
      findings: [],
    };
    resources.push(scanned);
    for (const finding of engine.evaluate(subject, view, evaluateOptions)) {
      let finder = lineFinders.get(sourceIndex);
      if (finder === undefined) {
        const read = options.sources[sourceIndex];
        if (read === undefined) throw new Error('source index out of range');
        finder = new LineFinder(read());
        lineFinders.set(sourceIndex, finder);
      }
      const line = finding.field === '' ? manifest.line : finder.lineOf(manifest.documentIndex, manifest.pointerPrefix + finding.field, manifest.line);
      const located = { ...finding, file: manifest.file, line };
      findings.push(located);
      scanned.findings.push(located);
    }
  }
  const summary: ScanSummary = { resources: resources.length, deny: 0, warn: 0, audit: 0, error: 0 };
  for (const finding of findings) summary[finding.action] += 1;
  return { findings, resources, summary, skipped };
}
