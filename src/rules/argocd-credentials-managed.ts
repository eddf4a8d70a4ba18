import { detectCredentials } from '../detectors/detect.js';
import { createRule } from '../engine/rule.js';
import { isObject, type JsonObject } from '../k8s/json.js';
import { labelsOf } from '../k8s/object.js';
import { auditProvenance } from './support/stored-provenance.js';
import { gitProvenance, trustedProducer } from './support/provenance.js';
import { placeholdersOnly, secretValues, type SecretValue } from '../k8s/secrets.js';
import { displayName } from '../engine/subject.js';

interface Options {
  /** Report only Secrets that come from git (webhook); by default any requester is reported. */
  onlyFromGit: boolean;
  /** Requesters that may write credential Secrets directly (e.g. the Argo CD API server for `argocd cluster add`). */
  allowedRequesters: string[];
}

export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
const CREDENTIAL_TYPES = new Set(['cluster', 'repository', 'repo-creds', 'repository-write', 'repo-write-creds']);
/** Repository credential keys (reference.md §6). */
export const REPOSITORY_CREDENTIAL_KEYS = [
  'password',
  'sshPrivateKey',
  'githubAppPrivateKey',
  'tlsClientCertKey',
  'bearerToken',
  'gcpServiceAccountKey',
  'azureServicePrincipalClientSecret',
] as const;

function nonEmpty(value: unknown): boolean {
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return value !== null && value !== undefined;
}

/** Secret-bearing parts of a cluster Secret's `config` JSON. */
function clusterConfigCredentials(text: string): string[] {
  let config: unknown;
  try {
    config = JSON.parse(text) as unknown;
  } catch {
    config = undefined;
  }
  if (!isObject(config)) {
    // Not JSON: fall back to the detectors so a token in a malformed config is still caught.
    return detectCredentials('config', text).length > 0 ? ['credential in unparsable JSON'] : [];
  }
  const found: string[] = [];
  if (nonEmpty(config['bearerToken'])) found.push('bearerToken');
  if (nonEmpty(config['password'])) found.push('password');
  const tls = config['tlsClientConfig'];
  if (isObject(tls) && nonEmpty(tls['keyData'])) found.push('tlsClientConfig.keyData');
  const exec = config['execProviderConfig'];
  if (isObject(exec)) {
    if (nonEmpty(exec['env'])) found.push('execProviderConfig.env');
    if (nonEmpty(exec['config'])) found.push('execProviderConfig.config');
  }
  return found;
}

function textOf(value: SecretValue): string | undefined {
  return value.decoded.kind === 'text' ? value.decoded.text : undefined;
}

interface CredentialField {
  label: string;
  field: string;
}

function credentialFields(secretType: string, secret: JsonObject): CredentialField[] {
  const result: CredentialField[] = [];
  for (const value of secretValues(secret)) {
    if (value.empty) continue;
    if (secretType === 'cluster') {
      if (value.key !== 'config') continue;
      const text = textOf(value);
      if (text === undefined) {
        result.push({ label: `\`config\` (${value.decoded.kind === 'binary' ? 'binary' : 'not valid base64'})`, field: value.field });
        continue;
      }
      const parts = clusterConfigCredentials(text);
      if (parts.length > 0) result.push({ label: `\`config\` > ${parts.join(', ')}`, field: value.field });
    } else if ((REPOSITORY_CREDENTIAL_KEYS as readonly string[]).includes(value.key)) {
      result.push({ label: `\`${value.key}\``, field: value.field });
    }
  }
  return result;
}

const defaultOptions: Options = { onlyFromGit: false, allowedRequesters: [] };

export default createRule({
  meta: {
    id: 'argocd-credentials-managed',
    description: 'Argo CD cluster and repository credential Secrets must be produced by ESO or a SealedSecret, never written by hand.',
    defaultAction: 'deny',
    match: { kinds: [{ group: '', kind: 'Secret', versions: ['v1'] }] },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        onlyFromGit: { type: 'boolean' },
        allowedRequesters: { type: 'array', items: { type: 'string' } },
      },
    },
    defaultOptions,
    messages: {
      placeholdersOnly:
        'Argo CD {{secretType}} Secret {{name}} from {{origin}} holds placeholders only: the real Secret must come from a SealedSecret or an ExternalSecret',
      handMadeCredentials:
        'Argo CD {{secretType}} Secret {{name}} carries credentials ({{fields}}) and comes from {{origin}}, not from an ExternalSecret or a SealedSecret; whoever reads it controls the {{target}}. Produce it with an ExternalSecret (or at least a SealedSecret) and rotate the credential',
    },
    defaultActionByMessage: { placeholdersOnly: 'warn' },
    remediation:
      'Store the token or key in a secret store and let an ExternalSecret create this Secret (target.template.metadata.labels carries argocd.argoproj.io/secret-type), or seal it with kubeseal; rotate the credential that was exposed.',
  },
  check(context) {
    const { subject } = context;
    const { options } = context;
    const secret = subject.object;
    if (secret === null) return;
    const secretType = labelsOf(secret)[SECRET_TYPE_LABEL];
    if (secretType === undefined || !CREDENTIAL_TYPES.has(secretType)) return;
    const { gitops } = context.config;
    let origin: string;
    if (subject.source === 'cli') {
      origin = 'a manifest file in git';
    } else if (subject.source === 'audit') {
      // A stored object has no requester: what owns its data decides (rules/support/stored-provenance.ts).
      const provenance = auditProvenance(secret, gitops);
      if (provenance?.fromGit === false) return;
      if (options.onlyFromGit && provenance === undefined) return;
      origin = provenance !== undefined ? `git (${provenance.signal})` : 'a hand-made Secret (no GitOps tool or controller owns its data)';
    } else {
      const username = subject.requester.username;
      if (options.allowedRequesters.includes(username)) return;
      const producer = trustedProducer(subject, gitops, context.config.controllers)?.producer;
      if (producer === 'ExternalSecret' || producer === 'SealedSecret') return;
      const provenance = gitProvenance(subject, gitops);
      if (options.onlyFromGit && provenance === undefined) return;
      origin = provenance !== undefined ? `git (${provenance})` : `requester ${username}`;
    }
    const fields = credentialFields(secretType, secret);
    const first = fields[0];
    if (first === undefined) return;
    // Every value a placeholder: a template for the real Secret; any other value keeps the deny.
    if (placeholdersOnly(secretValues(secret).filter((value) => !value.empty))) {
      context.report({ messageId: 'placeholdersOnly', data: { secretType, name: displayName(subject), origin }, field: first.field });
      return;
    }
    context.report({
      messageId: 'handMadeCredentials',
      data: {
        secretType,
        name: displayName(subject),
        fields: fields.map((f) => f.label).join(', '),
        origin,
        target: secretType === 'cluster' ? 'spoke cluster' : 'repository',
      },
      field: first.field,
    });
  },
});
