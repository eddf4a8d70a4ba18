import { createRule } from '../engine/rule.js';
import { nameMatcher } from '../engine/names.js';
import { RegexBudget } from '../k8s/regex.js';
import { tenantOf } from './support/tenancy.js';
import { CLUSTER_SECRET_STORE, conditionsAdmit, esoKinds, esoUsage, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE, namespaceLabels, resolveStoreRef, usageStoreRefs } from './support/eso.js';
import { displayNameOrPrefix } from '../engine/subject.js';

interface Options {
  /** What a reference to a ClusterSecretStore absent from the view gives. */
  unknownStore: 'warn' | 'deny' | 'ignore';
}

type MessageId = 'conditionsReject' | 'tenantNotAllowed' | 'unknownStore' | 'unknownStoreDenied' | 'unknownVersion';

const defaultOptions: Options = { unknownStore: 'warn' };

export default createRule({
  meta: {
    id: 'externalsecret-store-access',
    description: 'ExternalSecrets, PushSecrets and their cluster-wide forms may only use ClusterSecretStores that admit their namespace and tenant.',
    defaultAction: 'deny',
    match: { kinds: esoKinds('ExternalSecret', 'PushSecret', 'ClusterExternalSecret', 'ClusterPushSecret') },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { unknownStore: { enum: ['warn', 'deny', 'ignore'] } },
    },
    defaultOptions,
    messages: {
      conditionsReject:
        '{{kind}} {{name}} uses ClusterSecretStore {{store}} from namespace {{namespace}}, but the store\'s conditions do not admit that namespace ({{reason}}); ESO would only fail at reconcile time',
      tenantNotAllowed:
        '{{kind}} {{name}} uses ClusterSecretStore {{store}} from namespace {{namespace}}, which tenant {{tenant}} may not use (tenancy.tenants.{{tenant}}.clusterSecretStores)',
      unknownStore: '{{kind}} {{name}} refers to ClusterSecretStore {{store}}, which is not in the cluster view; its conditions could not be checked',
      unknownStoreDenied: '{{kind}} {{name}} refers to ClusterSecretStore {{store}}, which is not in the cluster view; refusing what cannot be checked',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { unknownStore: 'warn', unknownVersion: 'warn' },
    remediation:
      "Use a store the namespace may use: a SecretStore in the same namespace, or a ClusterSecretStore whose conditions admit the namespace and that the tenant's clusterSecretStores list allows.",
    needsClusterState: true,
    isolation: true,
  },
  check(context) {
    const { subject, view, options } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const name = displayNameOrPrefix(subject);
    if (reportUnknownEsoVersion(context, name)) return;
    const usage = esoUsage(kind, object, subject.namespace, view);
    if (usage === undefined) return;
    const { namespaces } = usage;
    const refs = usageStoreRefs(usage);
    const seen = new Set<string>();
    const report = (messageId: MessageId, data: Record<string, string>, field: string): void => {
      const key = `${messageId}|${field}|${data['namespace'] ?? ''}|${data['store'] ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      context.report({ messageId, data: { kind, name, ...data }, field });
    };
    const budget = new RegexBudget();
    for (const ref of refs) {
      if (ref.kind !== CLUSTER_SECRET_STORE) continue;
      for (const namespace of namespaces) {
        const tenant = tenantOf(namespace, view, context.config.tenancy);
        const allowed = tenant.policy?.clusterSecretStores;
        const { stores, unknown } = resolveStoreRef(ref, namespace, view);
        const storeNames = ref.name !== undefined ? [ref.name] : stores.map((s) => s.name);
        for (const store of storeNames) {
          if (allowed !== undefined && !nameMatcher(allowed).matches(store)) {
            report('tenantNotAllowed', { store, namespace, tenant: tenant.name }, ref.field);
          }
        }
        if (unknown && ref.name !== undefined) {
          if (options.unknownStore === 'warn') report('unknownStore', { store: ref.name }, ref.field);
          else if (options.unknownStore === 'deny') report('unknownStoreDenied', { store: ref.name }, ref.field);
          continue;
        }
        for (const store of stores) {
          const verdict = conditionsAdmit(store.conditions, namespace, namespaceLabels(view, namespace), budget);
          if (!verdict.admitted) report('conditionsReject', { store: store.name, namespace, reason: verdict.reason }, ref.field);
        }
      }
    }
  },
});
