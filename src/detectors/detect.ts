import { genericDetectors } from './generic.js';
import { knownDetectors } from './known.js';
import { structuredEntries } from './structure.js';
import { embeddedBase64Text, MAX_SCAN } from './text.js';
import type { CredentialHit, Detector } from './types.js';

export type { CredentialHit, Detector } from './types.js';
export { decodeSecretValue, isPlaceholder, MAX_SCAN, type DecodedBase64 } from './text.js';

/** Every detector, specific formats first; generic ones (key names, entropy) last. */
export const allDetectors: readonly Detector[] = [...knownDetectors, ...genericDetectors];

const MAX_HITS = 20;

interface Layers {
  /** Split JSON, YAML, .env and properties content into entries. */
  structure: boolean;
  /** Try one level of base64 inside the value. */
  base64: boolean;
}

/** The id of the hit that says a bound was reached: part of the value was not looked at. */
export const NOT_FULLY_SCANNED = 'not-fully-scanned';

/**
 * The credentials found in one value: `key` is the name it is stored under (a Secret or ConfigMap key,
 * an env var name), `value` the decoded text. Looks at the value itself, at the entries of JSON, YAML,
 * .env and properties content, and at one level of base64 inside. Values longer than MAX_SCAN are
 * scanned on their first MAX_SCAN characters, and content past any bound gives a NOT_FULLY_SCANNED hit:
 * what was not read is said, never passed over in silence. Hits never carry any part of the value.
 */
export function detectCredentials(key: string, value: string): CredentialHit[] {
  if (typeof value !== 'string' || value === '') return [];
  const text = value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value;
  const hits: CredentialHit[] = [];
  const incomplete: string[] = value.length > MAX_SCAN ? [`longer than ${MAX_SCAN / 1024 / 1024} MiB`] : [];
  scan(typeof key === 'string' ? key : '', text, undefined, hits, { structure: true, base64: true }, incomplete);
  const result = tidy(hits);
  const reason = incomplete[0];
  if (reason !== undefined) result.push({ detectorId: NOT_FULLY_SCANNED, description: `not fully scanned (${reason})` });
  return result;
}

/** Whether the hits say that part of the value was not looked at. */
export function notFullyScanned(hits: readonly CredentialHit[]): boolean {
  return hits.some((hit) => hit.detectorId === NOT_FULLY_SCANNED);
}

/** Short human summary of hits: unique descriptions with their inner paths, e.g. `generic password (db.password)`. */
export function describeHits(hits: readonly CredentialHit[]): string {
  const parts: string[] = [];
  for (const hit of hits) {
    const part = hit.path === undefined ? hit.description : `${hit.description} (${hit.path})`;
    if (!parts.includes(part)) parts.push(part);
  }
  return parts.join(', ');
}

function scan(key: string, text: string, path: string | undefined, hits: CredentialHit[], layers: Layers, incomplete: string[]): void {
  if (hits.length >= MAX_HITS * 2 || text.trim() === '') return;
  runDetectors(key, text, path, hits);
  if (layers.structure) {
    const structured = structuredEntries(text);
    if (structured.incomplete !== undefined) incomplete.push(structured.incomplete);
    for (const entry of structured.entries) {
      scan(entry.key, entry.value, join(path, entry.path), hits, { structure: false, base64: layers.base64 }, incomplete);
    }
  }
  if (layers.base64) {
    const decoded = embeddedBase64Text(text);
    if (decoded !== undefined) scan(key, decoded, join(path, 'base64'), hits, { structure: true, base64: false }, incomplete);
  }
}

/**
 * One pass for every detector's `requires` substrings: the set of them the value contains, found with one
 * regex alternation, longest first, restarted one character after each match so every start position is
 * seen (a literal matching where a longer one matched is a prefix of it, and is added with it). Detectors
 * none of whose substrings is present are skipped: most configuration values hold none, and a long value
 * (a 64 KiB CA bundle) is scanned once instead of once per prefix.
 */
