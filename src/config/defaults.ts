import type { GitOpsConfig, WebhookConfig } from './types.js';

/** GitOps provenance signals from reference.md §2; the config may replace each list. */
export const DEFAULT_GITOPS: GitOpsConfig = {
  requesters: [
    'system:serviceaccount:argocd:argocd-application-controller',
    'system:serviceaccount:flux-system:kustomize-controller',
    'system:serviceaccount:flux-system:helm-controller',
  ],
  fieldManagers: ['argocd-controller', 'kustomize-controller', 'helm-controller', 'kubectl-client-side-apply', 'kubectl'],
  labels: [
    'kustomize.toolkit.fluxcd.io/name',
    'kustomize.toolkit.fluxcd.io/namespace',
    'helm.toolkit.fluxcd.io/name',
    'helm.toolkit.fluxcd.io/namespace',
  ],
  annotations: ['argocd.argoproj.io/tracking-id', 'kubectl.kubernetes.io/last-applied-configuration'],
};

export const DEFAULT_WEBHOOK: WebhookConfig = {
  deadlineMs: 4000,
  onDeadline: 'deny',
  maxMessageLength: 2048,
};
