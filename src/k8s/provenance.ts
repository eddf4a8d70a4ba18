import { auditGitProvenance } from '../audit/provenance.js';
import type { GitOpsConfig } from '../config/types.js';
import type { Subject } from '../engine/types.js';
import { annotationsOf, labelsOf, managedFieldsOf } from './object.js';

/**
 * Why we believe the subject comes from files in git, or undefined when nothing says so.
 * In the CLI every manifest is in git by definition. In the webhook any one signal of
 * reference.md §2 is enough: a GitOps requester, field manager, label or annotation.
 */
export function gitProvenance(subject: Subject, gitops: GitOpsConfig): string | undefined {
  if (subject.source === 'cli') return 'manifest file';
  // A stored object: who owns its data, not who sent a request (src/audit/provenance.ts).
  if (subject.source === 'audit') return auditGitProvenance(subject.object, gitops);
  const object = subject.object ?? subject.oldObject;
  if (gitops.requesters.includes(subject.requester.username)) return `requester ${subject.requester.username}`;
  const annotations = annotationsOf(object);
  for (const key of gitops.annotations) {
    if (key in annotations) return `annotation ${key}`;
  }
  const labels = labelsOf(object);
  for (const key of gitops.labels) {
    if (key in labels) return `label ${key}`;
  }
  for (const entry of managedFieldsOf(object)) {
    if (gitops.fieldManagers.includes(entry.manager)) return `field manager ${entry.manager}`;
  }
  return undefined;
}
