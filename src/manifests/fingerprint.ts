import { createHash, createHmac } from 'node:crypto';
import { relative, sep } from 'node:path';
import { parsePointer } from '../k8s/json.js';
import type { Finding } from '../engine/types.js';

/**
 * Domain key of the fingerprint HMAC. A fingerprint must be stable across machines (baselines are committed
 * and SARIF compares runs), so the key is fixed; the value enters only as a SHA-256 digest inside the HMAC,
 * truncated, so a fingerprint neither shows a value nor is a plain hash of one.
 */
const KEY = 'secretguard fingerprint v1';

function valueAt(object: unknown, pointer: string): unknown {
  let node = object;
  for (const segment of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (node !== null && typeof node === 'object') node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

/** Rule, resource, field and a keyed hash of the field's value: the baseline key and SARIF partialFingerprints. */
export function fingerprintOf(finding: Finding, object: unknown): string {
  const value = valueAt(object, finding.field);
  const digest = createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');
  const r = finding.resource;
  const identity = JSON.stringify([finding.ruleId, r.apiVersion, r.kind, r.namespace ?? '', r.name ?? '', finding.field, digest]);
  return createHmac('sha256', KEY).update(identity).digest('hex').slice(0, 32);
}

/** An unreadable file has no resource: its path (from the working directory) and reason. */
export function fileFingerprintOf(ruleId: string, file: string, reason: string): string {
  const path = file === '<stdin>' ? file : relative(process.cwd(), file).split(sep).join('/');
  return createHmac('sha256', KEY).update(JSON.stringify([ruleId, path, reason])).digest('hex').slice(0, 32);
}
