import { describeHits, detectCredentials } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { labelsOf } from '../k8s/object.js';
import { gitProvenance, trustedProducer } from './support/provenance.js';
import { isPersonRequester, placeholdersOnly, secretValues, type SecretValue } from '../k8s/secrets.js';
import { SEALING_KEY_LABEL } from './no-sealing-key-in-git.js';
import { displayName } from '../engine/subject.js';

interface Options {
  requireControllerManaged: boolean;
}

const MAX_KEYS_NAMED = 8;

/** `key `password`: generic password; key `tls.key`: PEM private key` — key names and detector words, never values. */
export function describeSecretValues(values: readonly SecretValue[]): string {
  const parts = values.slice(0, MAX_KEYS_NAMED).map((value) => `key \`${value.key}\`: ${classify(value)}`);
  if (values.length > MAX_KEYS_NAMED) parts.push(`and ${values.length - MAX_KEYS_NAMED} more`);
  return parts.join('; ');
}

function classify(value: SecretValue): string {
  // The detectors scan the first MAX_SCAN characters: the preview decodes no further than that.
  const decoded = value.preview;
  switch (decoded.kind) {
    case 'invalid':
      return 'value that is not valid base64';
    case 'binary':
      return `binary data (${decoded.bytes} bytes)`;
    case 'text': {
      const hits = detectCredentials(value.key, decoded.text);
      return hits.length === 0 ? 'unclassified value' : describeHits(hits);
    }
  }
}

const defaultOptions: Options = { requireControllerManaged: false };

export default createRule({
  meta: {
    id: 'no-plaintext-secret',
    description: 'A Secret with values must not come from git in plaintext: seal it or replace it with an ExternalSecret.',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { requireControllerManaged: { type: 'boolean' } },
    },
    defaultOptions,
    messages: {
      plaintextFromGit:
        'Secret {{name}} holds plaintext values from git ({{provenance}}): {{keys}}. Base64 is not encryption: seal it with kubeseal and commit the SealedSecret, or replace it with an ExternalSecret',
      placeholdersOnly:
        'Secret {{name}} from git ({{provenance}}) holds placeholders only ({{keys}}): the real Secret must come from a SealedSecret or an ExternalSecret',
      notControllerManaged:
        'Secret {{name}} was created by {{requester}} with values ({{keys}}) and no controller produces it (requireControllerManaged): seal it with kubeseal, or replace it with an ExternalSecret',
    },
    // A Secret whose every value is `<…>`, `${VAR}`, CHANGEME… protects nothing yet; any other value keeps the deny.
    defaultActionByMessage: { placeholdersOnly: 'warn' },
    remediation:
      'Remove the Secret from git (and its history, then rotate the values), and commit a SealedSecret (`kubectl create secret … --dry-run=client -o yaml | kubeseal --format yaml`) or an ExternalSecret that fetches the values from a secret store.',
  },
  check(context) {
    const { subject, options } = context;
    const secret = subject.object;
    if (secret === null) return;
    const values = secretValues(secret).filter((value) => !value.empty);
    const first = values[0];
    if (first === undefined) return;
    const name = displayName(subject);
    const { gitops, controllers } = context.config;
    if (trustedProducer(subject, gitops, controllers) !== undefined) return;
    const provenance = gitProvenance(subject, gitops);
    if (SEALING_KEY_LABEL in labelsOf(secret)) {
      // From git, no-sealing-key-in-git reports it with its own message. Elsewhere the label is only a
      // claim: it is believed from the sealed-secrets controller, which generates its keys itself.
      if (provenance !== undefined || controllers.sealedSecrets.includes(subject.requester.username)) return;
    }
    if (provenance !== undefined) {
      if (placeholdersOnly(values)) {
        context.report({ messageId: 'placeholdersOnly', data: { name, provenance, keys: values.slice(0, MAX_KEYS_NAMED).map((v) => `\`${v.key}\``).join(', ') }, field: first.field });
        return;
      }
      context.report({ messageId: 'plaintextFromGit', data: { name, provenance, keys: describeSecretValues(values) }, field: first.field });
      return;
    }
    if (options.requireControllerManaged && isPersonRequester(subject.requester.username)) {
      context.report({
        messageId: 'notControllerManaged',
        data: { name, requester: subject.requester.username, keys: describeSecretValues(values) },
        field: first.field,
      });
    }
  },
});
