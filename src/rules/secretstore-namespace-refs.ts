import { createRule } from '../engine/rule.js';
import { isObject, objectAt, pointer, stringAt, type JsonValue } from '../k8s/json.js';
import { esoKinds, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE } from './support/eso.js';
import { displayName } from '../engine/subject.js';

/** Keys whose value is a Kubernetes object reference in ESO providers (serviceAccountRef, secretRef, …SecretRef, caProvider, …). */
const REF_KEY = /(Ref|caProvider|serviceAccount|bearerToken|clientCert|clientKey)$/;

interface Found {
  path: (string | number)[];
  namespace: string;
}

/**
 * Every Kubernetes reference with a `namespace` under `spec.provider`, for every provider: an object carrying a
 * string `namespace` together with `name` or `key` (SecretKeySelector, ServiceAccountSelector, CAProvider), or held
 * under a reference-like key. Provider-level settings such as Vault's own `namespace` have neither and are skipped.
 */
function namespacedRefs(value: JsonValue, path: (string | number)[], parentKey: string, out: Found[], depth = 0): void {
  if (depth > 32) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => { namespacedRefs(item, [...path, index], parentKey, out, depth + 1); });
    return;
  }
  if (!isObject(value)) return;
  const namespace = stringAt(value, 'namespace');
  if (namespace !== undefined && namespace !== '') {
    const looksLikeRef = stringAt(value, 'name') !== undefined || stringAt(value, 'key') !== undefined || REF_KEY.test(parentKey);
    if (looksLikeRef) out.push({ path: [...path, 'namespace'], namespace });
  }
  for (const [key, child] of Object.entries(value)) namespacedRefs(child, [...path, key], key, out, depth + 1);
}

export default createRule({
  meta: {
    id: 'secretstore-namespace-refs',
    description: "A namespaced SecretStore's provider auth and other references must stay in the store's own namespace.",
    defaultAction: 'deny',
    match: { kinds: esoKinds('SecretStore') },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      foreignNamespace:
        'SecretStore {{store}} in namespace {{namespace}} refers to {{ref}} in namespace {{other}}; a namespaced store may only use credentials of its own namespace: remove the namespace field or use a ClusterSecretStore with conditions',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { unknownVersion: 'warn' },
    remediation:
      "Drop `namespace` from the provider's serviceAccountRef/secretRef/caProvider (they then resolve in the store's namespace), or move the credentials into that namespace.",
    isolation: true,
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const store = displayName(subject);
    if (reportUnknownEsoVersion(context, store)) return;
    const provider = objectAt(objectAt(object, 'spec'), 'provider');
    if (provider === undefined) return;
    const found: Found[] = [];
    namespacedRefs(provider, ['spec', 'provider'], 'provider', found);
    for (const ref of found) {
      if (ref.namespace === subject.namespace) continue;
      context.report({
        messageId: 'foreignNamespace',
        data: { store, namespace: subject.namespace, ref: ref.path.slice(2, -1).join('.'), other: ref.namespace },
        field: pointer(...ref.path),
      });
    }
  },
});
