import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/argocd-ignore-differences-scope.js';
import { ruleTester } from '../rule-tester.js';

const app = (ignoreDifferences: JsonObject[]): JsonObject => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'my-app', namespace: 'argocd' }, spec: { ignoreDifferences } });
const cm = (data: Record<string, string>, name = 'argocd-cm'): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'argocd' }, data });

ruleTester(rule, {
  valid: [
    { name: 'scoped with exact ESO managers only', object: app([{ group: '', kind: 'Secret', managedFieldsManagers: ['externalsecrets.external-secrets.io/db-credentials'] }]) },
    { name: 'a named Secret', object: app([{ group: '', kind: 'Secret', name: 'db-secret', jsonPointers: ['/data'] }]) },
    { name: 'other kinds', object: app([{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]) },
    { name: 'some other ConfigMap', object: cm({ 'resource.customizations.ignoreDifferences._Secret': 'jsonPointers:\n- /data\n' }, 'other') },
    { name: 'wrong types', object: { ...app([]), spec: { ignoreDifferences: [1, { kind: 'Secret', jsonPointers: 'x' }] } } },
  ],
  invalid: [
    {
      name: "the seed's ignoreDifferences (seed 000)",
      object: app([{ group: '', kind: 'Secret', jsonPointers: ['/data'], managedFieldsManagers: ['external-secrets'] }]),
      source: 'cli',
      errors: [
        { messageId: 'pointerNotScoped', action: 'warn', field: '/spec/ignoreDifferences/0/jsonPointers/0' },
        { messageId: 'staleManager', action: 'warn', field: '/spec/ignoreDifferences/0/managedFieldsManagers/0', messageIncludes: ['externalsecrets.external-secrets.io/'] },
      ],
    },
    {
      name: '/data without managers',
      object: app([{ kind: 'Secret', jsonPointers: ['/metadata/labels', '/data'], jqPathExpressions: ['.data.password'] }]),
      errors: [
        { messageId: 'dataIgnored', action: 'warn', field: '/spec/ignoreDifferences/0/jsonPointers/1' },
        { messageId: 'dataIgnored', action: 'warn', field: '/spec/ignoreDifferences/0/jqPathExpressions/0' },
      ],
    },
    {
      name: 'wildcard kind and a wildcard manager',
      object: app([{ group: '*', kind: '*', jsonPointers: ['/data'] }, { kind: 'Secret', managedFieldsManagers: ['externalsecrets.external-secrets.io/*'] }]),
      errors: [
        { messageId: 'dataIgnored', action: 'warn', field: '/spec/ignoreDifferences/0/jsonPointers/0' },
        { messageId: 'globManager', action: 'warn', field: '/spec/ignoreDifferences/1/managedFieldsManagers/0' },
      ],
    },
    {
      name: 'ApplicationSet template',
      object: { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'my-app', namespace: 'argocd' }, spec: { template: { spec: { ignoreDifferences: [{ group: '', kind: 'Secret', jsonPointers: ['/data'] }] } } } },
      errors: [{ messageId: 'dataIgnored', action: 'warn', field: '/spec/template/spec/ignoreDifferences/0/jsonPointers/0' }],
    },
    {
      name: 'argocd-cm _Secret key',
      object: cm({ 'resource.customizations.ignoreDifferences._Secret': 'jsonPointers:\n- /data\n' }),
      errors: [{ messageId: 'dataIgnored', action: 'warn', field: '/data/resource.customizations.ignoreDifferences._Secret' }],
    },
    {
      name: 'argocd-cm Secret key: managers never consulted',
      object: cm({ 'resource.customizations.ignoreDifferences.Secret': 'managedFieldsManagers:\n- external-secrets\n' }),
      errors: [
        { messageId: 'staleManager', action: 'warn', field: '/data/resource.customizations.ignoreDifferences.Secret' },
        { messageId: 'managersNotConsulted', action: 'warn', field: '/data/resource.customizations.ignoreDifferences.Secret', messageIncludes: ['_Secret'] },
      ],
    },
    {
      name: 'argocd-cm all key',
      object: cm({ 'resource.customizations.ignoreDifferences.all': 'jqPathExpressions:\n- .data\n' }),
      errors: [{ messageId: 'dataIgnored', action: 'warn', field: '/data/resource.customizations.ignoreDifferences.all' }],
    },
  ],
});
