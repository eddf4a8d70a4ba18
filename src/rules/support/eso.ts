import type { RuleContext } from '../../engine/types.js';
/**
 * Shared knowledge of External Secrets Operator objects (reference.md §4), checked against
 * external-secrets/external-secrets: every store reference of each kind, how a ClusterSecretStore's
 * `spec.conditions` admit a namespace (`shouldProcessSecret` in pkg/controllers/secretstore/client_manager.go),
 * how ClusterExternalSecret/ClusterPushSecret pick namespaces (`GetTargetNamespaces` in runtime/esutils),
 * and Go's duration syntax (metav1.Duration is parsed by time.ParseDuration).
 */
import type { ClusterView, StoreRecord } from '../../cluster/view.js';
import { matchesLabelSelector } from '../../k8s/selector.js';
import { compileRegex, describeProblem, RegexBudget } from '../../k8s/regex.js';
import { ESO_GROUP, ESO_VERSIONS } from '../../k8s/eso-api.js';
import type { GroupVersionKind } from '../../k8s/object.js';
import { arrayAt, isObject, objectAt, pointer, stringAt, type JsonObject, type JsonValue } from '../../k8s/json.js';

export { ESO_GROUP, ESO_VERSIONS } from '../../k8s/eso-api.js';
export const SECRET_STORE = 'SecretStore';
export const CLUSTER_SECRET_STORE = 'ClusterSecretStore';

/** Match entries for rule metadata: every version, so an unknown one can be reported as unchecked. */
export function esoKinds(...kinds: string[]): { group: string; kind: string }[] {
  return kinds.map((kind) => ({ group: ESO_GROUP, kind }));
}

/** True when secretguard knows the layout of this ESO kind at this version. */
export function knownEsoVersion(gvk: GroupVersionKind): boolean {
  return gvk.group === ESO_GROUP && (ESO_VERSIONS[gvk.kind]?.includes(gvk.version) ?? false);
}

/** The `unknownVersion` message every ESO rule declares (as a warning). */
export const UNKNOWN_VERSION_MESSAGE = '{{kind}} {{name}} uses {{apiVersion}}, which secretguard does not know; the object was not checked';

