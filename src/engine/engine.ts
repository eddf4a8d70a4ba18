import type { ClusterView, ExternalSecretRecord, NamespaceRecord, StoreRecord } from '../cluster/view.js';
import type { EffectiveConfig, Exemption, ResolvedRuleSetting } from '../config/types.js';
import { annotationsOf, type ResourceRef } from '../k8s/object.js';
import type { SecretProducer } from '../k8s/secrets.js';
import { nameMatcher } from './names.js';
import { formatMessage } from './rule.js';
import type { Action, Finding, MutationResult, Mutator, Operation, Rule, RuleMatch, Subject } from './types.js';

export const EXEMPT_ANNOTATION = 'secretguard.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'secretguard.io/exempt-reason';
const DEFAULT_OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE'];

export interface EvaluateOptions {
  /** Run only these rule ids (CLI `--rule`). */
  only?: ReadonlySet<string>;
}

/**
 * The one policy engine behind the webhook and the CLI. Rules are indexed by group and kind,
 * so a request runs only the rules that match it.
 */
export class Engine {
  private readonly ruleIndex = new Map<string, Rule[]>();
  private readonly mutatorIndex = new Map<string, Mutator[]>();

  constructor(
    readonly rules: readonly Rule[],
    readonly mutators: readonly Mutator[],
    readonly config: EffectiveConfig,
  ) {
    for (const rule of rules) {
      if (config.rules.get(rule.meta.id)?.action === 'off') continue;
      addToIndex(this.ruleIndex, rule.meta.match, rule);
    }
    for (const mutator of mutators) {
      if (config.mutators.get(mutator.meta.id)?.mode !== 'on') continue;
      addToIndex(this.mutatorIndex, mutator.meta.match, mutator);
    }
  }

  /** Kinds any enabled rule or mutator looks at, as `group/kind` keys. */
  get watchedKinds(): string[] {
    return [...new Set([...this.ruleIndex.keys(), ...this.mutatorIndex.keys()])].sort();
  }

  /** The enabled rules that apply to a subject: kind, version, operation, `only`, and config exemptions. */
  matchingRules(subject: Subject, options: EvaluateOptions = {}): Rule[] {
    return this.selectedRules(subject, options).filter((rule) => !this.configExempts(rule.meta.id, subject));
  }

  /** The enabled rules for the subject's kind, version and operation, and `only`; exemptions not applied. */
  private selectedRules(subject: Subject, options: EvaluateOptions): Rule[] {
    const candidates = this.ruleIndex.get(kindKey(subject.gvk.group, subject.gvk.kind)) ?? [];
    return candidates.filter(
      (rule) =>
        (options.only === undefined || options.only.has(rule.meta.id)) &&
        operationMatches(rule.meta.match, subject.operation) &&
        versionMatches(rule.meta.match, subject.gvk.group, subject.gvk.kind, subject.gvk.version) &&
        subResourceMatches(rule.meta.match, subject),
    );
  }

  /** True when an enabled rule judges this subresource of this kind; requests for other subresources are skipped. */
  judgesSubResource(group: string, kind: string, subResource: string): boolean {
    const candidates = this.ruleIndex.get(kindKey(group, kind)) ?? [];
    return candidates.some((rule) => rule.meta.match.kinds.some((k) => k.group === group && k.kind === kind && (k.subResources?.includes(subResource) ?? false)));
  }

  evaluate(subject: Subject, view: ClusterView, options: EvaluateOptions = {}): Finding[] {
    if (!this.ruleIndex.has(kindKey(subject.gvk.group, subject.gvk.kind))) return [];
    const findings: Finding[] = [];
    const resource = resourceOf(subject);
    const objectExemptions = requestedObjectExemptions(subject);
    const honoured = new Set<string>();
    for (const ruleId of objectExemptions.rules) {
      const reason = this.exemptionRefusal(ruleId, objectExemptions.reason, `${EXEMPT_REASON_ANNOTATION} is missing`);
      if (reason === undefined) honoured.add(ruleId);
      else if (options.only === undefined || options.only.has(ruleId)) {
        findings.push({
          ruleId,
          messageId: 'exemptionNotHonoured',
          action: 'warn',
          message: `[${ruleId}] the ${EXEMPT_ANNOTATION} annotation is ignored for this rule: ${reason}`,
          resource,
          field: '/metadata/annotations/' + EXEMPT_ANNOTATION.replace('/', '~1'),
        });
      }
    }

    for (const rule of this.selectedRules(subject, options)) {
      const id = rule.meta.id;
      if (honoured.has(id)) continue;
      const setting = this.config.rules.get(id);
      if (setting === undefined || setting.action === 'off') continue;
      // Everything about one rule, its exemptions included, fails alone: an error finding for this
      // rule (which denies), and the other rules still run. What it reported before it threw stays.
      try {
        if (this.configExempts(id, subject)) continue;
        this.check(rule, setting, subject, view, resource, findings);
      } catch (error) {
        // Only the error's class name: messages of JSON.parse and friends can quote their input.
        const name = errorName(error);
        findings.push({
          ruleId: id,
          messageId: 'ruleError',
          action: 'error',
          message: `[${id}] the rule failed (${name}) and could not check this object`,
          resource,
          field: '',
        });
      }
    }
    return findings;
  }

