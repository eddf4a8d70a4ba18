/**
 * Split structured content (JSON, YAML, .env, properties, INI) into key/value entries so the
 * detectors see `password` next to its value. Bounded: at most MAX_ENTRIES entries, MAX_DEPTH levels.
 * Paths are built from key names only, and a key name that looks like a token itself is replaced by `*`.
 */
import { MAX_SCAN, shannonEntropy } from './text.js';

export interface Entry {
  /** The entry's own key name (last path segment), used by key-aware detectors. */
  key: string;
  /** Where it is, e.g. `db.password` or `auths.registry.example.com.auth`. */
  path: string;
  value: string;
}

const MAX_ENTRIES = 2000;
const MAX_DEPTH = 32;
const MAX_LINES = 5000;

export function structuredEntries(text: string): Entry[] {
  if (text.length > MAX_SCAN) return [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = parseJson(trimmed);
    if (json !== undefined) {
      const entries: Entry[] = [];
      walkJson(json, [], '', entries, 0);
      return entries;
    }
  }
  if (!text.includes('\n') && !text.includes('=') && !text.includes(': ')) return [];
  return lineEntries(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A key name fit to appear in a finding: short, plain, and not itself random-looking. */
export function safeSegment(segment: string): string {
  if (segment.length === 0 || segment.length > 48 || !/^[A-Za-z0-9_.@:/ -]+$/.test(segment)) return '*';
  if (segment.length >= 16 && shannonEntropy(segment) > 3.5 && /[0-9]/.test(segment) && !segment.includes('.')) return '*';
  return segment;
}

function walkJson(value: unknown, path: string[], key: string, entries: Entry[], depth: number): void {
  if (entries.length >= MAX_ENTRIES || depth > MAX_DEPTH) return;
  if (typeof value === 'string') {
    entries.push({ key, path: path.join('.'), value });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walkJson(item, [...path, String(index)], key, entries, depth + 1);
    });
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [childKey, child] of Object.entries(value)) {
      walkJson(child, [...path, safeSegment(childKey)], childKey, entries, depth + 1);
      if (entries.length >= MAX_ENTRIES) return;
    }
  }
}

// key = value, key: value, export KEY=value, - key: value, "key": "value",  (no nested quantifiers)
const LINE = /^([ \t]{0,80}(?:-[ \t]{1,8})?)(?:export[ \t]{1,8})?["']?([A-Za-z0-9_.@/-]{1,100})["']?[ \t]{0,8}([=:])[ \t]{0,8}(.{0,8000})$/;
const SECTION = /^\[([A-Za-z0-9_. -]{1,100})\]$/;

function lineEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  // YAML parents by indentation, so `spring:\n  datasource:\n    password: x` gives `spring.datasource.password`.
  const parents: { indent: number; key: string }[] = [];
  let section: string | undefined;
  let lines = 0;
  for (const rawLine of text.split('\n')) {
    if (++lines > MAX_LINES || entries.length >= MAX_ENTRIES) break;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const stripped = line.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith('!') || stripped.startsWith('//') || stripped.startsWith(';')) continue;
    const sectionMatch = SECTION.exec(stripped);
    if (sectionMatch !== null) {
      section = safeSegment(sectionMatch[1] ?? '');
      parents.length = 0;
      continue;
    }
    // LINE needs a `=` or `:` separator: most lines of a PEM bundle or prose have neither.
    if (!line.includes('=') && !line.includes(':')) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const indent = (match[1] ?? '').length;
    const key = match[2] ?? '';
    const value = unquote(match[4] ?? '');
    while (parents.length > 0 && (parents[parents.length - 1]?.indent ?? 0) >= indent) parents.pop();
    const prefix = [...(section !== undefined ? [section] : []), ...parents.map((p) => p.key)];
    const path = [...prefix, safeSegment(key)].join('.');
    if (value === '' && match[3] === ':') {
      parents.push({ indent, key: safeSegment(key) });
      continue;
    }
    entries.push({ key, path, value });
  }
  return entries;
}

function unquote(raw: string): string {
  let value = raw.trim();
  if (value.endsWith(',')) value = value.slice(0, -1).trimEnd();
  if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value[0] ?? '')) {
    value = value.slice(1, -1);
  }
  return value;
}
