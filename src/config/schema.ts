const stringList = { type: 'array', items: { type: 'string' } } as const;
/** Names or anchored RE2 regexes (`^…$`). */
const patternList = { type: 'array', items: { type: 'string', format: 'name-or-regex' } } as const;
const action = { enum: ['off', 'audit', 'warn', 'deny'] } as const;
const logLevel = { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] } as const;

/** JSON schema of the SecretGuardConfig file. Rule options are checked afterwards by each rule's own schema. */
export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: 'secretguard.io/v1alpha1' },
    kind: { const: 'SecretGuardConfig' },
    logLevel,
    rules: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          action,
          {
            type: 'object',
            additionalProperties: false,
            properties: { action, options: { type: 'object' } },
          },
        ],
      },
    },
    mutators: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          { enum: ['on', 'off'] },
          {
            type: 'object',
            additionalProperties: false,
            properties: { mode: { enum: ['on', 'off'] }, options: { type: 'object' } },
          },
        ],
      },
    },
    exemptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rules', 'reason'],
        properties: {
          rules: { ...stringList, minItems: 1 },
          namespaces: patternList,
          users: stringList,
          groups: stringList,
          serviceAccounts: { type: 'array', items: { type: 'string', pattern: '^[^/]+/[^/]+$' } },
          reason: { type: 'string', minLength: 1 },
        },
      },
    },
    objectExemptions: {
      type: 'object',
      additionalProperties: false,
      properties: { allowedRules: stringList },
    },
    tenancy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        tenantLabel: { type: 'string', minLength: 1 },
        tenants: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              namespaces: patternList,
              clusterSecretStores: patternList,
              remoteKeyPrefixes: stringList,
            },
          },
        },
      },
    },
    gitops: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requesters: stringList,
        fieldManagers: stringList,
        labels: stringList,
        annotations: stringList,
        extraFieldManagers: stringList,
      },
    },
    controllers: {
      type: 'object',
      additionalProperties: false,
      properties: {
        externalSecrets: stringList,
        sealedSecrets: stringList,
        certManager: stringList,
        serviceAccountTokens: stringList,
      },
    },
    clusterView: {
      type: 'object',
      additionalProperties: false,
      properties: { missingState: { enum: ['error', 'warn'] } },
    },
    webhook: {
      type: 'object',
      additionalProperties: false,
      properties: {
        deadlineMs: { type: 'integer', minimum: 100, maximum: 29000 },
        onDeadline: { enum: ['deny', 'allow'] },
        maxMessageLength: { type: 'integer', minimum: 200, maximum: 16384 },
        allowedDecisionLogLevel: logLevel,
      },
    },
  },
} as const;
