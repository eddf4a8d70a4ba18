import { decodeSecretValue, describeHits, detectCredentials, NOT_FULLY_SCANNED, type CredentialHit } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { pointer, stringEntriesAt } from '../k8s/json.js';
import { displayName } from '../engine/subject.js';

interface Options {
  /** Report a value the detectors could not read to its end (longer than 1 MiB, past an entry or depth bound). */
  reportNotFullyScanned: boolean;
}

const defaultOptions: Options = { reportNotFullyScanned: true };

export default createRule({
  meta: {
    id: 'no-credential-in-configmap',
    description: 'A ConfigMap must not hold a credential (token, key, password, connection string) in data or binaryData.',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'ConfigMap', versions: ['v1'] }] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: { reportNotFullyScanned: { type: 'boolean' } } },
    defaultOptions,
    messages: {
      credentialInConfigMap:
        'ConfigMap {{name}} key `{{key}}` holds {{what}}; ConfigMaps are readable by anyone who can read the namespace and are never encrypted: move the value to a Secret produced by an ExternalSecret or a SealedSecret, and reference it from there',
    },
    remediation:
      'Move the credential into a Secret created by an ExternalSecret (or a SealedSecret), mount or reference that Secret, keep only non-secret settings in the ConfigMap, and rotate the exposed credential.',
  },
  check(context) {
    const { subject } = context;
    const configMap = subject.object;
    if (configMap === null) return;
    const name = displayName(subject);
    const { reportNotFullyScanned } = context.options;
    const detect = (key: string, value: string): CredentialHit[] => {
      const hits = detectCredentials(key, value);
      return reportNotFullyScanned ? hits : hits.filter((hit) => hit.detectorId !== NOT_FULLY_SCANNED);
    };
    for (const [key, value] of stringEntriesAt(configMap, 'data')) {
      const hits = detect(key, value);
      if (hits.length > 0) {
        context.report({ messageId: 'credentialInConfigMap', data: { name, key, what: describeHits(hits) }, field: pointer('data', key) });
      }
    }
    for (const [key, value] of stringEntriesAt(configMap, 'binaryData')) {
      const decoded = decodeSecretValue(value);
      if (decoded.kind !== 'text') continue;
      const hits = detect(key, decoded.text);
      if (hits.length > 0) {
        context.report({ messageId: 'credentialInConfigMap', data: { name, key, what: describeHits(hits) }, field: pointer('binaryData', key) });
      }
    }
  },
});
