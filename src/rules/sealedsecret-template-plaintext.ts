import { describeHits, detectCredentials } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { isObject, objectAt, pointer, stringEntriesAt } from '../k8s/json.js';
import { SEALED_SECRET_KIND } from '../k8s/sealedsecret.js';
import { displayName } from '../engine/subject.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** True when a last-applied-configuration annotation carries a Secret's data (kubeseal strips it; hand edits may not). */
function carriesSecretData(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    if (!isObject(parsed)) return false;
    return ['data', 'stringData'].some((key) => {
      const map = parsed[key];
      return isObject(map) && Object.keys(map).length > 0;
    });
  } catch {
    return false;
  }
}

export default createRule({
  meta: {
    id: 'sealedsecret-template-plaintext',
    description: 'No credentials in the unencrypted parts of a SealedSecret (template data and annotations), and no legacy data blob.',
    defaultAction: 'deny',
    match: { kinds: [SEALED_SECRET_KIND] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      templateData:
        'SealedSecret {{name}}: spec.template.data key {{key}} holds {{hits}} in plaintext; template data is not encrypted. Seal the value into encryptedData (kubeseal --cert <spoke cert> --raw --name {{name}} --namespace <ns> --from-file=…) and reference it as {{placeholder}}',
      templateAnnotation:
        'SealedSecret {{name}}: spec.template.metadata.annotations {{key}} holds {{hits}} in plaintext; annotations are not encrypted. Remove it and seal the value into encryptedData',
      lastApplied:
        'SealedSecret {{name}}: spec.template.metadata.annotations {{key}} holds a copy of the original Secret with its data in plaintext. Remove the annotation (kubeseal strips it) and rotate the values',
      legacyData:
        'SealedSecret {{name}} uses the deprecated spec.data blob (the whole Secret in one ciphertext, refused by controllers started with --accept-deprecated-v1-data=false, and never checkable key by key). Re-seal it with a current kubeseal (kubeseal --cert <spoke cert> --format yaml) to get per-key encryptedData',
    },
    defaultActionByMessage: { legacyData: 'warn' },
    remediation:
      'Keep every credential in spec.encryptedData: seal it with `kubeseal --cert <spoke cert> --raw --name <name> --namespace <ns> --from-file=<key>=<file>` and refer to it from spec.template.data as `{{ .key }}`; rotate any value that was committed in plaintext.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const name = displayName(subject);
    const spec = objectAt(object, 'spec');
    const template = objectAt(spec, 'template');

    for (const [key, value] of stringEntriesAt(template, 'data')) {
      const hits = detectCredentials(key, value);
      if (hits.length === 0) continue;
      context.report({
        messageId: 'templateData',
        data: { name, key, hits: describeHits(hits), placeholder: `{{ index . "${key}" }}` },
        field: pointer('spec', 'template', 'data', key),
      });
    }

    for (const [key, value] of stringEntriesAt(objectAt(template, 'metadata'), 'annotations')) {
      const field = pointer('spec', 'template', 'metadata', 'annotations', key);
      if (key === LAST_APPLIED) {
        if (carriesSecretData(value)) context.report({ messageId: 'lastApplied', data: { name, key }, field });
        continue;
      }
      const hits = detectCredentials(key, value);
      if (hits.length === 0) continue;
      context.report({ messageId: 'templateAnnotation', data: { name, key, hits: describeHits(hits) }, field });
    }

    if (spec !== undefined && spec['data'] !== undefined && spec['data'] !== null) {
      context.report({ messageId: 'legacyData', data: { name }, field: pointer('spec', 'data') });
    }
  },
});
