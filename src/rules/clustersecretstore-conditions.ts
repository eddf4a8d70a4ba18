import { createRule } from '../engine/rule.js';
import { admitsEveryNewNamespace, selectsEverything } from '../k8s/selector.js';
import { arrayAt, isObject, objectAt, pointer } from '../k8s/json.js';
import { compileRegex, describeProblem, RegexBudget } from '../k8s/regex.js';
import { esoKinds, isFullyAnchored, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE } from './support/eso.js';
import { displayName } from '../engine/subject.js';

/**
 * Namespace names no real condition means to admit all of at once: one character, digits, the system ones, the
 * longest. A regex matching every one of them (`^.*$`, `^[\s\S]*$`, `x|.*`, `.`, an empty pattern) admits every
 * namespace.
 */
const PROBES = ['a', 'z', '0', '9', 'q-1', 'default', 'kube-system', 'zz-top-9', 'n'.repeat(63)];

interface Options {
  sharedStores: string[];
}

const defaultOptions: Options = { sharedStores: [] };

export default createRule({
  meta: {
    id: 'clustersecretstore-conditions',
    description: 'A ClusterSecretStore must limit the namespaces that may use it with tight spec.conditions.',
    defaultAction: 'deny',
    match: { kinds: esoKinds('ClusterSecretStore') },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { sharedStores: { type: 'array', items: { type: 'string', minLength: 1 } } },
    },
    defaultOptions,
    messages: {
      noConditions:
        'ClusterSecretStore {{name}} has no spec.conditions, so every namespace may read through it; add conditions (namespaces, namespaceSelector or anchored namespaceRegexes) or list it in sharedStores',
      selectsEveryNamespace:
        'ClusterSecretStore {{name}}: condition {{index}} has namespaceSelector {} which matches every namespace; select the namespaces by label',
      selectorAdmitsAll:
        'ClusterSecretStore {{name}}: condition {{index}} has a namespaceSelector with no requirement a new namespace fails (only DoesNotExist, NotIn, or Exists on kubernetes.io/metadata.name), so every namespace, also one created later, may read through the store; select the namespaces by a label they must carry',
      regexAdmitsAll:
        'ClusterSecretStore {{name}}: namespaceRegex {{regex}} matches every namespace name, so the store is as open as one without conditions; anchor it to the namespaces that may use the store',
      regexUnanchored:
        'ClusterSecretStore {{name}}: namespaceRegex {{regex}} is not anchored with ^…$; ESO searches unanchored, so it also admits namespaces that merely contain a match (prod admits preprod)',
      regexInvalid: 'ClusterSecretStore {{name}}: namespaceRegex {{regex}} does not compile; ESO would fail every ExternalSecret using the store',
      regexRefused:
        'ClusterSecretStore {{name}}: namespaceRegexes[{{regexIndex}}] of condition {{index}} {{problem}}, so secretguard cannot verify which namespaces it admits; write a shorter, simpler pattern or list the namespaces',
      emptyCondition: 'ClusterSecretStore {{name}}: condition {{index}} selects nothing (written {}), which admits no namespace; this is almost always a mistake',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { emptyCondition: 'warn', unknownVersion: 'warn' },
    remediation:
      'Give every ClusterSecretStore spec.conditions naming the namespaces (or a label selector of their Namespaces) that may use it, and anchor every namespaceRegex with ^…$.',
    isolation: true,
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const name = displayName(subject);
    if (reportUnknownEsoVersion(context, name)) return;
    const options = context.options;
    const spec = objectAt(object, 'spec');
    const conditions = arrayAt(spec, 'conditions');
    if (conditions === undefined || conditions.length === 0) {
      if (!options.sharedStores.includes(subject.name)) context.report({ messageId: 'noConditions', data: { name }, field: pointer('spec') });
      return;
    }
    const budget = new RegexBudget();
    let exhausted = false;
    conditions.forEach((condition, index) => {
      if (!isObject(condition)) return;
      const selector = condition['namespaceSelector'];
      const names = arrayAt(condition, 'namespaces') ?? [];
      const regexes = arrayAt(condition, 'namespaceRegexes') ?? [];
      const hasSelector = selector !== undefined && selector !== null;
      if (!hasSelector && names.length === 0 && regexes.length === 0) {
        context.report({ messageId: 'emptyCondition', data: { name, index }, field: pointer('spec', 'conditions', index) });
        return;
      }
      if (hasSelector && selectsEverything(selector)) {
        context.report({ messageId: 'selectsEveryNamespace', data: { name, index }, field: pointer('spec', 'conditions', index, 'namespaceSelector') });
      } else if (hasSelector && admitsEveryNewNamespace(selector)) {
        context.report({ messageId: 'selectorAdmitsAll', data: { name, index }, field: pointer('spec', 'conditions', index, 'namespaceSelector') });
      }
      regexes.forEach((regex, regexIndex) => {
        if (typeof regex !== 'string') return;
        const field = pointer('spec', 'conditions', index, 'namespaceRegexes', regexIndex);
        if (exhausted) return;
        const compiled = compileRegex(regex, budget);
        if (compiled === undefined) {
          exhausted = true;
          context.report({ messageId: 'regexRefused', data: { name, index, regexIndex, problem: 'and the ones after it need more regex work than secretguard allows one object' }, field });
        } else if (!compiled.ok && compiled.problem === 'cannot compile') context.report({ messageId: 'regexInvalid', data: { name, regex }, field });
        else if (!compiled.ok) context.report({ messageId: 'regexRefused', data: { name, index, regexIndex, problem: describeProblem(compiled.problem) }, field });
        else if (PROBES.every((probe) => compiled.regex.search(probe, budget) === true)) context.report({ messageId: 'regexAdmitsAll', data: { name, regex }, field });
        else if (!isFullyAnchored(regex)) context.report({ messageId: 'regexUnanchored', data: { name, regex }, field });
      });
    });
  },
});
