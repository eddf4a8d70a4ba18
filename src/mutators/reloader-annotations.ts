/**
 * Adds Stakater Reloader's `secret.reloader.stakater.com/reload` annotation to workloads that consume
 * ESO-managed Secrets, so pods restart when ESO refreshes a Secret. Reloader semantics followed here
 * (checked against `ShouldReload` in stakater/Reloader pkg/common/common.go):
 * - the workload's own annotations are read; only when it has none of reload, auto, secret auto and
 *   search does Reloader fall back to the pod template's annotations;
 * - each comma-separated `reload` entry is trimmed and compiled as `"^" + entry + "$"` with Go's RE2 and
 *   searched (`re.Match`, so `a|b` is `^a|b$`); an entry that does not compile matches nothing;
 * - `auto` and the typed secret `auto` are parsed with Go's strconv.ParseBool, `search` must be "true";
 * - `secrets.exclude.reloader.stakater.com/reload` (workload only) wins over an explicit reload entry.
 */
import type { ClusterView } from '../cluster/view.js';
import { compileRegex, RegexBudget } from '../k8s/regex.js';
import { createMutator } from '../engine/rule.js';
import type { MutationResult, PatchOperation } from '../engine/types.js';
import { isObject, objectAt, pointer, stringMapAt, type JsonObject } from '../k8s/json.js';
import { podSpecOf, podSpecPath, secretReferences } from '../k8s/workloads.js';

export interface ReloaderAnnotationsOptions {
  /** `managed`: only Secrets ESO manages; `all`: every Secret the workload consumes. */
  scope: 'managed' | 'all';
  /** Reloader `--secret-annotation`. */
  reloadAnnotation: string;
  /** Reloader `--auto-annotation`. */
  autoAnnotation: string;
  /** Reloader `--secret-auto-annotation`. */
  secretAutoAnnotation: string;
  /** Reloader `--auto-search-annotation`. */
  searchAnnotation: string;
}

/** Set to `disabled` on a workload to keep this mutator away from it. */
export const OPT_OUT_ANNOTATION = 'secretguard.io/reloader';
/** Reloader has no flag for this name. */
export const SECRET_EXCLUDE_ANNOTATION = 'secrets.exclude.reloader.stakater.com/reload';
const MAX_NOTE_LENGTH = 120;

const annotationName = { type: 'string', minLength: 1, maxLength: 317, pattern: '^[^\\s,]+$' };

/** Go's strconv.ParseBool true values, as Reloader parses `auto`. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function reloadEntries(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

const LITERAL = /^[A-Za-z0-9_-]*$/;

/**
 * Whether Reloader's match of one reload entry covers a Secret name. An entry without regex syntax is compared
 * as text, which is what RE2 would answer. When the subject is too long or the budget is spent the answer is
 * false: the mutator then lists the name explicitly, which Reloader treats the same.
 */
export function entryMatches(entry: string, name: string, budget?: RegexBudget): boolean {
  if (LITERAL.test(entry)) return entry === name;
  const source = '^' + entry + '$';
  const compiled = budget === undefined ? compileRegex(source) : compileRegex(source, budget);
  return compiled?.ok === true && compiled.regex.search(name, budget) === true;
}

function templateAnnotations(object: JsonObject, group: string, kind: string): Record<string, string> {
  const specPath = podSpecPath(group, kind);
  if (specPath === undefined) return {};
  let template: unknown = object;
  for (const segment of specPath.slice(0, -1)) template = objectAt(template, segment);
  return stringMapAt(objectAt(template, 'metadata'), 'annotations');
}

function isEsoManaged(view: ClusterView, namespace: string, name: string): boolean {
  return view.externalSecretsTargeting(namespace, name).length > 0 || view.secretProducer(namespace, name) === 'ExternalSecret';
}

function note(reloadAnnotation: string, names: readonly string[], reason: string): string {
  const head = `added ${reloadAnnotation}: `;
  const tail = ` (${reason})`;
  for (let shown = names.length; shown > 0; shown--) {
    const rest = names.length - shown;
    const list = names.slice(0, shown).join(', ') + (rest > 0 ? ` and ${rest} more` : '');
    const text = head + list + tail;
    if (text.length <= MAX_NOTE_LENGTH) return text;
  }
  return `added ${names.length} Secret(s) to ${reloadAnnotation}`.slice(0, MAX_NOTE_LENGTH);
}

