import type { JsonObject } from '../../src/k8s/json.js';
import rule from '../../src/rules/externalsecret-refresh-interval.js';
import { ruleTester } from '../rule-tester.js';
import { SEED_EXTERNAL_SECRET, externalSecret } from './fixtures-eso.js';

const es = (refreshInterval: unknown, extra: JsonObject = {}): JsonObject => externalSecret('team-a-web', { refreshInterval, secretStoreRef: { name: 's' }, ...extra } as JsonObject);
const f = '/spec/refreshInterval';

ruleTester(rule, {
  valid: [
    { name: 'the seed (1h)', object: SEED_EXTERNAL_SECRET },
    { name: 'absent means the default 1h', object: externalSecret('a', { secretStoreRef: { name: 's' } }) },
    { name: '1h30m', object: es('1h30m') },
    { name: 'exactly the bounds', object: es('24h') },
    { name: 'CreatedOnce ignores the interval', object: es('0', { refreshPolicy: 'CreatedOnce' }) },
    { name: 'PushSecret 10m', object: { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'a' }, spec: { refreshInterval: '10m' } } },
    { name: 'custom bounds', object: es('10s'), options: { min: '5s' } },
  ],
  invalid: [
    { name: '0 never refreshes', object: es('0'), errors: [{ messageId: 'never', action: 'warn', field: f }] },
    { name: '0s never refreshes', object: es('0s'), errors: [{ messageId: 'never', action: 'warn', field: f }] },
    { name: 'too short', object: es('30s'), errors: [{ messageId: 'tooShort', action: 'warn', field: f, messageIncludes: ['1m'] }] },
    { name: 'too long', object: es('48h'), errors: [{ messageId: 'tooLong', action: 'warn', field: f, messageIncludes: ['24h'] }] },
    { name: '1d is not a Go duration', object: es('1d'), errors: [{ messageId: 'invalid', action: 'deny', field: f }] },
    { name: 'bare 90', object: es('90'), errors: [{ messageId: 'invalid', action: 'deny', field: f }] },
    { name: 'a YAML number', object: es(0), errors: [{ messageId: 'invalid', action: 'deny', field: f }] },
    { name: 'an object', object: es({ h: 1 }), errors: [{ messageId: 'invalid', action: 'deny', field: f }] },
    {
      name: 'ClusterExternalSecret externalSecretSpec',
      object: { apiVersion: 'external-secrets.io/v1', kind: 'ClusterExternalSecret', metadata: { name: 'c' }, spec: { externalSecretSpec: { refreshInterval: '0' } } },
      errors: [{ messageId: 'never', action: 'warn', field: '/spec/externalSecretSpec/refreshInterval' }],
    },
    {
      name: 'PushSecret refreshInterval',
      object: { apiVersion: 'external-secrets.io/v1alpha1', kind: 'PushSecret', metadata: { name: 'p', namespace: 'a' }, spec: { refreshInterval: '5s' } },
      errors: [{ messageId: 'tooShort', action: 'warn', field: f }],
    },
    {
      name: 'ClusterPushSecret pushSecretSpec',
      object: { apiVersion: 'external-secrets.io/v1alpha1', kind: 'ClusterPushSecret', metadata: { name: 'c' }, spec: { pushSecretSpec: { refreshInterval: '2d' } } },
      errors: [{ messageId: 'invalid', action: 'deny', field: '/spec/pushSecretSpec/refreshInterval' }],
    },
    { name: 'config action applies to every message', object: es('1d'), config: { rules: { 'externalsecret-refresh-interval': 'warn' } }, errors: [{ messageId: 'invalid', action: 'warn', field: f }] },
    { name: 'unknown version', object: { ...es('1h'), apiVersion: 'external-secrets.io/v1alpha1' }, errors: [{ messageId: 'unknownVersion', action: 'warn', field: '/apiVersion' }] },
  ],
});
