/** Kinds that live outside namespaces, by `group/kind`; anything else is namespaced, as kubectl assumes for unknown kinds it can't discover offline. */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiregistration.k8s.io/APIService',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/StorageClass',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
  'external-secrets.io/ClusterPushSecret',
  'generators.external-secrets.io/ClusterGenerator',
  'cert-manager.io/ClusterIssuer',
  // kustomize's build files belong to no namespace (their `namespace:` field sets the namespace of what they build).
  'kustomize.config.k8s.io/Kustomization',
  'kustomize.config.k8s.io/Component',
]);

export function isClusterScoped(group: string, kind: string): boolean {
  return CLUSTER_SCOPED.has(`${group}/${kind}`);
}