const NO_CHANGE: MutationResult = { patch: [], notes: [] };

export default createMutator<ReloaderAnnotationsOptions>({
  meta: {
    id: 'reloader-annotations',
    description: 'Adds the Stakater Reloader reload annotation to workloads that consume ESO-managed Secrets',
    defaultMode: 'on',
    match: {
      kinds: [
        { group: 'apps', kind: 'Deployment', versions: ['v1'] },
        { group: 'apps', kind: 'StatefulSet', versions: ['v1'] },
        { group: 'apps', kind: 'DaemonSet', versions: ['v1'] },
        { group: 'batch', kind: 'CronJob', versions: ['v1'] },
        { group: 'argoproj.io', kind: 'Rollout', versions: ['v1alpha1'] },
      ],
      operations: ['CREATE', 'UPDATE'],
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        scope: { enum: ['managed', 'all'] },
        reloadAnnotation: annotationName,
        autoAnnotation: annotationName,
        secretAutoAnnotation: annotationName,
        searchAnnotation: annotationName,
      },
      required: ['scope', 'reloadAnnotation', 'autoAnnotation', 'secretAutoAnnotation', 'searchAnnotation'],
    },
    defaultOptions: {
      scope: 'managed',
      reloadAnnotation: 'secret.reloader.stakater.com/reload',
      autoAnnotation: 'reloader.stakater.com/auto',
      secretAutoAnnotation: 'secret.reloader.stakater.com/auto',
      searchAnnotation: 'reloader.stakater.com/search',
    },
  },
  mutate(context): MutationResult {
    const options = context.options;
    const { subject, view } = context;
    const object = subject.object;
    if (object === null || (subject.subResource !== undefined && subject.subResource !== '')) return NO_CHANGE;
    const metadata = objectAt(object, 'metadata');
    if (metadata === undefined) return NO_CHANGE;
    const workload = stringMapAt(metadata, 'annotations');
    if (workload[OPT_OUT_ANNOTATION] === 'disabled') return NO_CHANGE;

    const { group, kind } = subject.gvk;
    const podSpec = podSpecOf(object, group, kind);
    if (podSpec === undefined) return NO_CHANGE;

    // Reloader reads the pod template's annotations only when the workload has none of these four.
    const keys = [options.reloadAnnotation, options.autoAnnotation, options.secretAutoAnnotation, options.searchAnnotation];
    const effective = keys.some((key) => key in workload) ? workload : templateAnnotations(object, group, kind);
    if (GO_TRUE.has(effective[options.autoAnnotation] ?? '') || GO_TRUE.has(effective[options.secretAutoAnnotation] ?? '')) return NO_CHANGE;
    if (effective[options.searchAnnotation] === 'true') return NO_CHANGE;

    const existing = reloadEntries(effective[options.reloadAnnotation]);
    const excluded = new Set(reloadEntries(workload[SECRET_EXCLUDE_ANNOTATION]));
    const consumed = [...new Set(secretReferences(podSpec.spec).map((ref) => ref.name))];
    const added: string[] = [];
    let allManaged = true;
    const budget = new RegexBudget();
    for (const name of consumed) {
      if (excluded.has(name) || existing.some((entry) => entryMatches(entry, name, budget))) continue;
      const managed = isEsoManaged(view, subject.namespace, name);
      if (!managed && options.scope === 'managed') continue;
      allManaged &&= managed;
      added.push(name);
    }
    if (added.length === 0) return NO_CHANGE;

    const value = [...new Set([...existing, ...added])].sort().join(',');
    const annotations = metadata['annotations'];
    const patch: PatchOperation[] = isObject(annotations)
      ? [
          {
            op: typeof annotations[options.reloadAnnotation] === 'string' ? 'replace' : 'add',
            path: pointer('metadata', 'annotations', options.reloadAnnotation),
            value,
          },
        ]
      : [{ op: 'add', path: pointer('metadata', 'annotations'), value: { [options.reloadAnnotation]: value } }];
    added.sort();
    return { patch, notes: [note(options.reloadAnnotation, added, allManaged ? 'ESO-managed' : 'scope all')] };
  },
});
