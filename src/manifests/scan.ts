import { ClusterIndex } from '../cluster/cluster-index.js';
import { manifestSubject } from '../engine/subject.js';
import type { ClusterView } from '../cluster/view.js';
import { resourceOf, type Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import type { ResourceRef } from '../k8s/object.js';
import { collectFiles, ManifestError, manifestsInSlice, parseManifests, readSource, SliceLineFinder, splitDocuments, type ManifestSource } from './load.js';

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
  /** Where to read each input; called once per pass. */
  sources: readonly (() => ManifestSource)[];
  /** Extra cluster state (`--cluster-state`): fed to the view, never evaluated. */
  clusterState: readonly (() => ManifestSource)[];
  /** Namespace for namespaced objects that name none, as kubectl does. */
  defaultNamespace: string;
  only?: ReadonlySet<string>;
}

/**
 * Words one of the view's kinds must contain (Namespace, ClusterSecretStore, SecretStore, ExternalSecret,
 * Secret). A document without any of them cannot feed the view, so the first pass skips decoding it.
 */
const VIEW_KIND_WORDS = /\b(?:Namespace|ClusterSecretStore|SecretStore|ExternalSecret|Secret)\b/;

/** Pass one: the cluster view from the extra state and from every document of the sources that can feed it. */
export function buildView(sources: ScanOptions['sources'], clusterState: ScanOptions['clusterState'], defaultNamespace: string): ClusterIndex {
  const view = new ClusterIndex();
  for (const read of clusterState) {
    for (const manifest of parseManifests(read())) view.upsert(manifest.object, defaultNamespace);
  }
  for (const read of sources) {
    const source = read();
    splitDocuments(source.text).forEach((slice, documentIndex) => {
      if (!VIEW_KIND_WORDS.test(slice.text)) return;
      for (const manifest of manifestsInSlice(slice, documentIndex, source.name)) view.upsert(manifest.object, defaultNamespace);
    });
  }
  view.synced = true;
  return view;
}

/**
 * A cluster view from manifest files alone (`serve --cluster-state`, `review --cluster-state`): every
 * Namespace, store, ExternalSecret and Secret under the paths, a namespaced object without a namespace in
 * `default` as kubectl would place it. Throws ManifestError on unreadable or unparsable files.
 */
export function viewFromFiles(paths: readonly string[]): ClusterIndex {
  return buildView([], collectFiles(paths).map((file) => () => readSource(file)), 'default');
}

/** Pass two: decode, check and drop each document of the sources, in order. */
export function checkSources(
  engine: Engine,
  view: ClusterView,
  sources: ScanOptions['sources'],
  options: Pick<ScanOptions, 'defaultNamespace' | 'only'>,
): ScanReport {
  const findings: ScanFinding[] = [];
  const resources: ScannedResource[] = [];
  const skipped: ScanReport['skipped'] = [];
  const evaluateOptions = options.only === undefined ? {} : { only: options.only };
  for (const read of sources) {
    const source = read();
    splitDocuments(source.text).forEach((slice, documentIndex) => {
      let lines: SliceLineFinder | undefined;
      for (const manifest of manifestsInSlice(slice, documentIndex, source.name)) {
        const subject = manifestSubject(manifest.object, manifest.file, manifest.line, options.defaultNamespace);
        if (subject === undefined) {
          if (manifest.object['apiVersion'] === undefined && manifest.object['kind'] === undefined) {
            skipped.push({ file: manifest.file, line: manifest.line });
            continue;
          }
          throw new ManifestError(manifest.file, manifest.line, 'object needs both apiVersion and kind as non-empty strings');
        }
        const scanned: ScannedResource = {
          resource: resourceOf(subject),
          file: manifest.file,
          line: manifest.line,
          rules: engine.matchingRules(subject, evaluateOptions).map((r) => r.meta.id),
          findings: [],
        };
        resources.push(scanned);
        for (const finding of engine.evaluate(subject, view, evaluateOptions)) {
          lines ??= new SliceLineFinder(slice);
          const line = finding.field === '' ? manifest.line : lines.lineOf(manifest.pointerPrefix + finding.field, manifest.line);
          const located = { ...finding, file: manifest.file, line };
          findings.push(located);
          scanned.findings.push(located);
        }
      }
    });
  }
  return { findings, resources, summary: summarize(resources.length, findings), skipped };
}

export function summarize(resources: number, findings: readonly ScanFinding[]): ScanSummary {
  const summary: ScanSummary = { resources, deny: 0, warn: 0, audit: 0, error: 0 };
  for (const finding of findings) summary[finding.action] += 1;
  return summary;
}

/**
 * The CLI's whole job, in two passes so that no more than one document's objects are alive at a time:
 * first the cluster view from the documents that can feed it (plus the extra state), then every object
 * decoded, checked and dropped. Throws ManifestError for unreadable or invalid input.
 */
export function scanManifests(engine: Engine, options: ScanOptions): ScanReport {
  const view = buildView(options.sources, options.clusterState, options.defaultNamespace);
  return checkSources(engine, view, options.sources, options);
}
