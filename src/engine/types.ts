import type { JsonObject } from '../k8s/json.js';
import type { GroupVersionKind, ResourceRef } from '../k8s/object.js';
import type { ClusterView } from '../cluster/view.js';
import type { ConfigurableAction, EffectiveConfig } from '../config/types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** What a finding asks the front end to do. `error` means the rule itself could not decide. */
export type Action = 'deny' | 'warn' | 'audit' | 'error';
export type { ConfigurableAction } from '../config/types.js';

export interface Requester {
  username: string;
  uid?: string;
  groups: string[];
}

/** Where the subject came from: the webhook's request uid, a manifest file and line, or a stored object read by audit. */
export type Origin = { kind: 'webhook'; uid: string } | { kind: 'manifest'; file: string; line: number } | { kind: 'cluster'; cluster: string };

/** One object under review, the same for the webhook and the CLI. */
export interface Subject {
  gvk: GroupVersionKind;
  /** The object as it would be stored; null on DELETE. */
  object: JsonObject | null;
  /** The stored object before this request; null on CREATE and in the CLI. */
  oldObject: JsonObject | null;
  operation: Operation;
  requester: Requester;
  /** Namespace of the request (empty for cluster-scoped objects). */
  namespace: string;
  /** Name of the request, which may be empty on CREATE with generateName. */
  name: string;
  dryRun: boolean;
  /** `audit`: an object already stored in the cluster, read through the API (no request, no requester). */
  source: 'webhook' | 'cli' | 'audit';
  subResource?: string;
  origin: Origin;
}

export interface MatchKind {
  /** API group, '' for core. */
  group: string;
  kind: string;
  /** Versions this rule understands; absent means every version. */
  versions?: readonly string[];
  /**
   * Subresources of this kind the rule also judges (the object the API server sends for them is this kind).
   * Requests for any other subresource never reach the rule.
   */
  subResources?: readonly string[];
}

export interface RuleMatch {
  kinds: readonly MatchKind[];
  /** Operations the rule runs on; absent means CREATE and UPDATE. */
  operations?: readonly Operation[];
}

export interface ReportDescriptor<MessageId extends string> {
  messageId: MessageId;
  /** Placeholder values for the message. Never put a secret value here. */
  data?: Record<string, string | number>;
  /** JSON pointer into the object. */
  field: string;
}

export interface RuleContext<Options, MessageId extends string> {
  readonly subject: Subject;
  readonly view: ClusterView;
  readonly options: Options;
  readonly config: EffectiveConfig;
  report(descriptor: ReportDescriptor<MessageId>): void;
}

export interface RuleMeta<Options, MessageId extends string> {
  id: string;
  description: string;
  defaultAction: Exclude<ConfigurableAction, 'off'>;
  match: RuleMatch;
  /** JSON schema for the options, `additionalProperties: false` at every level. */
  optionsSchema: Record<string, unknown>;
  defaultOptions: Options;
  messages: Record<MessageId, string>;
  /**
   * A default action of its own for some messages, higher or lower than the rule's (a rule that warns may deny
   * plainly invalid input; a rule that denies may only warn when it cannot see enough), unless the config sets an action.
   * `error` marks a message that says the rule could not decide (bad options): no config action lowers it.
   */
  defaultActionByMessage?: Partial<Record<MessageId, Action>>;
  remediation: string;
  /** The rule reads cluster state (namespaces, stores, ExternalSecrets) from the view. */
  needsClusterState?: boolean;
  /** Object exemptions through annotations are never honoured for this rule, whatever the config says. */
  isolation?: boolean;
}

export interface Rule<Options = unknown, MessageId extends string = string> {
  meta: RuleMeta<Options, MessageId>;
  check(context: RuleContext<Options, MessageId>): void;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  action: Action;
  message: string;
  resource: ResourceRef;
  /** JSON pointer into the object. */
  field: string;
}

/** One RFC 6902 operation; values are plain JSON. */
export type PatchOperation =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export interface MutatorContext<Options> {
  readonly subject: Subject;
  readonly view: ClusterView;
  readonly options: Options;
  readonly config: EffectiveConfig;
}

export interface MutationResult {
  patch: PatchOperation[];
  /** Short human sentences, shown as admission warnings and by `scan --fix`. */
  notes: string[];
}

export interface MutatorMeta<Options> {
  id: string;
  description: string;
  defaultMode: 'on' | 'off';
  match: RuleMatch;
  optionsSchema: Record<string, unknown>;
  defaultOptions: Options;
}

export interface Mutator<Options = unknown> {
  meta: MutatorMeta<Options>;
  mutate(context: MutatorContext<Options>): MutationResult;
}
