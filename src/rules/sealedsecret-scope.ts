import { createRule } from '../engine/rule.js';
import { NameMatcher } from '../engine/names.js';
import { pointer, stringAt, objectAt } from '../k8s/json.js';
import { annotationsOf } from '../k8s/object.js';
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, SEALED_SECRET_KIND } from '../k8s/sealedsecret.js';
import { displayName } from '../engine/subject.js';

export type SealingScopeName = 'cluster-wide' | 'namespace-wide';

export interface ScopeAllowance {
  /** Namespace of the SealedSecret: a name or an anchored regex (`^…$`). */
  namespace: string;
  /** Name of the SealedSecret (name or anchored regex); absent means any name in the namespace. */
  name?: string;
  scope: SealingScopeName;
}

export interface SealedSecretScopeOptions {
  allow: ScopeAllowance[];
}

/** Matchers per allow entry (options are resolved once per config), so a request never compiles a regex. */
const matchers = new WeakMap<ScopeAllowance, { namespace: NameMatcher; name?: NameMatcher }>();

function matcherFor(entry: ScopeAllowance): { namespace: NameMatcher; name?: NameMatcher } {
  let m = matchers.get(entry);
  if (m === undefined) {
    m = { namespace: new NameMatcher([entry.namespace]), ...(entry.name !== undefined ? { name: new NameMatcher([entry.name]) } : {}) };
    matchers.set(entry, m);
  }
  return m;
}

function allowed(options: SealedSecretScopeOptions, namespace: string, name: string, scope: SealingScopeName): boolean {
  return options.allow.some((entry) => {
    if (entry.scope !== scope) return false;
    const m = matcherFor(entry);
    return m.namespace.matches(namespace) && (m.name === undefined || m.name.matches(name));
  });
}

/** Typed here so that createRule infers the options from it (an empty list alone would infer never[]). */
const DEFAULT_OPTIONS: SealedSecretScopeOptions = { allow: [] };

export default createRule({
  meta: {
    id: 'sealedsecret-scope',
    description: 'SealedSecrets must use the strict scope unless the config allows a cluster-wide or namespace-wide one.',
    defaultAction: 'deny',
    match: { kinds: [SEALED_SECRET_KIND] },
    isolation: true,
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['namespace', 'scope'],
            properties: {
              namespace: { type: 'string', minLength: 1, format: 'name-or-regex' },
              name: { type: 'string', minLength: 1, format: 'name-or-regex' },
              scope: { enum: ['cluster-wide', 'namespace-wide'] },
            },
          },
        },
      },
    },
    defaultOptions: DEFAULT_OPTIONS,
    messages: {
      clusterWide:
        'SealedSecret {{name}} in {{namespace}} is sealed cluster-wide ({{annotation}}): anyone who can copy the manifest can unseal it into any namespace, another tenant\'s included. Re-seal it with kubeseal --cert <spoke cert> --scope strict, or allow it in the rule\'s options',
      namespaceWide:
        'SealedSecret {{name}} in {{namespace}} is sealed namespace-wide ({{annotation}}): it can be renamed freely and unsealed over any Secret name in the namespace. Re-seal it with kubeseal --cert <spoke cert> --scope strict, or allow it in the rule\'s options',
    },
    remediation:
      'Re-seal with the strict scope: `kubeseal --cert <spoke cert> --scope strict --format yaml < secret.yaml`; if a wider scope is really needed, list the SealedSecret in `options.allow` with its scope.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const { options } = context;
    // The controller reads the scope from the SealedSecret's own annotations (labelFor(smeta) in Unseal),
    // and only the exact value "true" counts; cluster-wide wins over namespace-wide.
    const annotations = annotationsOf(object);
    const name = displayName(subject);
    const namespace = stringAt(objectAt(object, 'metadata'), 'namespace') ?? subject.namespace;
    let scope: SealingScopeName | undefined;
    let annotation = '';
    if (annotations[CLUSTER_WIDE_ANNOTATION] === 'true') {
      scope = 'cluster-wide';
      annotation = CLUSTER_WIDE_ANNOTATION;
    } else if (annotations[NAMESPACE_WIDE_ANNOTATION] === 'true') {
      scope = 'namespace-wide';
      annotation = NAMESPACE_WIDE_ANNOTATION;
    }
    if (scope === undefined || allowed(options, namespace, name, scope)) return;
    context.report({
      messageId: scope === 'cluster-wide' ? 'clusterWide' : 'namespaceWide',
      data: { name, namespace: namespace || '(no namespace)', annotation: `${annotation}: "true"` },
      field: pointer('metadata', 'annotations', annotation),
    });
  },
});
