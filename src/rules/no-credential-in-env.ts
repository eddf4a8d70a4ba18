import { describeHits, detectCredentials } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { envLiterals, podSpecOf, WORKLOAD_KINDS } from '../k8s/workloads.js';
import { displayName } from '../engine/subject.js';

export default createRule({
  meta: {
    id: 'no-credential-in-env',
    description: 'A literal env value in a pod template must not hold a credential; use valueFrom.secretKeyRef.',
    defaultAction: 'deny',
    // `kubectl debug` adds ephemeral containers, env and all, through pods/ephemeralcontainers; the API server
    // sends the whole Pod for it (EphemeralContainersREST in pkg/registry/core/pod/storage).
    match: { kinds: WORKLOAD_KINDS.map((k) => (k.group === '' && k.kind === 'Pod' ? { ...k, subResources: ['ephemeralcontainers'] } : k)) },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      credentialInEnv:
        '{{kind}} {{name}} container `{{container}}` env `{{env}}` holds a literal {{what}}; put it in a Secret (from an ExternalSecret or a SealedSecret) and use env[].valueFrom.secretKeyRef instead',
    },
    remediation:
      'Replace `value:` with `valueFrom: {secretKeyRef: {name, key}}` pointing at a Secret produced by an ExternalSecret or a SealedSecret, and rotate the exposed credential.',
  },
  check(context) {
    const { subject } = context;
    const location = podSpecOf(subject.object, subject.gvk.group, subject.gvk.kind);
    if (location === undefined) return;
    for (const literal of envLiterals(location.spec)) {
      const hits = detectCredentials(literal.name, literal.value);
      if (hits.length === 0) continue;
      context.report({
        messageId: 'credentialInEnv',
        data: {
          kind: subject.gvk.kind,
          name: displayName(subject),
          container: literal.container.name,
          env: literal.name,
          what: describeHits(hits),
        },
        field: `${location.pointer}${literal.pointer}`,
      });
    }
  },
});
