/**
 * Provenance of a stored object, for `secretguard audit` (docs/audit.md, "Provenance").
 * A stored object carries no request, so who wrote it comes from what the API server recorded:
 * which field manager owns its payload (`data`, `stringData`, `binaryData`, `spec`), then the
 * GitOps marks on its metadata. A payload owned by a GitOps manager is from git; a payload owned
 * by the controller that produces the object is not, whatever labels or annotations it carries
 * (controllers copy them from their templates).
 */
import type { GitOpsConfig } from '../../config/types.js';
import { isObject, objectAt, stringAt } from '../../k8s/json.js';
import { annotationsOf, labelsOf, ownerReferencesOf } from '../../k8s/object.js';

/** ESO writes each target Secret as `externalsecrets.external-secrets.io/<ExternalSecret name>` (or `…/sha3/<hash>`). */
export const ESO_MANAGER_PREFIX = 'externalsecrets.external-secrets.io/';
/**
 * The Sealed Secrets controller sets no field manager, so client-go names it after its binary, `controller`.
 * That name is too common to trust alone: it counts only next to a SealedSecret controller ownerReference.
 */
export const SEALED_SECRETS_MANAGER = 'controller';

/** Top-level fields that hold what an object says, as opposed to metadata and status. */
const PAYLOAD_FIELDS = ['f:data', 'f:stringData', 'f:binaryData', 'f:spec'] as const;

export type ManagerRole = 'gitops' | 'controller' | 'other';

export interface ManagerEntry {
  manager: string;
  operation: string;
  /** The entry owns part of the payload (a top-level payload field in its fieldsV1). */
  ownsPayload: boolean;
}

export interface AuditProvenance {
  fromGit: boolean;
  /** Why, in words for the report: never a value, only manager, label and annotation names. */
  signal: string;
}

function isSealedSecretOwned(object: unknown): boolean {
  return ownerReferencesOf(object).some((ref) => ref.controller && ref.kind === 'SealedSecret' && ref.apiVersion.startsWith('bitnami.com/'));
}

/** What kind of writer a field manager is, for this object. */
export function managerRole(manager: string, object: unknown, gitops: GitOpsConfig): ManagerRole {
  if (gitops.fieldManagers.includes(manager)) return 'gitops';
  if (manager.startsWith(ESO_MANAGER_PREFIX) || manager === 'external-secrets') return 'controller';
  if (manager === SEALED_SECRETS_MANAGER && isSealedSecretOwned(object)) return 'controller';
  // Service account tokens (token controller) and cert-manager's issued certificates.
  if (manager === 'kube-controller-manager' || manager.startsWith('cert-manager')) return 'controller';
  return 'other';
}

/** managedFields entries with whether each owns payload fields; entries of the status subresource own none. */
export function managerEntries(object: unknown): ManagerEntry[] {
  const entries = objectAt(object, 'metadata')?.['managedFields'];
  if (!Array.isArray(entries)) return [];
  return entries.filter(isObject).map((entry) => {
    const fields = objectAt(entry, 'fieldsV1');
    const subresource = stringAt(entry, 'subresource') ?? '';
    return {
      manager: stringAt(entry, 'manager') ?? '',
      operation: stringAt(entry, 'operation') ?? '',
      ownsPayload: subresource === '' && fields !== undefined && PAYLOAD_FIELDS.some((f) => f in fields),
    };
  });
}

/**
 * From git or not, and why; undefined when nothing says either way.
 * 1. A payload owner that is a GitOps manager: from git (even next to a controller, which then only co-owns it).
 * 2. A payload owned only by the producing controller (ESO, Sealed Secrets, …): not from git.
 * 3. Otherwise the metadata: Argo CD's tracking id, Flux's labels, kubectl's last-applied annotation, or a
 *    GitOps manager owning only metadata.
 */
export function auditProvenance(object: unknown, gitops: GitOpsConfig): AuditProvenance | undefined {
  const entries = managerEntries(object);
  const owners = entries.filter((e) => e.ownsPayload);
  const gitOwner = owners.find((e) => managerRole(e.manager, object, gitops) === 'gitops');
  if (gitOwner !== undefined) return { fromGit: true, signal: `field manager ${gitOwner.manager} owns the data` };
  const controller = owners.find((e) => managerRole(e.manager, object, gitops) === 'controller');
  if (controller !== undefined && owners.every((e) => managerRole(e.manager, object, gitops) === 'controller')) {
    return { fromGit: false, signal: `controller ${controller.manager} owns the data` };
  }
  const annotations = annotationsOf(object);
  for (const key of gitops.annotations) {
    if (key in annotations) return { fromGit: true, signal: `annotation ${key}` };
  }
  const labels = labelsOf(object);
  for (const key of gitops.labels) {
    if (key in labels) return { fromGit: true, signal: `label ${key}` };
  }
  const gitManager = entries.find((e) => managerRole(e.manager, object, gitops) === 'gitops');
  if (gitManager !== undefined) return { fromGit: true, signal: `field manager ${gitManager.manager}` };
  if (controller !== undefined) return { fromGit: false, signal: `controller ${controller.manager} owns the data` };
  return undefined;
}

/** The signal when the stored object came from git, else undefined (the shape `gitProvenance` returns). */
export function auditGitProvenance(object: unknown, gitops: GitOpsConfig): string | undefined {
  const provenance = auditProvenance(object, gitops);
  return provenance?.fromGit === true ? provenance.signal : undefined;
}
