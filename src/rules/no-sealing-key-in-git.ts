import { createRule } from '../engine/rule.js';
import { labelsOf } from '../k8s/object.js';
import { gitProvenance } from './support/provenance.js';
import { displayName } from '../engine/subject.js';

export const SEALING_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';

export default createRule({
  meta: {
    id: 'no-sealing-key-in-git',
    description: 'Sealed Secrets private sealing keys (or a List backup of them) must never come from git.',
    defaultAction: 'deny',
    // A `kind: List` backup reaches rules item by item: the CLI flattens Lists, and the API server never admits one.
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      sealingKey:
        'Secret {{name}} is a Sealed Secrets sealing key ({{label}}) arriving from git ({{provenance}}); anyone who can read the repository can unseal every SealedSecret. Remove it from git, rotate the key, and keep backups out of git',
    },
    remediation:
      'Delete the key backup from the repository (and its history), rotate the sealing key (`kubeseal --re-encrypt` after the controller generates a new one), and store backups outside git.',
  },
  check(context) {
    const { subject } = context;
    if (subject.object === null) return;
    const label = labelsOf(subject.object)[SEALING_KEY_LABEL];
    if (label === undefined) return;
    const provenance = gitProvenance(subject, context.config.gitops);
    if (provenance === undefined) return;
    context.report({
      messageId: 'sealingKey',
      data: { name: displayName(subject), label: `${SEALING_KEY_LABEL}=${label}`, provenance },
      field: `/metadata/labels/${SEALING_KEY_LABEL.replace('/', '~1')}`,
    });
  },
});