  /**
   * Run one rule, appending its findings. Before the view is synced, a rule that needs cluster state
   * gets a view that refuses to be read: only a rule that reads it for this object (a Secret with
   * Reflector annotations, not every Secret) reports that it could not decide.
   */
  private check(rule: Rule, setting: ResolvedRuleSetting, subject: Subject, view: ClusterView, resource: ResourceRef, findings: Finding[]): void {
    const id = rule.meta.id;
    const configuredAction = setting.action;
    if (configuredAction === 'off') return;
    const unsynced = rule.meta.needsClusterState === true && !view.synced ? new UnsyncedView() : undefined;
    const before = findings.length;
    try {
      rule.check({
        subject,
        view: unsynced ?? view,
        options: setting.options,
        config: this.config,
        report: (descriptor) => {
          const template = rule.meta.messages[descriptor.messageId] ?? descriptor.messageId;
          const messageDefault = rule.meta.defaultActionByMessage?.[descriptor.messageId];
          const action: Action = messageDefault === 'error' ? 'error' : setting.actionFromConfig ? configuredAction : (messageDefault ?? configuredAction);
          findings.push({
            ruleId: id,
            messageId: descriptor.messageId,
            action,
            message: `[${id}] ${formatMessage(template, descriptor.data)}`,
            resource,
            field: descriptor.field,
          });
        },
      });
    } catch (error) {
      if (unsynced?.read !== true) throw error;
    }
    // Also when the rule caught the refusal itself: what it reported without the state does not count.
    if (unsynced?.read !== true) return;
    findings.length = before;
    findings.push({
      ruleId: id,
      messageId: 'clusterStateMissing',
      action: this.config.clusterView.missingState,
      message: `[${id}] the cluster view is not synced yet, so this rule could not decide; retry shortly`,
      resource,
      field: '',
    });
  }

  mutate(subject: Subject, view: ClusterView): MutationResult {
    const candidates = this.mutatorIndex.get(kindKey(subject.gvk.group, subject.gvk.kind));
    const result: MutationResult = { patch: [], notes: [] };
    if (candidates === undefined || subject.object === null) return result;
    for (const mutator of candidates) {
      if (!operationMatches(mutator.meta.match, subject.operation)) continue;
      if (!versionMatches(mutator.meta.match, subject.gvk.group, subject.gvk.kind, subject.gvk.version)) continue;
      const setting = this.config.mutators.get(mutator.meta.id);
      if (setting?.mode !== 'on') continue;
      try {
        const { patch, notes } = mutator.mutate({ subject, view, options: setting.options, config: this.config });
        result.patch.push(...patch);
        result.notes.push(...notes);
      } catch (error) {
        const name = errorName(error);
        result.notes.push(`${mutator.meta.id} failed (${name}); the object was left unchanged by it`);
      }
    }
    return result;
  }

  private configExempts(ruleId: string, subject: Subject): boolean {
    return this.config.exemptions.some((exemption) => exemptionMatches(exemption, ruleId, subject));
  }

  /**
   * Why an exemption the object's author wrote (the exempt annotation, or a `secretguard:ignore` comment in a
   * manifest) is refused for a rule, or undefined when it is honoured: only rules the config lists in
   * objectExemptions.allowedRules, never an isolation rule, and never without a reason.
   */
  exemptionRefusal(ruleId: string, reason: string, missingReason: string): string | undefined {
    const rule = this.rules.find((r) => r.meta.id === ruleId);
    if (rule === undefined) return 'no such rule';
    if (rule.meta.isolation === true) return 'tenant isolation rules cannot be exempted from the object';
    if (!this.config.objectExemptions.allowedRules.includes(ruleId)) return 'the rule is not in objectExemptions.allowedRules';
    if (reason === '') return missingReason;
    return undefined;
  }
}

