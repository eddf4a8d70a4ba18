import type { ControllersConfig, GitOpsConfig, WebhookConfig } from './types.js';

/** GitOps provenance signals from reference.md §2; the config may replace each list. */
export const DEFAULT_GITOPS: GitOpsConfig = {
  requesters: [
    'system:serviceaccount:argocd:argocd-application-controller',
    'system:serviceaccount:flux-system:kustomize-controller',
    'system:serviceaccount:flux-system:helm-controller',
  ],
  fieldManagers: ['argocd-controller', 'kustomize-controller', 'helm-controller', 'kubectl-client-side-apply', 'kubectl', 'kubectl-replace'],
  labels: [
    'kustomize.toolkit.fluxcd.io/name',
    'kustomize.toolkit.fluxcd.io/namespace',
    'helm.toolkit.fluxcd.io/name',
    'helm.toolkit.fluxcd.io/namespace',
  ],
  annotations: ['argocd.argoproj.io/tracking-id', 'kubectl.kubernetes.io/last-applied-configuration'],
  extraFieldManagers: [],
};

/**
 * Service accounts of the producers as their Helm charts install them: external-secrets and cert-manager
 * in their own namespaces; sealed-secrets in kube-system, named `sealed-secrets` by its chart and
 * `sealed-secrets-controller` by controller.yaml (and the fullnameOverride kubeseal expects). Legacy
 * service-account token Secrets are filled in by kube-controller-manager's token controller.
 */
export const DEFAULT_CONTROLLERS: ControllersConfig = {
  externalSecrets: ['system:serviceaccount:external-secrets:external-secrets'],
  sealedSecrets: ['system:serviceaccount:kube-system:sealed-secrets', 'system:serviceaccount:kube-system:sealed-secrets-controller'],
  certManager: ['system:serviceaccount:cert-manager:cert-manager'],
  // The token controller runs on kube-controller-manager's own credentials, or on the tokens-controller
  // service account when --use-service-account-credentials gives each controller its own.
  serviceAccountTokens: ['system:kube-controller-manager', 'system:serviceaccount:kube-system:tokens-controller'],
};

export const DEFAULT_WEBHOOK: WebhookConfig = {
  deadlineMs: 4000,
  onDeadline: 'deny',
  maxMessageLength: 2048,
  allowedDecisionLogLevel: 'debug',
};
