import { isObject, type JsonValue } from './json.js';

/**
 * Kubernetes label selector semantics (metav1.LabelSelector): matchLabels and matchExpressions
 * are ANDed; an empty selector matches everything. Returns undefined for a malformed selector,
 * which callers must treat as "cannot decide", never as a match.
 */
export function matchesLabelSelector(selector: JsonValue | undefined, labels: Readonly<Record<string, string>>): boolean | undefined {
  if (!isObject(selector)) return undefined;
  const matchLabels = selector['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isObject(matchLabels)) return undefined;
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return undefined;
      if (labels[key] !== value) return false;
    }
  }
  const expressions = selector['matchExpressions'];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) return undefined;
    for (const expression of expressions) {
      const result = matchesExpression(expression, labels);
      if (result !== true) return result;
    }
  }
  return true;
}

function matchesExpression(expression: JsonValue, labels: Readonly<Record<string, string>>): boolean | undefined {
  if (!isObject(expression)) return undefined;
  const key = expression['key'];
  const operator = expression['operator'];
  const rawValues = expression['values'] ?? [];
  if (typeof key !== 'string' || !Array.isArray(rawValues)) return undefined;
  const values = rawValues.filter((v): v is string => typeof v === 'string');
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  switch (operator) {
    case 'In':
      return has && values.includes(labels[key] ?? '');
    case 'NotIn':
      return !has || !values.includes(labels[key] ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return undefined;
  }
}

/** True when the selector is present and selects every object (`{}` or only empty parts). */
export function selectsEverything(selector: JsonValue | undefined): boolean {
  if (!isObject(selector)) return false;
  const labels = selector['matchLabels'];
  const expressions = selector['matchExpressions'];
  const noLabels = labels === undefined || labels === null || (isObject(labels) && Object.keys(labels).length === 0);
  const noExpressions = expressions === undefined || expressions === null || (Array.isArray(expressions) && expressions.length === 0);
  return noLabels && noExpressions;
}

/**
 * True when a selector has no requirement a new, unlabelled namespace fails: no matchLabels and only
 * `DoesNotExist`, `NotIn`, or `Exists` on `kubernetes.io/metadata.name` (which every Namespace carries). It then
 * admits every namespace created later, as if there were no selector. `{}` is reported by selectsEverything.
 */
export function admitsEveryNewNamespace(selector: JsonValue | undefined): boolean {
  if (!isObject(selector) || selectsEverything(selector)) return false;
  const labels = selector['matchLabels'];
  if (labels !== undefined && labels !== null && !(isObject(labels) && Object.keys(labels).length === 0)) return false;
  const expressions = selector['matchExpressions'];
  if (!Array.isArray(expressions)) return false;
  return expressions.every((expression) => {
    if (!isObject(expression)) return false;
    const operator = expression['operator'];
    if (operator === 'DoesNotExist' || operator === 'NotIn') return true;
    return operator === 'Exists' && expression['key'] === 'kubernetes.io/metadata.name';
  });
}