/**
 * The class name of a thrown value, for messages and logs: never its message, which can quote the
 * input (JSON.parse does), and nothing but a short class-like name, whatever was thrown.
 */
export function errorName(error: unknown): string {
  let isError = false;
  try {
    isError = error instanceof Error;
    if (isError) {
      const name = (error as Error).name;
      if (typeof name === 'string' && /^[A-Za-z][A-Za-z0-9]{0,39}$/.test(name)) return name;
    }
  } catch {
    // a proxy or a getter that throws
  }
  return isError ? 'Error' : error === null ? 'null' : typeof error;
}

/**
 * What a rule that needs cluster state sees before the view is synced: every read is refused (and
 * remembered, in case the rule catches the refusal), so the engine knows this object needed the state.
 */
class UnsyncedView implements ClusterView {
  readonly synced = false;
  read = false;

  namespace(): NamespaceRecord | undefined {
    return this.refuse();
  }
  namespaces(): Iterable<NamespaceRecord> {
    return this.refuse();
  }
  clusterSecretStore(): StoreRecord | undefined {
    return this.refuse();
  }
  clusterSecretStores(): Iterable<StoreRecord> {
    return this.refuse();
  }
  secretStore(): StoreRecord | undefined {
    return this.refuse();
  }
  secretStores(): Iterable<StoreRecord> {
    return this.refuse();
  }
  externalSecretsTargeting(): readonly ExternalSecretRecord[] {
    return this.refuse();
  }
  secretProducer(): SecretProducer | undefined {
    return this.refuse();
  }

  private refuse(): never {
    this.read = true;
    throw new ClusterViewNotSynced('the cluster view is not synced');
  }
}

class ClusterViewNotSynced extends Error {
  override name = 'ClusterViewNotSynced';
}

export function kindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

function addToIndex<T>(index: Map<string, T[]>, match: RuleMatch, item: T): void {
  for (const kind of match.kinds) {
    const key = kindKey(kind.group, kind.kind);
    const list = index.get(key) ?? [];
    if (!list.includes(item)) list.push(item);
    index.set(key, list);
  }
}

function operationMatches(match: RuleMatch, operation: Operation): boolean {
  return (match.operations ?? DEFAULT_OPERATIONS).includes(operation);
}

function versionMatches(match: RuleMatch, group: string, kind: string, version: string): boolean {
  return match.kinds.some((k) => k.group === group && k.kind === kind && (k.versions === undefined || k.versions.includes(version)));
}

function subResourceMatches(match: RuleMatch, subject: Subject): boolean {
  const subResource = subject.subResource;
  if (subResource === undefined || subResource === '') return true;
  const { group, kind } = subject.gvk;
  return match.kinds.some((k) => k.group === group && k.kind === kind && (k.subResources?.includes(subResource) ?? false));
}

export function resourceOf(subject: Subject): ResourceRef {
  const { group, version, kind } = subject.gvk;
  return {
    apiVersion: group === '' ? version : `${group}/${version}`,
    kind,
    ...(subject.namespace !== '' ? { namespace: subject.namespace } : {}),
    ...(subject.name !== '' ? { name: subject.name } : {}),
  };
}

function requestedObjectExemptions(subject: Subject): { rules: string[]; reason: string } {
  const annotations = annotationsOf(subject.object ?? subject.oldObject);
  const list = annotations[EXEMPT_ANNOTATION];
  if (list === undefined) return { rules: [], reason: '' };
  const rules = [...new Set(list.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  return { rules, reason: (annotations[EXEMPT_REASON_ANNOTATION] ?? '').trim() };
}

function exemptionMatches(exemption: Exemption, ruleId: string, subject: Subject): boolean {
  if (!exemption.rules.includes('*') && !exemption.rules.includes(ruleId)) return false;
  const { username, groups } = subject.requester;
  if (exemption.namespaces !== undefined && !nameMatcher(exemption.namespaces).matches(subject.namespace)) return false;
  if (exemption.users !== undefined && !exemption.users.includes(username)) return false;
  if (exemption.groups !== undefined && !groups.some((g) => exemption.groups?.includes(g))) return false;
  if (exemption.serviceAccounts !== undefined && !exemption.serviceAccounts.some((sa) => serviceAccountMatches(sa, username))) {
    return false;
  }
  return true;
}

function serviceAccountMatches(entry: string, username: string): boolean {
  const [namespace, name] = entry.split('/');
  if (!username.startsWith('system:serviceaccount:')) return false;
  const [, , userNamespace, userName] = username.split(':');
  return namespace === userNamespace && (name === '*' || name === userName);
}
