import type { Rule } from '../engine/types.js';
import noSealingKeyInGit from './no-sealing-key-in-git.js';
import sealedSecretCiphertext from './sealedsecret-ciphertext.js';
import sealedSecretScope from './sealedsecret-scope.js';
import sealedSecretTemplateMetadata from './sealedsecret-template-metadata.js';
import sealedSecretTemplatePlaintext from './sealedsecret-template-plaintext.js';

/** Every rule secretguard ships, in the order the docs list them. Add one import and one entry per rule. */
export const allRules: readonly Rule[] = [noSealingKeyInGit, sealedSecretCiphertext, sealedSecretScope, sealedSecretTemplateMetadata, sealedSecretTemplatePlaintext];
