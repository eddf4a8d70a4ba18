import { displayNameOrPrefix } from '../engine/subject.js';
import { describeHits, detectCredentials } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { esoKinds, reportUnknownEsoVersion, UNKNOWN_VERSION_MESSAGE } from './support/eso.js';
import { arrayAt, objectAt, pointer, stringAt } from '../k8s/json.js';


export default createRule({
  meta: {
    id: 'externalsecret-template-plaintext',
    description: 'No literal credentials in the template of an ExternalSecret or ClusterExternalSecret (target.template.data and templateFrom[].literal).',
    defaultAction: 'deny',
    match: { kinds: esoKinds('ExternalSecret', 'ClusterExternalSecret') },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      templateData:
        '{{kind}} {{name}}: {{path}} key {{key}} holds {{hits}} in plaintext; the template sits in git and in the {{kind}} object. Keep the value in the provider, fetch it with data[] or dataFrom[], and reference it as {{placeholder}}',
      templateLiteral:
        '{{kind}} {{name}}: {{path}} holds {{hits}} in plaintext; the template sits in git and in the {{kind}} object. Keep the value in the provider, fetch it with data[] or dataFrom[], and reference it from the template',
      unknownVersion: UNKNOWN_VERSION_MESSAGE,
    },
    defaultActionByMessage: { unknownVersion: 'warn' },
    remediation:
      'Store the credential in the secret provider, fetch it into the ExternalSecret with data[].remoteRef or dataFrom[], and refer to it from the template as `{{ .key }}`; rotate any value that was committed in plaintext.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    const name = displayNameOrPrefix(subject);
    if (reportUnknownEsoVersion(context, name)) return;
    const base = kind === 'ClusterExternalSecret' ? ['spec', 'externalSecretSpec'] : ['spec'];
    let spec: unknown = object;
    for (const segment of base) spec = objectAt(spec, segment);
    const template = objectAt(objectAt(spec, 'target'), 'template');
    if (template === undefined) return;
    const templatePath = [...base, 'target', 'template'];

    // Values are Go templates over the fetched keys (text/template with Sprig, TemplateScopeValues): references
    // such as `{{ .password }}` are not credentials, anything typed around them is written into the Secret as it is.
    const data = objectAt(template, 'data') ?? {};
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string') continue;
      const hits = detectCredentials(key, value);
      if (hits.length === 0) continue;
      context.report({
        messageId: 'templateData',
        data: { kind, name, path: [...templatePath, 'data'].join('.'), key, hits: describeHits(hits), placeholder: `{{ index . "${key}" }}` },
        field: pointer(...templatePath, 'data', key),
      });
    }

    // A literal is one template whose output is read as YAML keys and values (MergeLiteral, TemplateScopeKeysAndValues
    // in ESO's pkg/controllers/templating/parser.go), so its entries are checked as YAML content.
    (arrayAt(template, 'templateFrom') ?? []).forEach((entry, index) => {
      const literal = stringAt(entry, 'literal');
      if (literal === undefined) return;
      const hits = detectCredentials('', literal);
      if (hits.length === 0) return;
      context.report({
        messageId: 'templateLiteral',
        data: { kind, name, path: `${[...templatePath, 'templateFrom'].join('.')}[${index}].literal`, hits: describeHits(hits) },
        field: pointer(...templatePath, 'templateFrom', index, 'literal'),
      });
    });
  },
});
