import type { Rule } from '../engine/types.js';
import argocdCredentialsManaged from './argocd-credentials-managed.js';
import argocdIgnoreDifferencesScope from './argocd-ignore-differences-scope.js';
import clusterSecretStoreConditions from './clustersecretstore-conditions.js';
import externalSecretRefreshInterval from './externalsecret-refresh-interval.js';
import externalSecretRemoteKeyPrefix from './externalsecret-remote-key-prefix.js';
import externalSecretStoreAccess from './externalsecret-store-access.js';
import externalSecretTemplatePlaintext from './externalsecret-template-plaintext.js';
import managedSecretDirectEdit from './managed-secret-direct-edit.js';
import noCredentialInConfigMap from './no-credential-in-configmap.js';
import noCredentialInEnv from './no-credential-in-env.js';
import noPlaintextSecret from './no-plaintext-secret.js';
import noSealingKeyInGit from './no-sealing-key-in-git.js';
import reflectorNamespaceIsolation from './reflector-namespace-isolation.js';
import sealedSecretCiphertext from './sealedsecret-ciphertext.js';
import sealedSecretScope from './sealedsecret-scope.js';
import sealedSecretTemplateMetadata from './sealedsecret-template-metadata.js';
import sealedSecretTemplatePlaintext from './sealedsecret-template-plaintext.js';
import secretStoreNamespaceRefs from './secretstore-namespace-refs.js';

/**
 * Every rule secretguard ships, one per line, in the order the README table and the reports list them:
 * credentials in git first, then Sealed Secrets, then ESO and tenant isolation, then Argo CD's scope.
 * Add one import (kept sorted) and one entry per rule.
 */
export const allRules: readonly Rule[] = [
  noPlaintextSecret,
  noSealingKeyInGit,
  argocdCredentialsManaged,
  noCredentialInConfigMap,
  noCredentialInEnv,
  sealedSecretCiphertext,
  sealedSecretScope,
  sealedSecretTemplateMetadata,
  sealedSecretTemplatePlaintext,
  clusterSecretStoreConditions,
  secretStoreNamespaceRefs,
  externalSecretStoreAccess,
  externalSecretRemoteKeyPrefix,
  externalSecretRefreshInterval,
  externalSecretTemplatePlaintext,
  managedSecretDirectEdit,
  reflectorNamespaceIsolation,
  argocdIgnoreDifferencesScope,
];
