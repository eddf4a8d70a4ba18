import { createRule } from '../engine/rule.js';
import type { Subject } from '../engine/types.js';
import { objectAt, pointer } from '../k8s/json.js';
import {
  SEALED_SECRET_KIND,
  VALID_RSA_BLOCK_SIZES,
  inspectCiphertext,
  isCertificateProblem,
  keyBits,
  loadSealingCertificate,
  minimumLength,
  type Base64Problem,
  type CertificateProblem,
  type SealingCertificate,
} from '../k8s/sealedsecret.js';
import { displayName } from '../engine/subject.js';

/** A spoke's accepted sealing certificates; `paths` pick the spoke for manifests in the CLI. */
export interface SpokeCertificates {
  name: string;
  certificates: string[];
  paths?: string[];
}

export interface SealedSecretCiphertextOptions {
  /** PEM text or file paths of accepted sealing certificates, or spokes with their own. */
  certificates: (string | SpokeCertificates)[];
}

const certificateString = { type: 'string', minLength: 1 };

const BASE64_PROBLEMS: Record<Base64Problem, string> = {
  empty: 'the value is empty',
  'url-alphabet': 'it uses the URL-safe alphabet (- and _); kubeseal writes standard base64 (+ and /)',
  unpadded: 'its length is not a multiple of 4: the = padding was stripped or the value was cut',
  'misplaced-padding': 'it has = padding in the wrong place',
  alphabet: 'it has characters outside the base64 alphabet: a placeholder or plaintext, not kubeseal output',
};

interface LoadedSpoke {
  name: string;
  paths: string[];
  certificates: SealingCertificate[];
}

interface LoadedCertificates {
  shared: SealingCertificate[];
  spokes: LoadedSpoke[];
  problems: CertificateProblem[];
}

/** Parsed once per options object (one per resolved config), so a request never reads a file. */
const loaded = new WeakMap<SealedSecretCiphertextOptions, LoadedCertificates>();

function certificatesFor(options: SealedSecretCiphertextOptions): LoadedCertificates {
  let result = loaded.get(options);
  if (result !== undefined) return result;
  const shared: SealingCertificate[] = [];
  const spokes: LoadedSpoke[] = [];
  const problems: CertificateProblem[] = [];
  options.certificates.forEach((entry, index) => {
    if (typeof entry === 'string') {
      const loadedCert = loadSealingCertificate(entry, `options.certificates[${index}]`);
      if (isCertificateProblem(loadedCert)) problems.push(loadedCert);
      else shared.push(loadedCert);
      return;
    }
    const spoke: LoadedSpoke = { name: entry.name, paths: (entry.paths ?? []).map(normalizePath), certificates: [] };
    entry.certificates.forEach((reference, i) => {
      const loadedCert = loadSealingCertificate(reference, `spoke ${entry.name} certificates[${i}]`);
      if (isCertificateProblem(loadedCert)) problems.push(loadedCert);
      else spoke.certificates.push(loadedCert);
    });
    spokes.push(spoke);
  });
  result = { shared, spokes, problems };
  loaded.set(options, result);
  return result;
}

