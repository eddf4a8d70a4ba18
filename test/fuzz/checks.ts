// What a correct answer of the webhook looks like, checked on every fuzzed input. Not a test file.
import type { AdmissionReviewResponse } from '../../src/admission/review.js';

const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Problems with an AdmissionReview answer (empty when it is one the API server and kubectl accept). */
export function reviewProblems(value: unknown, expectedUid: string | undefined): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['answer is not an object'];
  const review = value as Partial<AdmissionReviewResponse>;
  if (review.apiVersion !== 'admission.k8s.io/v1') problems.push('apiVersion');
  if (review.kind !== 'AdmissionReview') problems.push('kind');
  const response = review.response;
  if (typeof response !== 'object') return [...problems, 'no response'];
  if (expectedUid !== undefined && response.uid !== expectedUid) problems.push('uid not echoed');
  if (typeof response.allowed !== 'boolean') problems.push('allowed is not a boolean');
  if (!response.allowed) {
    if (typeof response.status?.code !== 'number' || typeof response.status.message !== 'string') problems.push('denial without status');
    else if (response.status.message.length === 0) problems.push('empty denial message');
  }
  if (response.warnings !== undefined) {
    let total = 0;
    for (const warning of response.warnings) {
      total += warning.length;
      if (Array.from(warning).length >= 120) problems.push('warning of 120 characters or more');
      if (CONTROL.test(warning)) problems.push('warning with a control character');
      if (LONE_SURROGATE.test(warning)) problems.push('warning with a lone surrogate');
      if (warning === '') problems.push('empty warning');
    }
    if (new Set(response.warnings).size !== response.warnings.length) problems.push('duplicate warnings');
    if (total > 4096) problems.push('warnings longer than 4096 in total');
  }
  for (const key of Object.keys(response.auditAnnotations ?? {})) {
    if (key.length > 63 || !QUALIFIED_NAME_PART.test(key)) problems.push(`bad audit annotation key ${key}`);
  }
  if ((response.patch === undefined) !== (response.patchType === undefined)) problems.push('patch and patchType disagree');
  if (response.patch !== undefined) {
    try {
      const ops: unknown = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
      if (!Array.isArray(ops) || ops.length === 0) problems.push('patch is not a non-empty JSON array');
    } catch {
      problems.push('patch is not base64 JSON');
    }
  }
  return problems;
}

/** The uid the API server would expect echoed, when the body is a JSON object with a string request.uid. */
export function uidOf(body: Buffer | string): string | undefined {
  try {
    const parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8')) as { request?: { uid?: unknown } };
    return typeof parsed.request?.uid === 'string' ? parsed.request.uid : undefined;
  } catch {
    return undefined;
  }
}

/** A gc function (V8's, exposed at run time) so memory can be measured after collection. */
export async function gcFunction(): Promise<() => void> {
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
