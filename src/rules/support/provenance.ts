import type { ControllersConfig, GitOpsConfig } from '../../config/types.js';
import type { Subject } from '../../engine/types.js';
import { annotationsOf, labelsOf, managedFieldsOf } from '../../k8s/object.js';
import { isHelmReleaseStorage, secretProducer, type SecretProducer } from '../../k8s/secrets.js';
import { auditGitProvenance } from './stored-provenance.js';

/**
 * Which signals of reference.md §2 to read: all of them, or, for a write by the producer's own identity,
 * only those it cannot have copied from its parent object: the requester, and a GitOps manager that owns
 * values (a token Secret applied from git without data, then filled by its controller, stays trusted).
 */
type SignalSet = 'all' | 'requestAndValues';

function fileSignal(subject: Subject, gitops: GitOpsConfig, signals: SignalSet): string | undefined {
  const object = subject.object ?? subject.oldObject;
  if (gitops.requesters.includes(subject.requester.username)) return `requester ${subject.requester.username}`;
  if (signals === 'all') {
    const annotations = annotationsOf(object);
    for (const key of gitops.annotations) {
      if (key in annotations) return `annotation ${key}`;
    }
    const labels = labelsOf(object);
    for (const key of gitops.labels) {
      if (key in labels) return `label ${key}`;
    }
  }
  for (const entry of managedFieldsOf(object)) {
    if (signals === 'requestAndValues' && !entry.ownsData) continue;
    if (gitops.fieldManagers.includes(entry.manager) || gitops.extraFieldManagers.includes(entry.manager)) {
      return `field manager ${entry.manager}`;
    }
  }
  return undefined;
}

/**
 * Why we believe the subject comes from files in git, or undefined when nothing says so.
 * In the CLI every manifest is in git by definition. In the webhook any one signal of
 * reference.md §2 is enough: a GitOps requester, field manager, label or annotation.
 */
export function gitProvenance(subject: Subject, gitops: GitOpsConfig): string | undefined {
  if (subject.source === 'cli') return 'manifest file';
  // A stored object: who owns its data, not who sent a request (stored-provenance.ts).
  if (subject.source === 'audit') return auditGitProvenance(subject.object, gitops);
  return fileSignal(subject, gitops, 'all');
}

export interface TrustedProducer {
  producer: SecretProducer;
  /** `label reconcile.external-secrets.io/managed, written by system:serviceaccount:…`: no values. */
  evidence: string;
}

function identitiesOf(producer: SecretProducer, controllers: ControllersConfig): readonly string[] {
  switch (producer) {
    case 'ExternalSecret':
      return controllers.externalSecrets;
    case 'SealedSecret':
      return controllers.sealedSecrets;
    case 'cert-manager':
      return controllers.certManager;
    case 'service account token':
      return controllers.serviceAccountTokens;
    case 'Helm release storage':
    case 'bootstrap token':
      return [];
  }
}

/**
 * The producer of a Secret in the webhook, when the claim can be believed; undefined otherwise.
 * Labels, annotations, owner references and types are written by whoever sends the object, so a claim
 * counts only when the request comes from that producer's own identity (`controllers`), and never when a
 * file signal says the object comes from git. Two producers have no single identity: Helm release storage
 * (written by every Helm user and by Flux helm-controller) is recognised by its full shape, and bootstrap
 * tokens (written by kubeadm as an administrator) by their type in kube-system; both only without a
 * file signal. In the CLI nothing is trusted: a manifest in git is plaintext in git whatever it claims.
 */
export function trustedProducer(subject: Subject, gitops: GitOpsConfig, controllers: ControllersConfig): TrustedProducer | undefined {
  if (subject.source !== 'webhook' || subject.object === null) return undefined;
  const secret = subject.object;
  const username = subject.requester.username;
  if (isHelmReleaseStorage(secret)) {
    // helm-controller installs charts for Flux: its identity and field manager mean "Helm", not "a file".
    const helmOnly: GitOpsConfig = {
      ...gitops,
      requesters: gitops.requesters.filter((requester) => !requester.endsWith(':helm-controller')),
      fieldManagers: gitops.fieldManagers.filter((manager) => manager !== 'helm-controller'),
    };
    if (fileSignal(subject, helmOnly, 'all') !== undefined) return undefined;
    return { producer: 'Helm release storage', evidence: 'the shape of Helm release storage' };
  }
  const claim = secretProducer(secret);
  if (claim === undefined) return undefined;
  if (claim.producer === 'bootstrap token') {
    return fileSignal(subject, gitops, 'all') === undefined ? { producer: claim.producer, evidence: claim.signal } : undefined;
  }
  if (!identitiesOf(claim.producer, controllers).includes(username)) return undefined;
  // The controller copies labels and annotations from its parent object (an ExternalSecret applied from
  // git carries Flux labels or a tracking id), so they say nothing about where the values come from.
  if (fileSignal(subject, gitops, 'requestAndValues') !== undefined) return undefined;
  return { producer: claim.producer, evidence: `${claim.signal}, written by ${username}` };
}
