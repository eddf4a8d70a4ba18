import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/managed-secret-direct-edit.js';
import { PERSON, ruleTester } from '../rule-tester.js';

const CANARY = 'c3VwZXItc2VjcmV0LWNhbmFyeQ==';
const owned = (kind: string, apiVersion: string, data: Record<string, string>): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db-secret', namespace: 'team-a-web', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }, { apiVersion, kind, name: 'db', controller: true }] },
  data,
});
const esOld = owned('ExternalSecret', 'external-secrets.io/v1', { password: 'b2xk' });
const esNew = owned('ExternalSecret', 'external-secrets.io/v1', { password: CANARY });
const ssOld = owned('SealedSecret', 'bitnami.com/v1alpha1', { password: 'b2xk' });
const ESO = { username: 'system:serviceaccount:external-secrets:external-secrets', groups: [] };

ruleTester(rule, {
  valid: [
    { name: 'the ESO controller refreshes', object: esNew, oldObject: esOld, operation: 'UPDATE', requester: ESO },
    { name: 'metadata-only change by a person', object: { ...esOld, metadata: { ...(esOld['metadata'] as JsonObject), labels: { a: 'b' } } }, oldObject: esOld, operation: 'UPDATE' },
    { name: 'garbage collector deletes', object: null, oldObject: esOld, operation: 'DELETE', requester: { username: 'system:serviceaccount:kube-system:generic-garbage-collector', groups: [] } },
    { name: 'an unowned Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'a' }, data: { a: 'Yg==' } }, oldObject: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'a' } }, operation: 'UPDATE' },
    { name: 'an ExternalSecret owner that is not the controller reference', object: esNew, oldObject: { ...esOld, metadata: { name: 'db-secret', ownerReferences: [{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'db' }] } }, operation: 'UPDATE' },
    { name: 'CREATE is not matched', object: esNew },
    { name: 'configured controller name', object: esNew, oldObject: esOld, operation: 'UPDATE', requester: { username: 'system:serviceaccount:eso:eso-controller', groups: [] }, options: { externalSecretsControllers: ['system:serviceaccount:eso:*'] } },
  ],
  invalid: [
    {
      name: 'a person edits ESO-owned data',
      object: esNew,
      oldObject: esOld,
      operation: 'UPDATE',
      requester: PERSON,
      errors: [{ messageId: 'editedManagedSecret', action: 'warn', field: '/data', messageIncludes: ['ExternalSecret db', 'alice'] }],
      canaries: [CANARY],
    },
    {
      name: 'a person deletes a SealedSecret-owned Secret',
      object: null,
      oldObject: ssOld,
      operation: 'DELETE',
      errors: [{ messageId: 'deletedManagedSecret', action: 'warn', field: '/metadata/ownerReferences/1', messageIncludes: ['SealedSecret'] }],
    },
    {
      name: 'the ESO controller may not edit a SealedSecret-owned Secret',
      object: { ...ssOld, stringData: { a: 'b' } },
      oldObject: ssOld,
      operation: 'UPDATE',
      requester: ESO,
      errors: [{ messageId: 'editedManagedSecret', action: 'warn', field: '/data' }],
    },
  ],
});
