import { compileRegex, describeProblem, RegexBudget } from '../k8s/regex.js';
import { createRule } from '../engine/rule.js';
import { tenantOf, type Tenant } from './support/tenancy.js';
import type { RuleContext } from '../engine/types.js';
import { esoKinds, esoUsage, isFullyAnchored } from './support/eso.js';
import { objectAt, pointer, stringMapAt } from '../k8s/json.js';
import { displayName } from '../engine/subject.js';

export const REFLECTOR_PREFIX = 'reflector.v1.k8s.emberstack.com/';
const ALLOWED = `${REFLECTOR_PREFIX}reflection-allowed`;
const ALLOWED_NAMESPACES = `${REFLECTOR_PREFIX}reflection-allowed-namespaces`;
const ALLOWED_SELECTOR = `${REFLECTOR_PREFIX}reflection-allowed-namespaces-selector`;
const AUTO_ENABLED = `${REFLECTOR_PREFIX}reflection-auto-enabled`;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type MessageId =
  | 'allNamespaces'
  | 'foreignNamespace'
  | 'foreignPattern'
  | 'cannotVerify'
  | 'unboundedPattern'
  | 'unboundedSelector';

/**
 * Where each kind carries the annotations of the Secret it makes: a Secret its own; cert-manager writes
 * `spec.secretTemplate.annotations` onto the Certificate's Secret; ESO writes the target template's.
 */
const ANNOTATION_PATHS: Readonly<Record<string, readonly string[]>> = {
  Secret: ['metadata', 'annotations'],
  Certificate: ['spec', 'secretTemplate', 'annotations'],
  ExternalSecret: ['spec', 'target', 'template', 'metadata', 'annotations'],
  ClusterExternalSecret: ['spec', 'externalSecretSpec', 'target', 'template', 'metadata', 'annotations'],
};

const what: Readonly<Record<string, string>> = {
  Secret: 'Secret',
  Certificate: 'Certificate (spec.secretTemplate)',
  ExternalSecret: 'ExternalSecret (target template)',
  ClusterExternalSecret: 'ClusterExternalSecret (target template)',
};

/**
 * Reflector's PatternListMatch: comma-separated patterns, each a .NET regex whose first match must span the whole
 * namespace name, ORed (current Reflector, MatchNamespace) with the label selector of
 * `reflection-allowed-namespaces-selector`; neither set allows every namespace. Auto reflection needs the
 * namespace to be allowed too, so these two bound everything Reflector may write.
 *
 * Judged for namespaces created later too: without a tenancy config, anything but a list of plain names is
 * unbounded; with one, a pattern is accepted only when it is one of the tenant's own anchored patterns, and a
 * selector only when it requires the tenant label with the tenant's name. Patterns RE2 cannot run cannot be
 * verified.
 */
export default createRule({
  meta: {
    id: 'reflector-namespace-isolation',
    description: 'Reflector annotations (on a Secret, a Certificate secretTemplate or an ESO target template) must not allow reflections beyond the tenant.',
    defaultAction: 'deny',
    match: {
      kinds: [
        { group: '', kind: 'Secret', versions: ['v1'] },
        { group: 'cert-manager.io', kind: 'Certificate', versions: ['v1'] },
        ...esoKinds('ExternalSecret', 'ClusterExternalSecret'),
      ],
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      allNamespaces:
        '{{what}} {{name}} in namespace {{namespace}} allows Reflector to copy its Secret into every namespace ({{annotation}} and the selector are empty or absent{{auto}}), including other tenants\' and ones created later; list the namespaces of tenant {{tenant}}',
      foreignNamespace:
        '{{what}} {{name}} allows Reflector to copy its Secret into namespace {{target}}, which belongs to tenant {{targetTenant}}, not {{tenant}}',
      foreignPattern:
        '{{what}} {{name}} allows Reflector to copy its Secret into namespaces matching {{pattern}}, which can match namespaces outside tenant {{tenant}}, also ones created later; list names, or use exactly one of the tenant\'s own anchored patterns',
      cannotVerify:
        '{{what}} {{name}}: pattern {{index}} of {{annotation}} {{problem}}, so secretguard cannot verify which namespaces Reflector copies the Secret into; list the namespaces of tenant {{tenant}} by name',
      unboundedPattern:
        '{{what}} {{name}} allows Reflector to copy its Secret into namespaces matching {{pattern}}: with no tenancy config that is unbounded, since any namespace created later with a matching name receives the copy; list the namespaces by name',
      unboundedSelector:
        '{{what}} {{name}} allows Reflector to copy its Secret into every namespace whose labels match {{annotation}}{{why}}; list the namespaces by name',
    },
    remediation: `List only namespaces of the Secret's own tenant, by name, in ${ALLOWED_NAMESPACES} (or on the Certificate's secretTemplate or the ExternalSecret's target template), or stop reflecting the Secret.`,
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    const { subject, view } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const base = ANNOTATION_PATHS[kind];
    if (base === undefined) return;
    let holder: unknown = object;
    for (const key of base.slice(0, -1)) holder = objectAt(holder, key);
    const annotations = stringMapAt(holder, base[base.length - 1] ?? 'annotations');
    if (annotations[ALLOWED]?.trim().toLowerCase() !== 'true') return;
    const { tenancy } = context.config;
    const tenancyConfigured = Object.keys(tenancy.tenants).length > 0 || tenancy.tenantLabel !== undefined;
    // A ClusterExternalSecret writes its Secret into every namespace it targets: each is judged.
    const targets = kind === 'ClusterExternalSecret' ? (esoUsage(kind, object, subject.namespace, view)?.namespaces ?? []) : [];
    const sources = targets.length > 0 ? targets : [subject.namespace];
    const judged = new Set<string>();
    for (const namespace of tenancyConfigured ? sources : [subject.namespace]) {
      const tenant = tenancyConfigured ? tenantOf(namespace, view, tenancy) : undefined;
      const key = tenant?.name ?? '';
      if (judged.has(key)) continue;
      judged.add(key);
      judge(context, annotations, base, namespace, tenant);
    }
  },
});

