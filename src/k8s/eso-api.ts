/** The external-secrets.io API: its group and the versions secretguard understands, read by the rules and the informers alike. */
export const ESO_GROUP = 'external-secrets.io';

/** API versions secretguard understands per ESO kind, preferred first. v1beta1 is no longer served by stock ESO but still lives in git. */
export const ESO_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  ExternalSecret: ['v1', 'v1beta1'],
  SecretStore: ['v1', 'v1beta1'],
  ClusterSecretStore: ['v1', 'v1beta1'],
  ClusterExternalSecret: ['v1', 'v1beta1'],
  PushSecret: ['v1alpha1'],
  ClusterPushSecret: ['v1alpha1'],
};