function normalizePath(path: string): string {
  return path.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

function pathMatches(file: string, prefix: string): boolean {
  return prefix !== '' && (file === prefix || file.startsWith(prefix + '/') || file.includes('/' + prefix + '/'));
}

interface Expectation {
  /** Accepted RSA block lengths. */
  sizes: number[];
  /** Whom the sizes come from, for messages; undefined when no certificate is configured. */
  target?: string;
}

function expectationFor(subject: Subject, certs: LoadedCertificates): Expectation {
  const file = subject.origin.kind === 'manifest' ? normalizePath(subject.origin.file) : undefined;
  const spoke = file === undefined ? undefined : certs.spokes.find((s) => s.paths.some((p) => pathMatches(file, p)));
  const chosen = spoke !== undefined ? [...certs.shared, ...spoke.certificates] : [...certs.shared, ...certs.spokes.flatMap((s) => s.certificates)];
  if (chosen.length === 0) return { sizes: [...VALID_RSA_BLOCK_SIZES] };
  const sizes = [...new Set(chosen.map((c) => c.rsaLength))].sort((a, b) => a - b);
  return { sizes, target: spoke !== undefined ? `spoke ${spoke.name}'s sealing certificates` : 'the configured sealing certificates' };
}

function describeSizes(sizes: readonly number[]): string {
  return sizes.map((s) => `${keyBits(s)}-bit`).join(' or ');
}

/** Typed here so that createRule infers the options from it (an empty list alone would infer never[]). */
const DEFAULT_OPTIONS: SealedSecretCiphertextOptions = { certificates: [] };

export default createRule({
  meta: {
    id: 'sealedsecret-ciphertext',
    description: 'SealedSecret encryptedData values must be kubeseal ciphertext for a real key size (and the configured spoke certificates).',
    defaultAction: 'deny',
    match: { kinds: [SEALED_SECRET_KIND] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        certificates: {
          type: 'array',
          items: {
            anyOf: [
              certificateString,
              {
                type: 'object',
                additionalProperties: false,
                required: ['name', 'certificates'],
                properties: {
                  name: { type: 'string', minLength: 1 },
                  certificates: { type: 'array', minItems: 1, items: certificateString },
                  paths: { type: 'array', items: { type: 'string', minLength: 1 } },
                },
              },
            ],
          },
        },
      },
    },
    defaultOptions: DEFAULT_OPTIONS,
    messages: {
      unusableCertificate:
        'unusable sealing certificate {{label}}: {{reason}}; key sizes were checked against kubeseal\'s defaults only. Fix options.certificates',
      noEncryptedData:
        'SealedSecret {{name}} has no spec.encryptedData values: the controller would unseal an empty Secret. Seal the values with kubeseal --cert <spoke cert>',
      notString: 'SealedSecret {{name}}: spec.encryptedData key {{key}} is not a string, so the controller drops it. Re-seal it with kubeseal',
      notBase64:
        'SealedSecret {{name}}: spec.encryptedData key {{key}} is not base64: {{problem}}. Re-seal it with kubeseal --cert <spoke cert> --raw',
      noHeader:
        'SealedSecret {{name}}: spec.encryptedData key {{key}} decodes to {{length}} bytes, too short to hold the 2-byte length header. Re-seal it with kubeseal',
      invalidKeySize:
        'SealedSecret {{name}}: spec.encryptedData key {{key}} is not kubeseal output: RSA block length {{rsaLength}} is not a valid key size (expected {{expected}} bytes): plaintext, a placeholder or a corrupted value. Re-seal it with kubeseal --cert <spoke cert>',
      wrongKeySize:
        'SealedSecret {{name}}: spec.encryptedData key {{key}} was sealed for a {{bits}}-bit key (RSA block length {{rsaLength}}), but {{target}} are {{expected}}: sealed with another cluster\'s certificate? Re-seal it with kubeseal --cert <spoke cert>',
      tooShort:
        'SealedSecret {{name}}: spec.encryptedData key {{key}} is too short for a {{bits}}-bit key: {{length}} bytes decoded, at least {{minimum}} needed (2-byte header, {{rsaLength}}-byte RSA block, 16-byte GCM tag); the value was cut. Re-seal it with kubeseal',
    },
    defaultActionByMessage: { unusableCertificate: 'error' },
    remediation:
      'Seal every value with the target cluster\'s certificate: `kubeseal --cert <spoke cert> --scope strict --format yaml < secret.yaml`, or one value with `kubeseal --cert <spoke cert> --raw --name <name> --namespace <ns> --from-file=<file>`.',
  },
  check(context) {
    const { subject } = context;
    const object = subject.object;
    if (object === null) return;
    const { options } = context;
    const name = displayName(subject);
    const spec = objectAt(object, 'spec');
    const encrypted = objectAt(spec, 'encryptedData');
    const certs = certificatesFor(options);
    const expectation = expectationFor(subject, certs);

    const entries = encrypted === undefined ? [] : Object.entries(encrypted);
    // A legacy spec.data blob has no encryptedData by design; sealedsecret-template-plaintext warns about it.
    const legacy = spec !== undefined && spec['data'] !== undefined && spec['data'] !== null;
    if (entries.length === 0 && !legacy) {
      context.report({ messageId: 'noEncryptedData', data: { name }, field: pointer('spec', 'encryptedData') });
    }
    for (const [key, value] of entries) {
      const field = pointer('spec', 'encryptedData', key);
      if (typeof value !== 'string') {
        context.report({ messageId: 'notString', data: { name, key }, field });
        continue;
      }
      const shape = inspectCiphertext(value);
      if (!shape.ok) {
        if (shape.problem === 'base64') {
          context.report({ messageId: 'notBase64', data: { name, key, problem: BASE64_PROBLEMS[shape.base64] }, field });
        } else {
          context.report({ messageId: 'noHeader', data: { name, key, length: shape.decodedLength }, field });
        }
        continue;
      }
      const { rsaLength, decodedLength } = shape;
      if (!VALID_RSA_BLOCK_SIZES.includes(rsaLength)) {
        context.report({
          messageId: 'invalidKeySize',
          data: { name, key, rsaLength, expected: VALID_RSA_BLOCK_SIZES.join(', ').replace(/, (\d+)$/, ' or $1') },
          field,
        });
        continue;
      }
      if (expectation.target !== undefined && !expectation.sizes.includes(rsaLength)) {
        context.report({
          messageId: 'wrongKeySize',
          data: { name, key, rsaLength, bits: keyBits(rsaLength), target: expectation.target, expected: describeSizes(expectation.sizes) },
          field,
        });
        continue;
      }
      if (decodedLength < minimumLength(rsaLength)) {
        context.report({
          messageId: 'tooShort',
          data: { name, key, bits: keyBits(rsaLength), length: decodedLength, minimum: minimumLength(rsaLength), rsaLength },
          field,
        });
      }
    }
    for (const problem of certs.problems) {
      context.report({ messageId: 'unusableCertificate', data: { label: problem.label, reason: problem.reason }, field: '' });
    }
  },
});
