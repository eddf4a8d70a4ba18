import { ClusterIndex } from '../cluster/cluster-index.js';
import { manifestSubject } from '../engine/subject.js';
import type { ClusterView } from '../cluster/view.js';
import { resourceOf, type Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import type { ResourceRef } from '../k8s/object.js';
import { inlineSuppressions, renderedFrom, SUPPRESSION_MARKER } from './comments.js';
import { fileFingerprintOf, fingerprintOf } from './fingerprint.js';
import {
  collectFiles,
  contentLine,
  ManifestError,
  manifestsInSlice,
  parseManifests,
  readSlice,
  readSource,
  SliceLineFinder,
  splitDocuments,
  unlessUnreadable,
  type DocumentSlice,
  type LoadedManifest,
  type ManifestSource,
  type SkippedInput,
} from './load.js';

export interface ScanFinding extends Finding {
  file: string;
  line: number;
  /** Rule, resource, field and a keyed hash of the value (fingerprint.ts): baselines and SARIF. */
  fingerprint: string;
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
  /** Findings left out by an honoured `# secretguard:ignore` comment. */
  suppressed: number;
}

/** A finding an honoured inline suppression left out of the results, with the reason the comment gives. */
export interface SuppressedFinding extends ScanFinding {
  justification: string;
}

/**
 * A file (or one of its documents) that could not be read or parsed. It may hide a secret, so it is a finding
 * with the action `error` that fails the run, reported under this id in every output format.
 */
export const UNREADABLE_MANIFEST = {
  id: 'unreadable-manifest',
  description: 'A file or document that cannot be read or parsed as a Kubernetes manifest',
  remediation:
    'Fix the YAML or JSON syntax at the line named, or exclude the file (--exclude, .secretguardignore) if it is not a manifest. ' +
    'Render Helm charts first: helm template … | secretguard scan -',
} as const;

/** The error finding for an unreadable file: its reason only, never its text. */
export function unreadableFinding(error: ManifestError): ScanFinding {
  return {
    ruleId: UNREADABLE_MANIFEST.id,
    messageId: 'unreadable',
    action: 'error',
    message: `[${UNREADABLE_MANIFEST.id}] ${error.reason}`,
    resource: { apiVersion: '', kind: '' },
    field: '',
    file: error.file,
    line: error.line,
    fingerprint: fileFingerprintOf(UNREADABLE_MANIFEST.id, error.file, error.reason),
  };
}

/**
 * A `# secretguard:ignore` comment that is not honoured: it warns, at the comment's line, and the findings it
 * named stay. Reported under this id in every output format.
 */
export const INLINE_SUPPRESSION = {
  id: 'inline-suppression',
  description: 'A # secretguard:ignore comment that is not honoured',
  remediation:
    'Write `# secretguard:ignore <rule-id> -- <reason>` with a rule the config lists in objectExemptions.allowedRules; ' +
    'tenant isolation rules can never be suppressed.',
} as const;

export interface ScanReport {
  findings: ScanFinding[];
  /** Findings an honoured inline suppression left out (counted in the summary, listed with --show-suppressed). */
  suppressed: SuppressedFinding[];
  resources: ScannedResource[];
  summary: ScanSummary;
  /** Documents recognised as not Kubernetes objects: no apiVersion and no kind, patches, JSON data, templates. */
  skipped: SkippedInput[];
}

/** Files and resources checked since the last call. */
export type Progress = (files: number, resources: number) => void;

export interface ScanOptions {
  /** Where to read each input; called once per pass. */
  sources: readonly (() => ManifestSource)[];
  /** Extra cluster state (`--cluster-state`): fed to the view, never evaluated. */
  clusterState: readonly (() => ManifestSource)[];
  /** Namespace for namespaced objects that name none, as kubectl does. */
  defaultNamespace: string;
  only?: ReadonlySet<string>;
  /** Called as pass two goes, with files and resources checked since the last call (progress on a terminal). */
  onProgress?: Progress;
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
    // An unreadable file or document feeds nothing; pass two reports it.
    const source = unlessUnreadable(read);
    if (source === undefined) continue;
    splitDocuments(source.text).forEach((slice, documentIndex) => {
      if (!VIEW_KIND_WORDS.test(slice.text)) return;
      const manifests = unlessUnreadable(() => manifestsInSlice(slice, documentIndex, source.name));
      for (const manifest of manifests ?? []) view.upsert(manifest.object, defaultNamespace);
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
  options: Pick<ScanOptions, 'defaultNamespace' | 'only' | 'onProgress'>,
): ScanReport {
  const findings: ScanFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const resources: ScannedResource[] = [];
  const skipped: ScanReport['skipped'] = [];
  const evaluateOptions = options.only === undefined ? {} : { only: options.only };
  for (const read of sources) {
    // Every file is attempted, and every document of it: a broken one is one error finding per file (the first),
    // and the rest is still checked.
    let unreadable: ManifestError | undefined;
    const note = (error: unknown): void => {
      if (!(error instanceof ManifestError)) throw error;
      unreadable ??= error;
    };
    let source: ManifestSource;
    try {
      source = read();
    } catch (error) {
      note(error);
      if (unreadable !== undefined) findings.push(unreadableFinding(unreadable));
      options.onProgress?.(1, 0);
      continue;
    }
    const resourcesBefore = resources.length;
    const fileFindings: ScanFinding[] = [];
    splitDocuments(source.text).forEach((streamSlice, documentIndex) => {
      const rendered = source.sourceCommentPrefix === undefined ? undefined : renderedFrom(streamSlice, source.sourceCommentPrefix);
      const slice = rendered?.slice ?? streamSlice;
      const file = rendered?.file ?? source.name;
      let lines: SliceLineFinder | undefined;
      let manifests: LoadedManifest[];
      try {
        const content = readSlice(slice, documentIndex, file);
        if ('skip' in content) {
          skipped.push({ file, line: contentLine(slice), reason: content.skip });
          return;
        }
        manifests = content.manifests;
      } catch (error) {
        note(error);
        return;
      }
      const honoured = honouredSuppressions(engine, slice, file, options.only, fileFindings);
      for (const manifest of manifests) {
        // secretguard's own config in the repository is configuration, never a resource to admit.
        if (isSecretGuardConfig(manifest.object)) {
          skipped.push({ file: manifest.file, line: manifest.line, reason: 'config' });
          continue;
        }
        const subject = manifestSubject(manifest.object, manifest.file, manifest.line, options.defaultNamespace);
        if (subject === undefined) {
          if (manifest.object['apiVersion'] === undefined && manifest.object['kind'] === undefined) {
            skipped.push({ file: manifest.file, line: manifest.line, reason: 'no-kind' });
            continue;
          }
          note(new ManifestError(manifest.file, manifest.line, 'object needs both apiVersion and kind as non-empty strings'));
          continue;
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
          const located = { ...finding, file: manifest.file, line, fingerprint: fingerprintOf(finding, manifest.object) };
          const justification = honoured.get(finding.ruleId);
          if (justification !== undefined) {
            suppressed.push({ ...located, justification });
            continue;
          }
          fileFindings.push(located);
          scanned.findings.push(located);
        }
      }
    });
    // The error first: it is what the reader must fix before trusting the file's other results.
    if (unreadable !== undefined) findings.push(unreadableFinding(unreadable));
    findings.push(...fileFindings);
    options.onProgress?.(1, resources.length - resourcesBefore);
  }
  return { findings, suppressed, resources, summary: summarize(resources.length, findings, suppressed.length), skipped };
}

/**
 * The rules a document's `# secretguard:ignore` comments suppress, with their reasons. A comment the config does
 * not allow (the objectExemptions gate: listed rules only, never isolation rules, a reason required) adds an
 * `inline-suppression` warning at its line instead, and the findings it named stay.
 */
function honouredSuppressions(
  engine: Engine,
  slice: DocumentSlice,
  file: string,
  only: ReadonlySet<string> | undefined,
  warnings: ScanFinding[],
): Map<string, string> {
  const honoured = new Map<string, string>();
  const refuse = (line: number, what: string, why: string): void => {
    warnings.push({
      ruleId: INLINE_SUPPRESSION.id,
      messageId: 'suppressionNotHonoured',
      action: 'warn',
      message: `[${INLINE_SUPPRESSION.id}] ${what} is not honoured: ${why}`,
      resource: { apiVersion: '', kind: '' },
      field: '',
      file,
      line,
      fingerprint: fileFingerprintOf(INLINE_SUPPRESSION.id, file, `${what}: ${why}`),
    });
  };
  for (const comment of inlineSuppressions(slice)) {
    if (comment.ruleIds.length === 0 || comment.malformed > 0) {
      refuse(comment.line, `a ${SUPPRESSION_MARKER} comment`, 'write the rule ids (lower case, separated by commas), then -- and the reason');
    }
    for (const ruleId of comment.ruleIds) {
      if (only !== undefined && !only.has(ruleId)) continue;
      const refusal = engine.exemptionRefusal(ruleId, comment.reason, 'the comment gives no reason after --');
      if (refusal === undefined) honoured.set(ruleId, comment.reason);
      else refuse(comment.line, `${SUPPRESSION_MARKER} ${ruleId}`, refusal);
    }
  }
  return honoured;
}

function isSecretGuardConfig(object: LoadedManifest['object']): boolean {
  const apiVersion = object['apiVersion'];
  return object['kind'] === 'SecretGuardConfig' && typeof apiVersion === 'string' && apiVersion.startsWith('secretguard.io/');
}

export function summarize(resources: number, findings: readonly ScanFinding[], suppressed = 0): ScanSummary {
  const summary: ScanSummary = { resources, deny: 0, warn: 0, audit: 0, error: 0, suppressed };
  for (const finding of findings) summary[finding.action] += 1;
  return summary;
}

/**
 * The CLI's whole job, in two passes so that no more than one document's objects are alive at a time:
 * first the cluster view from the documents that can feed it (plus the extra state), then every object
 * decoded, checked and dropped. Unreadable or invalid input becomes `unreadable-manifest` error findings.
 */
export function scanManifests(engine: Engine, options: ScanOptions): ScanReport {
  const view = buildView(options.sources, options.clusterState, options.defaultNamespace);
  return checkSources(engine, view, options.sources, options);
}
