// no-plaintext-secret (another engineer's rule) must never report the Secret the sealed-secrets controller
// produces: it carries the controller ownerReference that Unseal sets, and whatever labels and
// annotations spec.template.metadata copied, GitOps tracking ones included.
import rule from '../../src/rules/no-plaintext-secret.js';
import { ruleTester } from '../rule-tester.js';

const CONTROLLER = { username: 'system:serviceaccount:kube-system:sealed-secrets-controller', groups: ['system:serviceaccounts'] };
const PASSWORD = 'unsealed-Zx81kQp2LmNv7Rt';
const unsealed = {
  apiVersion: 'v1',
  kind: 'Secret',
  type: 'Opaque',
  metadata: {
    name: 'db-credentials',
    namespace: 'team-a',
    ownerReferences: [{ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', name: 'db-credentials', uid: 'u-1', controller: true }],
    labels: { 'app.kubernetes.io/instance': 'my-app' },
    annotations: { 'argocd.argoproj.io/tracking-id': 'my-app:bitnami.com/SealedSecret:team-a/db-credentials' },
  },
  data: { password: Buffer.from(PASSWORD).toString('base64') },
};

ruleTester(rule, {
  valid: [
    { name: 'the controller creates the unsealed Secret', object: unsealed, requester: CONTROLLER },
    { name: 'the controller updates it', object: unsealed, oldObject: unsealed, operation: 'UPDATE', requester: CONTROLLER },
    { name: 'a server-side dry run of the same', object: unsealed, requester: CONTROLLER, dryRun: true },
    { name: 'the tracking annotation copied from the template does not make it a git Secret', object: unsealed, requester: CONTROLLER, config: { rules: { 'no-plaintext-secret': { options: { requireControllerManaged: true } } } } },
  ],
  invalid: [],
});
