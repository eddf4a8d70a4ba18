import { webhookSubject } from '../engine/subject.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ClusterView } from '../cluster/view.js';
import { ajv, formatAjvErrors } from '../config/ajv.js';
import type { Engine } from '../engine/engine.js';
import type { Finding, PatchOperation } from '../engine/types.js';
import {
  admissionReviewSchema,
  type AdmissionRequest,
  type AdmissionResponse,
  type AdmissionReviewRequest,
  type AdmissionReviewResponse,
} from './schema.js';

export type { AdmissionRequest, AdmissionResponse, AdmissionReviewRequest, AdmissionReviewResponse } from './schema.js';

/** What the webhook decided, for logs and metrics. */
export type Decision = 'allow' | 'warn' | 'deny' | 'error' | 'skip' | 'patch' | 'deadline' | 'shed';

export interface AdmissionOutcome {
  review: AdmissionReviewResponse;
  decision: Decision;
  findings: readonly Finding[];
  /** Rule or mutator ids that contributed to the answer, sorted and unique. */
  ruleIds: string[];
}

export type DecodeResult = { ok: true; review: AdmissionReviewRequest; request: AdmissionRequest } | { ok: false; error: string };

/** kubectl drops warnings of 120 characters or more, with control characters, or beyond 4096 in total. */
export const MAX_WARNING_LENGTH = 119;
const MAX_WARNINGS_TOTAL = 4000;
const MAX_AUDIT_VALUE_LENGTH = 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

let validateReview: ValidateFunction<AdmissionReviewRequest> | undefined;

/**
 * Check a parsed body against the AdmissionReview v1 schema. The error text names fields and
 * expectations only, never a value from the input.
 */
export function decodeAdmissionReview(body: unknown): DecodeResult {
  validateReview ??= ajv().compile<AdmissionReviewRequest>(admissionReviewSchema);
  if (validateReview(body)) return { ok: true, review: body, request: body.request };
  const errors: readonly ErrorObject[] = validateReview.errors ?? [];
  const missingUid = errors.some(
    (e) => e.keyword === 'required' && e.instancePath === '/request' && (e.params as { missingProperty?: string }).missingProperty === 'uid',
  );
  if (missingUid) return { ok: false, error: 'request.uid is missing' };
  const lines = formatAjvErrors(errors, '').slice(0, 5);
  return { ok: false, error: `not an admission.k8s.io/v1 AdmissionReview: ${lines.join('; ')}` };
}

/**
 * Requests for a subresource (status, scale, …) are allowed without running rules: the rules
 * look at the whole object, which such a request cannot change in the fields they check, and
 * Kyverno skips them the same way. The exception is a subresource a rule declares in
 * `match.kinds[].subResources`: `pods/ephemeralcontainers` writes containers with env, and the
 * API server sends the whole Pod for it. CONNECT requests go to the engine, whose rules run on
 * CREATE and UPDATE unless they ask otherwise. Without an engine (the mutating webhook) every subresource is skipped.
 */
export function isSkipped(request: AdmissionRequest, engine?: Engine): boolean {
  const subResource = request.subResource;
  if (subResource === undefined || subResource === '') return false;
  return engine === undefined || !engine.judgesSubResource(request.kind.group, request.kind.kind, subResource);
}

/** Answer of the validating webhook: deny and error findings deny, warn ones warn, audit ones annotate. */
export function respondValidate(engine: Engine, view: ClusterView, request: AdmissionRequest): AdmissionOutcome {
  if (isSkipped(request, engine)) return { review: wrap({ uid: request.uid, allowed: true }), decision: 'skip', findings: [], ruleIds: [] };
  const findings = engine.evaluate(webhookSubject(request), view);
  return { ...encodeFindings(request.uid, findings, engine.config.webhook.maxMessageLength), findings };
}

/** Answer of the mutating webhook: the engine's patch as base64 JSONPatch (only when non-empty) and its notes as warnings. */
export function respondMutate(engine: Engine, view: ClusterView, request: AdmissionRequest): AdmissionOutcome {
  if (isSkipped(request)) return { review: wrap({ uid: request.uid, allowed: true }), decision: 'skip', findings: [], ruleIds: [] };
  const { patch, notes } = engine.mutate(webhookSubject(request), view);
  return { review: wrap(encodeMutation(request.uid, patch, notes)), decision: patch.length > 0 ? 'patch' : 'allow', findings: [], ruleIds: [] };
}

/** The answer when the engine did not finish before the configured deadline. */
export function respondDeadline(request: AdmissionRequest, onDeadline: 'deny' | 'allow', deadlineMs: number): AdmissionOutcome {
  const text = `secretguard could not decide within ${deadlineMs}ms`;
  const response: AdmissionResponse =
    onDeadline === 'allow'
      ? { uid: request.uid, allowed: true, warnings: [sanitizeWarning(`${text}; the request was allowed unchecked`)] }
      : { uid: request.uid, allowed: false, status: { code: 503, message: `${text}; retry shortly` } };
  return { review: wrap(response), decision: 'deadline', findings: [], ruleIds: [] };
}

/** The answer when the server sheds load: the same failure answer as a missed deadline, at once. */
export function respondOverloaded(request: AdmissionRequest, onDeadline: 'deny' | 'allow'): AdmissionOutcome {
  const text = 'secretguard is overloaded';
  const response: AdmissionResponse =
    onDeadline === 'allow'
      ? { uid: request.uid, allowed: true, warnings: [sanitizeWarning(`${text}; the request was allowed unchecked`)] }
      : { uid: request.uid, allowed: false, status: { code: 503, message: `${text}; retry shortly` } };
  return { review: wrap(response), decision: 'shed', findings: [], ruleIds: [] };
}