function judge(context: RuleContext<Record<string, never>, MessageId>, annotations: Readonly<Record<string, string>>, base: readonly string[], namespace: string, tenant: Tenant | undefined): void {
  const { subject, view } = context;
  const { tenancy } = context.config;
  const name = displayName(subject);
  const kindName = what[subject.gvk.kind] ?? subject.gvk.kind;
  const field = pointer(...base, ALLOWED_NAMESPACES);
  const tenantName = tenant?.name ?? namespace;
  const patterns = (annotations[ALLOWED_NAMESPACES] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const selector = annotations[ALLOWED_SELECTOR]?.trim() ?? '';
  if (patterns.length === 0 && selector === '') {
    const auto = annotations[AUTO_ENABLED]?.trim().toLowerCase() === 'true' ? ', and auto reflection creates the copies' : '';
    context.report({
      messageId: 'allNamespaces',
      data: { what: kindName, name, namespace: namespace || '(cluster)', annotation: ALLOWED_NAMESPACES, tenant: tenantName, auto },
      field: annotations[ALLOWED_NAMESPACES] === undefined ? pointer(...base, ALLOWED) : field,
    });
    return;
  }
  if (selector !== '') {
    const bounded = tenant !== undefined && tenancy.tenantLabel !== undefined && selectorRequires(selector, tenancy.tenantLabel, tenant.name);
    if (!bounded) {
      const why =
        tenant === undefined
          ? ', with no tenancy config that is unbounded: any namespace labelled so later receives the copy'
          : tenancy.tenantLabel === undefined
            ? `, which namespaces outside tenant ${tenant.name} can carry`
            : ` without requiring ${tenancy.tenantLabel}=${tenant.name}, so namespaces outside tenant ${tenant.name} can match`;
      context.report({ messageId: 'unboundedSelector', data: { what: kindName, name, annotation: ALLOWED_SELECTOR, why }, field: pointer(...base, ALLOWED_SELECTOR) });
    }
  }
  const budget = new RegexBudget();
  const ownPatterns = tenant?.policy?.namespaces?.filter((entry) => entry.startsWith('^') && isFullyAnchored(entry)) ?? [];
  for (const [index, pattern] of patterns.entries()) {
    if (DNS_LABEL.test(pattern)) {
      if (tenant === undefined) continue;
      const target = tenantOf(pattern, view, tenancy);
      if (pattern !== namespace && target.name !== tenant.name) {
        context.report({ messageId: 'foreignNamespace', data: { what: kindName, name, target: pattern, targetTenant: target.name, tenant: tenant.name }, field });
      }
      continue;
    }
    const compiled = compileRegex(pattern, budget);
    if (compiled === undefined || !compiled.ok) {
      const problem = compiled === undefined ? 'and the ones after it need more regex work than secretguard allows one object' : describeProblem(compiled.problem);
      context.report({ messageId: 'cannotVerify', data: { what: kindName, name, index, annotation: ALLOWED_NAMESPACES, problem, tenant: tenantName }, field });
      if (compiled === undefined) return;
      continue;
    }
    if (tenant === undefined) {
      context.report({ messageId: 'unboundedPattern', data: { what: kindName, name, pattern }, field });
      continue;
    }
    // Reflector's language is within the pattern's whole-name matches, which are exactly those of ^pattern$.
    const anchored = pattern.startsWith('^') && pattern.endsWith('$') ? pattern : `^${pattern}$`;
    if (!ownPatterns.includes(anchored)) {
      context.report({ messageId: 'foreignPattern', data: { what: kindName, name, pattern, tenant: tenant.name }, field });
    }
  }
}

/**
 * Whether a Reflector label selector (`k=v`, `k==v`, `k in (v)`, ANDed by commas) requires `key` to equal
 * `value`: then it selects only namespaces labelled as the tenant's.
 */
export function selectorRequires(selector: string, key: string, value: string): boolean {
  const requirements: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      requirements.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  requirements.push(selector.slice(start));
  return requirements.some((raw) => {
    const requirement = raw.trim();
    const equality = /^([^=!\s]+)\s*==?\s*(\S+)$/.exec(requirement);
    if (equality !== null) return equality[1] === key && equality[2] === value;
    const set = /^(\S+)\s+in\s+\(([^)]*)\)$/.exec(requirement);
    if (set === null || set[1] !== key) return false;
    const values = (set[2] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return values.length === 1 && values[0] === value;
  });
}