const REQUIRED = [...new Set(allDetectors.flatMap((d) => d.requires ?? []))].sort((a, b) => b.length - a.length);
const ANY_REQUIRED = new RegExp(REQUIRED.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
/** Each required substring with the required substrings that are prefixes of it (itself included). */
const PREFIXES = new Map(REQUIRED.map((literal) => [literal, REQUIRED.filter((other) => literal.startsWith(other))]));

/** After this many matches the pass stops and every detector runs (a value made of `eyJeyJ…` stays linear). */
const MAX_REQUIRED_MATCHES = 64;
const NONE: ReadonlySet<string> = new Set();

/** The required substrings present in `text`, or undefined for "do not skip any detector". */
function requiredPresent(text: string): ReadonlySet<string> | undefined {
  let present: Set<string> | undefined;
  let matches = 0;
  ANY_REQUIRED.lastIndex = 0;
  for (let match = ANY_REQUIRED.exec(text); match !== null; match = ANY_REQUIRED.exec(text)) {
    if (++matches > MAX_REQUIRED_MATCHES) return undefined;
    present ??= new Set();
    for (const literal of PREFIXES.get(match[0]) ?? [match[0]]) present.add(literal);
    if (present.size === REQUIRED.length) return undefined;
    ANY_REQUIRED.lastIndex = match.index + 1;
  }
  return present ?? NONE;
}

/** Whether a detector with these required substrings may fire given the ones present (undefined: no gate). */
function mayFire(requires: readonly string[] | undefined, present: ReadonlySet<string> | undefined): boolean {
  if (present === undefined || requires === undefined || requires.length === 0) return true;
  if (present.size === 0) return false;
  for (const literal of requires) if (present.has(literal)) return true;
  return false;
}

function runDetectors(key: string, text: string, path: string | undefined, hits: CredentialHit[]): void {
  const present = requiredPresent(text);
  for (const detector of allDetectors) {
    if (!mayFire(detector.requires, present)) continue;
    if (!detector.detect(text, key)) continue;
    const description = detector.describe?.(key) ?? detector.description;
    hits.push({ detectorId: detector.id, description, ...(path !== undefined ? { path } : {}) });
  }
}

function join(path: string | undefined, segment: string): string {
  return path === undefined ? segment : `${path} > ${segment}`;
}

const GENERIC_IDS = new Set(allDetectors.filter((d) => d.generic === true).map((d) => d.id));

/** Drop hits that a more precise one already explains, and duplicates. */
function tidy(hits: CredentialHit[]): CredentialHit[] {
  if (hits.length === 0) return hits;
  const byPath = new Map<string, CredentialHit[]>();
  for (const hit of hits) {
    const list = byPath.get(hit.path ?? '') ?? [];
    list.push(hit);
    byPath.set(hit.path ?? '', list);
  }
  const kept: CredentialHit[] = [];
  for (const list of byPath.values()) {
    const ids = new Set(list.map((h) => h.detectorId));
    const specific = list.some((h) => !GENERIC_IDS.has(h.detectorId));
    for (const hit of list) {
      if (specific && GENERIC_IDS.has(hit.detectorId)) continue;
      if (hit.detectorId === 'jwt' && ids.has('kubernetes-service-account-token')) continue;
      if (hit.detectorId === 'basic-auth-url' && ids.has('database-url-password')) continue;
      kept.push(hit);
    }
  }
  // A whole-value hit is redundant when the same detector also fired at a precise place inside it.
  const located = new Set(kept.filter((h) => h.path !== undefined).map((h) => h.detectorId));
  const result: CredentialHit[] = [];
  const seen = new Set<string>();
  for (const hit of kept) {
    if (hit.path === undefined && located.has(hit.detectorId)) continue;
    const id = `${hit.detectorId}\u0000${hit.path ?? ''}`;
    if (seen.has(id)) continue;
    seen.add(id);
    result.push(hit);
    if (result.length >= MAX_HITS) break;
  }
  return result;
}
