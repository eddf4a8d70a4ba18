import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/kustomize-secret-generator.js';
import { ruleTester } from '../rule-tester.js';

const PASSWORD = 'Wq7tLm2vPz9xKc4-rule-canary';
const kustomization = (secretGenerator: unknown[], kind = 'Kustomization', version = 'v1beta1'): JsonObject =>
  ({ apiVersion: `kustomize.config.k8s.io/${version}`, kind, secretGenerator }) as JsonObject;

ruleTester(rule, {
  valid: [
    { name: 'no secretGenerator', object: { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml'] }, source: 'cli' },
    { name: 'empty values and placeholders', object: kustomization([{ name: 's', literals: ['a=', 'b', 'c=${VAR}', 'd=<password>', 'e=CHANGEME'] }]), source: 'cli' },
    { name: 'public material only', object: kustomization([{ name: 's', files: ['tls.crt=certs/server.crt', 'ca.cer', 'keys/id_ed25519.pub'] }]), source: 'cli' },
    { name: 'wrong shapes', object: kustomization([null, 3, { name: 's', literals: [1, null], envs: 'x', files: [{}], env: 4 }]), source: 'cli' },
  ],
  invalid: [
    {
      name: 'literals, envs, files and the deprecated env',
      object: kustomization([
        { name: 'db', literals: ['user=orders', `password=${PASSWORD}`, `url=postgres://u:${PASSWORD}@db/x`], envs: ['db.env', 'sub/../other.env'], files: ['tls.key=../keys/tls.key', 'config.json'] },
        { literals: [`token=${PASSWORD}`], env: 'legacy.env' },
      ]),
      source: 'cli',
      errors: [
        { messageId: 'literal', action: 'deny', field: '/secretGenerator/0/literals/0', messageIncludes: ['secretGenerator db', 'literal user'] },
        { messageId: 'literal', action: 'deny', field: '/secretGenerator/0/literals/1', messageIncludes: ['literal password'] },
        { messageId: 'literal', action: 'deny', field: '/secretGenerator/0/literals/2', messageIncludes: ['literal url'] },
        { messageId: 'sourceFile', action: 'deny', field: '/secretGenerator/0/envs/0', messageIncludes: ['envs names db.env'] },
        { messageId: 'sourceFile', action: 'deny', field: '/secretGenerator/0/envs/1', messageIncludes: ['envs names other.env'] },
        { messageId: 'sourceFile', action: 'deny', field: '/secretGenerator/0/files/0', messageIncludes: ['files names ../keys/tls.key'] },
        { messageId: 'sourceFile', action: 'deny', field: '/secretGenerator/0/files/1', messageIncludes: ['files names config.json'] },
        { messageId: 'literal', action: 'deny', field: '/secretGenerator/1/literals/0', messageIncludes: ['secretGenerator #1', 'literal token'] },
        { messageId: 'sourceFile', action: 'deny', field: '/secretGenerator/1/env', messageIncludes: ['env names legacy.env'] },
      ],
      canaries: [PASSWORD],
    },
    {
      name: 'a Component (v1alpha1)',
      object: kustomization([{ name: 'grafana', literals: [`admin-password=${PASSWORD}`] }], 'Component', 'v1alpha1'),
      source: 'cli',
      errors: [{ messageId: 'literal', action: 'deny', field: '/secretGenerator/0/literals/0', messageIncludes: ['Component secretGenerator grafana'] }],
      canaries: [PASSWORD],
    },
  ],
});
