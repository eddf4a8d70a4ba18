import { createRule } from '../engine/rule.js';
import { objectAt, pointer, stringAt } from '../k8s/json.js';
import { SEALED_SECRET_KIND } from '../k8s/sealedsecret.js';
import { displayName } from '../engine/subject.js';

/**
 * Keys the API server requires for each Secret type (ValidateSecret in k8s.io/kubernetes
 * pkg/apis/core/validation): every group must be satisfied by at least one of its keys.
 */
export const REQUIRED_KEYS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'kubernetes.io/tls': [['tls.crt'], ['tls.key']],
  'kubernetes.io/dockerconfigjson': [['.dockerconfigjson']],
  'kubernetes.io/dockercfg': [['.dockercfg']],
  'kubernetes.io/basic-auth': [['username', 'password']],
  'kubernetes.io/ssh-auth': [['ssh-privatekey']],
};

export default createRule({
  meta: {
    id: 'sealedsecret-template-metadata',
    description: 'A SealedSecret template must not name another Secret or namespace, and must provide the keys its Secret type requires.',
    defaultAction: 'warn',
    match: { kinds: [SEALED_SECRET_KIND] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      templateName:
        'SealedSecret {{name}}: spec.template.metadata.name is {{templateName}}, but the controller ignores it and always unseals into Secret {{name}}. Remove it or rename the SealedSecret (and re-seal: strict scope binds the name)',
      templateNamespace:
        'SealedSecret {{name}}: spec.template.metadata.namespace is {{templateNamespace}}, but the controller ignores it and always unseals into namespace {{namespace}}. Remove it, or seal for the intended namespace with kubeseal --cert <spoke cert> --namespace <ns>',
      missingKeys:
        'SealedSecret {{name}}: spec.template.type {{type}} requires {{keys}}, which neither spec.encryptedData nor spec.template.data provides, so the API server will refuse the unsealed Secret. Seal the missing keys with kubeseal --cert <spoke cert> --merge-into',
    },
    defaultActionByMessage: { missingKeys: 'deny' },
    remediation:
      'Drop spec.template.metadata.name and namespace (the SealedSecret\'s own name and namespace are used), and seal every key the Secret type requires: `kubeseal --cert <spoke cert> --raw --name <name> --namespace <ns> --from-file=<key>=<file>`.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const metadata = objectAt(object, 'metadata');
    const ownName = stringAt(metadata, 'name') ?? '';
    const ownNamespace = stringAt(metadata, 'namespace') ?? (subject.source === 'webhook' ? subject.namespace : undefined);
    const name = ownName || displayName(subject);
    const spec = objectAt(object, 'spec');
    const template = objectAt(spec, 'template');
    const templateMetadata = objectAt(template, 'metadata');

    const templateName = stringAt(templateMetadata, 'name');
    if (templateName !== undefined && templateName !== '' && ownName !== '' && templateName !== ownName) {
      context.report({ messageId: 'templateName', data: { name, templateName }, field: pointer('spec', 'template', 'metadata', 'name') });
    }
    const templateNamespace = stringAt(templateMetadata, 'namespace');
    if (
      templateNamespace !== undefined &&
      templateNamespace !== '' &&
      ownNamespace !== undefined &&
      ownNamespace !== '' &&
      templateNamespace !== ownNamespace
    ) {
      context.report({
        messageId: 'templateNamespace',
        data: { name, templateNamespace, namespace: ownNamespace },
        field: pointer('spec', 'template', 'metadata', 'namespace'),
      });
    }

    const type = stringAt(template, 'type');
    const required = type === undefined ? undefined : REQUIRED_KEYS[type];
    // A legacy spec.data blob hides its keys; nothing can be said about them.
    if (type === undefined || required === undefined || (spec?.['data'] !== undefined && spec['data'] !== null)) return;
    const provided = new Set([...Object.keys(objectAt(spec, 'encryptedData') ?? {}), ...Object.keys(objectAt(template, 'data') ?? {})]);
    const missing = required.filter((group) => !group.some((key) => provided.has(key)));
    if (missing.length === 0) return;
    context.report({
      messageId: 'missingKeys',
      data: { name, type, keys: missing.map((group) => group.join(' or ')).join(' and ') },
      field: pointer('spec', 'template', 'type'),
    });
  },
});
