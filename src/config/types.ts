/** What the config may set a rule to; `error` (the rule could not decide) is the engine's own. */
export type ConfigurableAction = 'off' | 'audit' | 'warn' | 'deny';

/** What the config needs of a rule: its id, default action and options. engine/types.ts's Rule has this shape. */
export interface ConfigurableRule {
  meta: { id: string; defaultAction: Exclude<ConfigurableAction, 'off'>; optionsSchema: Record<string, unknown>; defaultOptions: unknown; isolation?: boolean };
}

/** What the config needs of a mutator. engine/types.ts's Mutator has this shape. */
export interface ConfigurableMutator {
  meta: { id: string; defaultMode: 'on' | 'off'; optionsSchema: Record<string, unknown>; defaultOptions: unknown };
}

export interface RuleSetting {
  action?: ConfigurableAction;
  options?: Record<string, unknown>;
}

export interface MutatorSetting {
  mode?: 'on' | 'off';
  options?: Record<string, unknown>;
}

export interface Exemption {
  rules: string[];
  namespaces?: string[];
  users?: string[];
  groups?: string[];
  /** `namespace/name`, or `namespace/*` for every service account of a namespace. */
  serviceAccounts?: string[];
  reason: string;
}

export interface TenantPolicy {
  /** Namespace names, or anchored regexes written `^…$`. */
  namespaces?: string[];
  /** If set, the only ClusterSecretStores this tenant may use. */
  clusterSecretStores?: string[];
  /** If set, remote keys must start with one of these; `{{namespace}}` and `{{tenant}}` are filled in. */
  remoteKeyPrefixes?: string[];
}

export interface TenancyConfig {
  tenantLabel?: string;
  tenants: Record<string, TenantPolicy>;
}

export interface GitOpsConfig {
  /** Usernames whose requests carry manifests from git (Argo CD, Flux controllers). */
  requesters: string[];
  /** managedFields managers that apply manifests from git. */
  fieldManagers: string[];
  /** Label keys that mark an object as applied from git. */
  labels: string[];
  /** Annotation keys that mark an object as applied from git. */
  annotations: string[];
  /** managedFields managers added to `fieldManagers` (which replaces the defaults when set). */
  extraFieldManagers: string[];
}

/**
 * The identities (request usernames) of the controllers that produce Secrets. A producer claim on a
 * Secret (an ESO label, a SealedSecret owner, a cert-manager annotation, a token type) counts only when
 * the request comes from that producer's identity: anyone else can copy the metadata.
 */
export interface ControllersConfig {
  externalSecrets: string[];
  sealedSecrets: string[];
  certManager: string[];
  serviceAccountTokens: string[];
}

export interface WebhookConfig {
  /** Answer by this many milliseconds even if the engine has not finished; keep below timeoutSeconds. */
  deadlineMs: number;
  /** What the answer is when the deadline passes. */
  onDeadline: 'deny' | 'allow';
  /** Longest denial message; longer ones are cut with a count of what was left out. */
  maxMessageLength: number;
  /** Log level of the decision line for requests allowed with nothing to say (allow, skip); others log at info. */
  allowedDecisionLogLevel: LogLevel;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The config file as written (after schema validation). */
export interface SecretGuardConfigFile {
  apiVersion: 'secretguard.io/v1alpha1';
  kind: 'SecretGuardConfig';
  logLevel?: LogLevel;
  rules?: Record<string, ConfigurableAction | RuleSetting>;
  mutators?: Record<string, 'on' | 'off' | MutatorSetting>;
  exemptions?: Exemption[];
  objectExemptions?: { allowedRules?: string[] };
  tenancy?: Partial<TenancyConfig>;
  gitops?: Partial<GitOpsConfig>;
  controllers?: Partial<ControllersConfig>;
  clusterView?: { missingState?: 'error' | 'warn' };
  webhook?: Partial<WebhookConfig>;
}

export interface ResolvedRuleSetting {
  action: ConfigurableAction;
  /** The config file set the action, so it applies to every message of the rule. */
  actionFromConfig: boolean;
  options: unknown;
}

export interface ResolvedMutatorSetting {
  mode: 'on' | 'off';
  options: unknown;
}

/** Config with every default filled in and every rule's options validated. */
export interface EffectiveConfig {
  logLevel: NonNullable<SecretGuardConfigFile['logLevel']>;
  rules: ReadonlyMap<string, ResolvedRuleSetting>;
  mutators: ReadonlyMap<string, ResolvedMutatorSetting>;
  exemptions: readonly Exemption[];
  objectExemptions: { allowedRules: readonly string[] };
  tenancy: TenancyConfig;
  gitops: GitOpsConfig;
  controllers: ControllersConfig;
  clusterView: { missingState: 'error' | 'warn' };
  webhook: WebhookConfig;
}
