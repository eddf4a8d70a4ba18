import { compileRegex, describeProblem, RegexBudget } from '../engine/regex.js';
import { createRule } from '../engine/rule.js';
import { tenantOf } from '../engine/tenancy.js';
import { pointer } from '../k8s/json.js';
import { annotationsOf } from '../k8s/object.js';

export const REFLECTOR_PREFIX = 'reflector.v1.k8s.emberstack.com/';
const ALLOWED = `${REFLECTOR_PREFIX}reflection-allowed`;
const ALLOWED_NAMESPACES = `${REFLECTOR_PREFIX}reflection-allowed-namespaces`;
const AUTO_ENABLED = `${REFLECTOR_PREFIX}reflection-auto-enabled`;
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reflector's PatternListMatch: comma-separated patterns, each a .NET regex whose first match must span the whole
 * namespace name; an empty list allows every namespace. Patterns run here on RE2, which finds the same first
 * match for every pattern it compiles; one it cannot compile (or refuses as too long or complex) cannot be
 * verified and is denied. Auto reflection needs the namespace to be allowed too, so the
 * allowed list bounds everything Reflector may write.
 */
export default createRule<Record<string, never>, 'allNamespaces' | 'foreignNamespace' | 'foreignPattern' | 'cannotVerify'>({
  meta: {
    id: 'reflector-namespace-isolation',
    description: 'Reflector annotations on a Secret must not allow reflections into namespaces of another tenant.',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      allNamespaces:
        'Secret {{name}} in namespace {{namespace}} allows Reflector to copy it into every namespace ({{annotation}} is empty or absent{{auto}}), including other tenants\'; list the namespaces of tenant {{tenant}}',
      foreignNamespace:
        'Secret {{name}} allows Reflector to copy it into namespace {{target}}, which belongs to tenant {{targetTenant}}, not {{tenant}}',
      foreignPattern:
        'Secret {{name}} allows Reflector to copy it into namespaces matching {{pattern}}, which matches {{target}} of tenant {{targetTenant}}, not {{tenant}}',
      cannotVerify:
        'Secret {{name}}: pattern {{index}} of {{annotation}} {{problem}}, so secretguard cannot verify which namespaces Reflector copies the Secret into; list the namespaces of tenant {{tenant}} by name',
    },
    remediation: `List only namespaces of the Secret's own tenant in ${ALLOWED_NAMESPACES}, or stop reflecting the Secret.`,
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    const { subject, view } = context;
    const object = subject.object;
    if (object === null) return;
    const { tenancy } = context.config;
    if (Object.keys(tenancy.tenants).length === 0 && tenancy.tenantLabel === undefined) return;
    const annotations = annotationsOf(object);
    if (annotations[ALLOWED]?.trim().toLowerCase() !== 'true') return;
    const tenant = tenantOf(subject.namespace, view, tenancy);
    const name = subject.name || '(unnamed)';
    const field = pointer('metadata', 'annotations', ALLOWED_NAMESPACES);
    const patterns = (annotations[ALLOWED_NAMESPACES] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (patterns.length === 0) {
      const auto = annotations[AUTO_ENABLED]?.trim().toLowerCase() === 'true' ? ', and auto reflection creates the copies' : '';
      context.report({
        messageId: 'allNamespaces',
        data: { name, namespace: subject.namespace, annotation: ALLOWED_NAMESPACES, tenant: tenant.name, auto },
        field: annotations[ALLOWED_NAMESPACES] === undefined ? pointer('metadata', 'annotations', ALLOWED) : field,
      });
      return;
    }
    const budget = new RegexBudget();
    const cannotVerify = (index: number, problem: string): void => {
      context.report({ messageId: 'cannotVerify', data: { name, index, annotation: ALLOWED_NAMESPACES, problem, tenant: tenant.name }, field });
    };
    for (const [index, pattern] of patterns.entries()) {
      if (DNS_LABEL.test(pattern)) {
        const target = tenantOf(pattern, view, tenancy);
        if (pattern !== subject.namespace && target.name !== tenant.name) {
          context.report({ messageId: 'foreignNamespace', data: { name, target: pattern, targetTenant: target.name, tenant: tenant.name }, field });
        }
        continue;
      }
      const compiled = compileRegex(pattern, budget);
      if (compiled === undefined) {
        cannotVerify(index, 'and the ones after it need more regex work than secretguard allows one object');
        return;
      }
      if (!compiled.ok) {
        cannotVerify(index, describeProblem(compiled.problem));
        continue;
      }
      for (const namespace of view.namespaces()) {
        const match = compiled.regex.firstMatchIsWhole(namespace.name, budget);
        if (match === undefined) {
          cannotVerify(index, 'needs more regex work against the cluster\'s namespaces than secretguard allows one object');
          return;
        }
        if (!match) continue;
        const target = tenantOf(namespace.name, view, tenancy);
        if (target.name === tenant.name) continue;
        context.report({ messageId: 'foreignPattern', data: { name, pattern, target: namespace.name, targetTenant: target.name, tenant: tenant.name }, field });
        break;
      }
    }
  },
});