/**
 * The mutating webhook's answer when it did not run its mutators (shed, deadline, engine error):
 * allowed with no patch. The mutators only add conveniences, and the chart registers them with
 * failurePolicy Ignore, so a secretguard in trouble never blocks a workload.
 */
export function respondMutateUnchanged(request: AdmissionRequest, why: string, decision: Decision): AdmissionOutcome {
  const warnings = [sanitizeWarning(`secretguard ${why}; the object was admitted without its changes`)];
  return { review: wrap({ uid: request.uid, allowed: true, warnings }), decision, findings: [], ruleIds: [] };
}

/**
 * The validating answer when the engine failed: a denial whatever `onDeadline` says, because a
 * failure that repeats on every request (a bad config, a broken rule) would otherwise admit
 * everything unchecked.
 */
export function respondEngineFailed(request: AdmissionRequest): AdmissionOutcome {
  const response: AdmissionResponse = {
    uid: request.uid,
    allowed: false,
    status: { code: 500, message: 'secretguard failed to check this object; retry, and if it persists see the secretguard logs' },
  };
  return { review: wrap(response), decision: 'error', findings: [], ruleIds: [] };
}

export function encodeFindings(uid: string, findings: readonly Finding[], maxMessageLength: number): Omit<AdmissionOutcome, 'findings'> {
  const denying = findings.filter((f) => f.action === 'deny' || f.action === 'error');
  const warnings = encodeWarnings(findings.filter((f) => f.action === 'warn').map((f) => f.message));
  const audit = encodeAuditAnnotations(findings.filter((f) => f.action === 'audit'));
  const response: AdmissionResponse = { uid, allowed: denying.length === 0 };
  if (denying.length > 0) response.status = { code: 403, message: joinBounded(denying.map((f) => f.message), maxMessageLength) };
  if (warnings.length > 0) response.warnings = warnings;
  if (Object.keys(audit).length > 0) response.auditAnnotations = audit;
  const decision: Decision = denying.some((f) => f.action === 'deny')
    ? 'deny'
    : denying.length > 0
      ? 'error'
      : warnings.length > 0
        ? 'warn'
        : 'allow';
  return { review: wrap(response), decision, ruleIds: [...new Set(findings.map((f) => f.ruleId))].sort() };
}

export function encodeMutation(uid: string, patch: readonly PatchOperation[], notes: readonly string[]): AdmissionResponse {
  const response: AdmissionResponse = { uid, allowed: true };
  if (patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(patch), 'utf8').toString('base64');
  }
  const warnings = encodeWarnings(notes);
  if (warnings.length > 0) response.warnings = warnings;
  return response;
}

function wrap(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

/** Replace control characters (kubectl drops a warning containing one) and collapse whitespace. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text); // code points, so a surrogate pair is never cut in half
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

export function sanitizeWarning(text: string): string {
  return truncate(oneLine(text.replace(LONE_SURROGATE, '\uFFFD')), MAX_WARNING_LENGTH);
}

/** Warnings kubectl will show: one line, under 120 characters, unique, under 4096 in total. */
export function encodeWarnings(messages: readonly string[]): string[] {
  const result: string[] = [];
  let total = 0;
  for (const message of messages) {
    const warning = sanitizeWarning(message);
    if (warning === '' || result.includes(warning)) continue;
    if (total + warning.length > MAX_WARNINGS_TOTAL) break;
    total += warning.length;
    result.push(warning);
  }
  return result;
}

/** `<rule-id>: <short text>`, one key per rule, keys valid qualified-name parts without `/`. */
export function encodeAuditAnnotations(findings: readonly Finding[]): Record<string, string> {
  const byKey = new Map<string, string[]>();
  for (const finding of findings) {
    const key = auditKey(finding.ruleId);
    const text = oneLine(finding.message.replace(/^\[[^\]]*\]\s*/, ''));
    const list = byKey.get(key) ?? [];
    if (!list.includes(text)) list.push(text);
    byKey.set(key, list);
  }
  const result: Record<string, string> = {};
  for (const [key, texts] of byKey) result[key] = truncate(texts.join('; '), MAX_AUDIT_VALUE_LENGTH);
  return result;
}

export function auditKey(ruleId: string): string {
  if (ruleId.length <= 63 && QUALIFIED_NAME_PART.test(ruleId)) return ruleId;
  const cleaned = ruleId
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'secretguard' : cleaned;
}

/** Unique messages joined with `; `, cut to `max` characters with a count of what was left out. */
export function joinBounded(messages: readonly string[], max: number): string {
  const unique = [...new Set(messages.map(oneLine))];
  const all = unique.join('; ');
  if (all.length <= max) return all;
  const reserve = 40;
  let out = '';
  let used = 0;
  for (const message of unique) {
    const next = out === '' ? message : `${out}; ${message}`;
    if (next.length > max - reserve) break;
    out = next;
    used++;
  }
  if (used === 0) {
    out = truncate(unique[0] ?? '', max - reserve);
    used = 1;
  }
  const left = unique.length - used;
  return left > 0 ? `${out}; … and ${left} more finding${left === 1 ? '' : 's'}` : out;
}
