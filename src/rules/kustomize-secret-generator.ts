import { posix } from 'node:path';
import { isPlaceholder } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { KUSTOMIZE_GROUP } from '../k8s/kustomize.js';
import { arrayAt, isObject, pointer, stringAt } from '../k8s/json.js';


/** `KEY=VALUE` (kustomize splits at the first `=`); a literal without `=` has no value. */
function splitLiteral(literal: string): { key: string; value: string } {
  const at = literal.indexOf('=');
  return at < 0 ? { key: literal, value: '' } : { key: literal.slice(0, at), value: literal.slice(at + 1) };
}

/** The Secret key and the file of a `files` entry: `path` (the key is its base name) or `key=path`. */
function fileOfEntry(entry: string): { key: string; path: string } {
  const at = entry.indexOf('=');
  const path = at < 0 ? entry : entry.slice(at + 1);
  return { key: at < 0 ? posix.basename(path) : entry.slice(0, at), path };
}

/** Keys that hold public material by convention (certificates, public keys): a file of them is no credential. */
const PUBLIC_KEY = /\.(?:crt|cer|pub)$/i;

export default createRule({
  meta: {
    id: 'kustomize-secret-generator',
    description: 'A kustomize secretGenerator must not take its values from git: literals are plaintext, envs and files name plaintext files.',
    defaultAction: 'deny',
    // Only files hold these kinds: kustomize builds them away, no API server serves them.
    match: { kinds: [{ group: KUSTOMIZE_GROUP, kind: 'Kustomization' }, { group: KUSTOMIZE_GROUP, kind: 'Component' }] },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    messages: {
      literal:
        '{{kind}} secretGenerator {{generator}}: literal {{key}} is a Secret value in plaintext in git; produce the Secret with an ExternalSecret or a SealedSecret instead, and rotate the value',
      sourceFile:
        '{{kind}} secretGenerator {{generator}}: {{field}} names {{source}}, whose content becomes the Secret and sits in plaintext beside the kustomization; produce the Secret with an ExternalSecret or a SealedSecret instead, remove the file from git and rotate what it held',
    },
    remediation:
      'Drop the secretGenerator: produce the Secret with an ExternalSecret or a SealedSecret committed instead of the values, remove the plaintext files from the repository (and its history), and rotate what they held.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const kind = subject.gvk.kind;
    // envs and files are relative to the kustomization's directory.
    const directory = subject.origin.kind === 'manifest' ? posix.dirname(subject.origin.file.replaceAll('\\', '/')) : '.';
    (arrayAt(object, 'secretGenerator') ?? []).forEach((generator, index) => {
      if (!isObject(generator)) return;
      const name = stringAt(generator, 'name') || `#${index}`;
      (arrayAt(generator, 'literals') ?? []).forEach((literal, entry) => {
        if (typeof literal !== 'string') return;
        const { key, value } = splitLiteral(literal);
        if (value === '' || isPlaceholder(value)) return;
        context.report({ messageId: 'literal', data: { kind, generator: name, key }, field: pointer('secretGenerator', index, 'literals', entry) });
      });
      const report = (field: string, path: string, at: string): void => {
        const source = posix.normalize(posix.join(directory, path));
        context.report({ messageId: 'sourceFile', data: { kind, generator: name, field, source }, field: at });
      };
      for (const field of ['envs', 'files'] as const) {
        (arrayAt(generator, field) ?? []).forEach((entry, position) => {
          if (typeof entry !== 'string') return;
          const { key, path } = field === 'files' ? fileOfEntry(entry) : { key: '', path: entry };
          if (path !== '' && !PUBLIC_KEY.test(key)) report(field, path, pointer('secretGenerator', index, field, position));
        });
      }
      // `env` (one file) is the deprecated form of `envs`, still read by kustomize.
      const env = stringAt(generator, 'env');
      if (env !== undefined && env !== '') report('env', env, pointer('secretGenerator', index, 'env'));
    });
  },
});