/** Report an ESO object of a version secretguard does not know; returns true when it did, and the rule stops. */
export function reportUnknownEsoVersion(context: RuleContext<unknown, 'unknownVersion'>, name: string): boolean {
  const { gvk } = context.subject;
  if (knownEsoVersion(gvk)) return false;
  context.report({ messageId: 'unknownVersion', data: { kind: gvk.kind, name, apiVersion: `${gvk.group}/${gvk.version}` }, field: '/apiVersion' });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Store references

export interface StoreRef {
  /** SecretStore or ClusterSecretStore; ESO defaults an omitted kind to SecretStore. */
  kind: string;
  /** Store name; undefined for a label-selector reference. */
  name: string | undefined;
  /** PushSecret `secretStoreRefs[].labelSelector`. */
  labelSelector: JsonValue | undefined;
  /** Pointer to `name` (or `labelSelector`) in the object. */
  field: string;
  /** Pointer to the reference object itself. */
  refField: string;
}

/**
 * A store reference by name or label selector. ESO reads the two in different orders: `secretStoreRefs[]` of a
 * PushSecret lists the selected stores whenever `labelSelector` is set and ignores `name` (`GetSecretStores` in
 * pkg/controllers/pushsecret/pushsecret_controller.go), while `dataTo[].storeRef` matches by `name` first
 * (`dataToMatchesStore`), and ExternalSecret refs have only a name.
 */
function storeRefAt(ref: JsonObject | undefined, path: (string | number)[], selectorFirst = false): StoreRef | undefined {
  if (ref === undefined) return undefined;
  const kind = stringAt(ref, 'kind') || SECRET_STORE;
  const name = stringAt(ref, 'name');
  const labelSelector = ref['labelSelector'];
  const bySelector: StoreRef | undefined = isObject(labelSelector)
    ? { kind, name: undefined, labelSelector, field: pointer(...path, 'labelSelector'), refField: pointer(...path) }
    : undefined;
  if (selectorFirst && bySelector !== undefined) return bySelector;
  if (name !== undefined && name !== '') {
    return { kind, name, labelSelector: undefined, field: pointer(...path, 'name'), refField: pointer(...path) };
  }
  return bySelector;
}

/**
 * Every store an ExternalSecret spec refers to: the top-level `secretStoreRef` and each per-entry
 * `data[].sourceRef.storeRef` and `dataFrom[].sourceRef.storeRef`, which override it (client_manager.go `Get`).
 * `base` is the path of the spec (`['spec']`, or `['spec','externalSecretSpec']`).
 */
export function externalSecretStoreRefs(spec: JsonObject | undefined, base: (string | number)[]): StoreRef[] {
  const refs: StoreRef[] = [];
  const top = storeRefAt(objectAt(spec, 'secretStoreRef'), [...base, 'secretStoreRef']);
  if (top !== undefined) refs.push(top);
  for (const list of ['data', 'dataFrom'] as const) {
    (arrayAt(spec, list) ?? []).forEach((entry, index) => {
      const ref = storeRefAt(objectAt(objectAt(entry, 'sourceRef'), 'storeRef'), [...base, list, index, 'sourceRef', 'storeRef']);
      if (ref !== undefined) refs.push(ref);
    });
  }
  return refs;
}

/** Every store a PushSecret spec refers to: `secretStoreRefs[]` (by label selector when set, else by name) and `dataTo[].storeRef`. */
export function pushSecretStoreRefs(spec: JsonObject | undefined, base: (string | number)[]): StoreRef[] {
  const refs: StoreRef[] = [];
  (arrayAt(spec, 'secretStoreRefs') ?? []).forEach((entry, index) => {
    const ref = storeRefAt(isObject(entry) ? entry : undefined, [...base, 'secretStoreRefs', index], true);
    if (ref !== undefined) refs.push(ref);
  });
  (arrayAt(spec, 'dataTo') ?? []).forEach((entry, index) => {
    const ref = storeRefAt(objectAt(entry, 'storeRef'), [...base, 'dataTo', index, 'storeRef']);
    if (ref !== undefined) refs.push(ref);
  });
  return refs;
}

/** The stores of `kind` a reference resolves to in the view (a name, or every store its label selector matches). */
export function resolveStoreRef(ref: StoreRef, namespace: string, view: ClusterView): { stores: StoreRecord[]; unknown: boolean } {
  const cluster = ref.kind === CLUSTER_SECRET_STORE;
  if (ref.name !== undefined) {
    const store = cluster ? view.clusterSecretStore(ref.name) : view.secretStore(namespace, ref.name);
    return store === undefined ? { stores: [], unknown: true } : { stores: [store], unknown: false };
  }
  const candidates = cluster ? view.clusterSecretStores() : view.secretStores(namespace);
  const stores = [...candidates].filter((store) => matchesLabelSelector(ref.labelSelector, store.labels) === true);
  return { stores, unknown: false };
}

// ---------------------------------------------------------------------------------------------
// Namespaces and ClusterSecretStore conditions

/**
 * Labels of a namespace as ESO sees them. The API server sets `kubernetes.io/metadata.name` on every
 * Namespace, so a namespace absent from the view still carries that one label and nothing else.
 */
export function namespaceLabels(view: ClusterView, namespace: string): Readonly<Record<string, string>> {
  return view.namespace(namespace)?.labels ?? { 'kubernetes.io/metadata.name': namespace };
}

export type ConditionsVerdict =
  | { admitted: true; reason: string }
  | { admitted: false; reason: string };

/**
 * ESO's `shouldProcessSecret`: no conditions admit every namespace; otherwise a namespace is admitted when any
 * condition's namespaceSelector, any of its `namespaces` (as a `kubernetes.io/metadata.name` selector) or any of its
 * `namespaceRegexes` (unanchored `regexp.MatchString`, RE2) matches. A malformed selector or a regex that does not
 * compile makes ESO fail the reconcile, so it admits nothing here; nor does a regex secretguard refuses to run
 * (too long or too complex) or one past the check's regex budget.
 */
export function conditionsAdmit(
  conditions: JsonValue | undefined,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  budget: RegexBudget = new RegexBudget(),
): ConditionsVerdict {
  if (conditions === undefined || conditions === null || (Array.isArray(conditions) && conditions.length === 0)) {
    return { admitted: true, reason: 'the store has no conditions' };
  }
  if (!Array.isArray(conditions)) return { admitted: false, reason: 'spec.conditions is not a list' };
  for (const condition of conditions) {
    if (!isObject(condition)) continue;
    const selector = condition['namespaceSelector'];
    if (selector !== undefined && selector !== null) {
      const match = matchesLabelSelector(selector, labels);
      if (match === undefined) return { admitted: false, reason: 'a namespaceSelector is malformed' };
      if (match) return { admitted: true, reason: 'a namespaceSelector matches' };
    }
    for (const name of arrayAt(condition, 'namespaces') ?? []) {
      if (typeof name === 'string' && labels['kubernetes.io/metadata.name'] === name) return { admitted: true, reason: `namespaces lists ${name}` };
    }
    for (const source of arrayAt(condition, 'namespaceRegexes') ?? []) {
      if (typeof source !== 'string') continue;
      const compiled = compileRegex(source, budget);
      if (compiled?.ok === false) return { admitted: false, reason: `a namespaceRegex ${describeProblem(compiled.problem)}` };
      const match = compiled?.regex.search(namespace, budget);
      if (match === undefined) return { admitted: false, reason: 'its namespaceRegexes need more regex work than secretguard allows one check' };
      if (match) return { admitted: true, reason: `namespaceRegex ${source} matches` };
    }
  }
  return { admitted: false, reason: 'no condition matches' };
}

/**
 * True when a regex can only match whole strings: it starts with `^` and ends with an unescaped `$`, and has no
 * top-level alternation (`^a|b$` is `(^a)|(b$)`).
 */
export function isFullyAnchored(source: string): boolean {
  if (!source.startsWith('^') || !source.endsWith('$')) return false;
  let backslashes = 0;
  for (let i = source.length - 2; i >= 0 && source[i] === '\\'; i--) backslashes++;
  if (backslashes % 2 === 1) return false;
  let depth = 0;
  let inClass = false;
  for (let i = 1; i < source.length - 1; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

/**
 * Namespaces a ClusterExternalSecret or ClusterPushSecret targets, from the view (`GetTargetNamespaces`):
 * each listed name becomes a `kubernetes.io/metadata.name` selector, selectors are ORed. Names listed
 * explicitly are kept even when the view does not hold the Namespace: the cluster may.
 */
export function targetNamespaces(view: ClusterView, names: readonly string[], selectors: readonly JsonValue[]): string[] {
  const generation = view.generation;
  if (generation === undefined) return computeTargetNamespaces(view, names, selectors);
  let cache = targetCache.get(view);
  if (cache === undefined || cache.generation !== generation) {
    cache = { generation, entries: new Map() };
    targetCache.set(view, cache);
  }
  // The selectors as written are the key: the same ClusterExternalSecret is reviewed by two rules per
  // request and again on every update, and each answer walks every namespace of the view.
  const key = JSON.stringify([names, selectors]);
  let targets = cache.entries.get(key);
  if (targets === undefined) {
    targets = computeTargetNamespaces(view, names, selectors);
    if (cache.entries.size >= MAX_CACHED_TARGETS) cache.entries.clear();
    cache.entries.set(key, targets);
  }
  return [...targets];
}

/** Target namespaces per view, valid while the view's generation stays the same. */
const targetCache = new WeakMap<ClusterView, { generation: number; entries: Map<string, readonly string[]> }>();
const MAX_CACHED_TARGETS = 256;

function computeTargetNamespaces(view: ClusterView, names: readonly string[], selectors: readonly JsonValue[]): string[] {
  const result = new Set<string>(names.filter((n) => n !== ''));
  for (const namespace of view.namespaces()) {
    if (selectors.some((selector) => matchesLabelSelector(selector, namespace.labels) === true)) result.add(namespace.name);
  }
  return [...result].sort();
}

// ---------------------------------------------------------------------------------------------
// Go durations

const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const MAX_DURATION_NS = 2 ** 63 - 1;

/**
 * Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, units ns, us (µs, μs), ms, s, m, h, or `0` alone.
 * Returns nanoseconds (as a float, enough for comparisons), or undefined for anything Go rejects.
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  while (s !== '') {
    const match = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = match?.[1] ?? '';
    const fraction = match?.[2];
    const consumed = match?.[0].length ?? 0;
    // Go: a number needs at least one digit before or after the dot.
    if (whole === '' && (fraction === undefined || fraction === '')) return undefined;
    s = s.slice(consumed);
    const unitMatch = /^[^0-9.]+/.exec(s);
    if (unitMatch === null) return undefined; // missing unit
    const unit = unitMatch[0];
    const scale = UNITS[unit];
    if (scale === undefined) return undefined;
    s = s.slice(unit.length);
    const value = Number(`${whole === '' ? '0' : whole}.${fraction ?? ''}0`) * scale;
    total += value;
    if (!Number.isFinite(total) || total > MAX_DURATION_NS + (negative ? 1 : 0)) return undefined;
  }
  return negative ? -total : total;
}

export const NS_PER_SECOND = 1e9;

/** A short human form of nanoseconds, for messages. */
export function formatDuration(ns: number): string {
  const seconds = ns / NS_PER_SECOND;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

// ---------------------------------------------------------------------------------------------
// Which namespaces an ESO object acts in

export interface EsoUsage {
  /** `external` for ExternalSecret specs, `push` for PushSecret specs. */
  flavour: 'external' | 'push';
  /** The namespaces the spec runs in: the object's own, or every namespace a cluster-wide object targets. */
  namespaces: string[];
  /** The ExternalSecret or PushSecret spec, and its path in the object. */
  spec: JsonObject | undefined;
  base: string[];
}

/**
 * ExternalSecret and PushSecret act in their own namespace; ClusterExternalSecret in every namespace its
 * namespaceSelectors, deprecated namespaceSelector and namespaces select; ClusterPushSecret in every namespace
 * its namespaceSelectors select (it has no other fields for that).
 */
export function esoUsage(kind: string, object: JsonObject, namespace: string, view: ClusterView): EsoUsage | undefined {
  const spec = objectAt(object, 'spec');
  switch (kind) {
    case 'ExternalSecret':
      return { flavour: 'external', namespaces: [namespace], spec, base: ['spec'] };
    case 'PushSecret':
      return { flavour: 'push', namespaces: [namespace], spec, base: ['spec'] };
    case 'ClusterExternalSecret': {
      const selectors: JsonValue[] = [...(arrayAt(spec, 'namespaceSelectors') ?? [])];
      const deprecated = spec?.['namespaceSelector'];
      if (deprecated !== undefined && deprecated !== null) selectors.push(deprecated);
      const names = (arrayAt(spec, 'namespaces') ?? []).filter((v): v is string => typeof v === 'string');
      return {
        flavour: 'external',
        namespaces: targetNamespaces(view, names, selectors),
        spec: objectAt(spec, 'externalSecretSpec'),
        base: ['spec', 'externalSecretSpec'],
      };
    }
    case 'ClusterPushSecret':
      return {
        flavour: 'push',
        namespaces: targetNamespaces(view, [], arrayAt(spec, 'namespaceSelectors') ?? []),
        spec: objectAt(spec, 'pushSecretSpec'),
        base: ['spec', 'pushSecretSpec'],
      };
    default:
      return undefined;
  }
}

/** Store references of a usage's spec. */
export function usageStoreRefs(usage: EsoUsage): StoreRef[] {
  return usage.flavour === 'external' ? externalSecretStoreRefs(usage.spec, usage.base) : pushSecretStoreRefs(usage.spec, usage.base);
}
