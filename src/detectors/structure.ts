/**
 * Split structured content (JSON, YAML, .env, properties, INI) into key/value entries so the
 * detectors see `password` next to its value. Bounded: at most MAX_ENTRIES entries, MAX_DEPTH levels,
 * MAX_LINES non-blank lines; content past a bound is reported through `incomplete`, never dropped silently.
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

/** Bounds sized so a whole 1 MiB value (MAX_SCAN) of real configuration fits in each of them. */
export const MAX_ENTRIES = 100_000;
export const MAX_DEPTH = 256;
export const MAX_LINES = 200_000;

export interface Structured {
  entries: Entry[];
  /** Why some of the content was not split into entries, when a bound was reached. */
  incomplete?: string;
}

export function structuredEntries(text: string): Structured {
  if (text.length > MAX_SCAN) return { entries: [] };
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = parseJson(trimmed);
    if (json !== undefined) {
      const walk: Walk = { entries: [] };
      walkJson(json, [], '', walk, 0);
      return walk.incomplete !== undefined ? { entries: walk.entries, incomplete: walk.incomplete } : { entries: walk.entries };
    }
  }
  if (!text.includes('\n') && !text.includes('=') && !text.includes(': ')) return { entries: [] };
  return lineEntries(text);
}

interface Walk {
  entries: Entry[];
  incomplete?: string;
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

/** A walk stops at the first bound it reaches (a function, so the compiler does not narrow across calls). */
function stopped(walk: Walk): boolean {
  return walk.incomplete !== undefined;
}

function walkJson(value: unknown, path: string[], key: string, walk: Walk, depth: number): void {
  if (stopped(walk)) return;
  if (walk.entries.length >= MAX_ENTRIES) {
    walk.incomplete = `more than ${MAX_ENTRIES} entries`;
    return;
  }
  if (depth > MAX_DEPTH) {
    walk.incomplete = `JSON nested deeper than ${MAX_DEPTH} levels`;
    return;
  }
  if (typeof value === 'string') {
    walk.entries.push({ key, path: path.join('.'), value });
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length && !stopped(walk); index++) {
      walkJson(value[index], [...path, String(index)], key, walk, depth + 1);
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [childKey, child] of Object.entries(value)) {
      walkJson(child, [...path, safeSegment(childKey)], childKey, walk, depth + 1);
      if (stopped(walk)) return;
    }
  }
}

// key = value, key: value, export KEY=value, - key: value, "key": "value",  (no nested quantifiers)
const LINE = /^([ \t]{0,80}(?:-[ \t]{1,8})?)(?:export[ \t]{1,8})?["']?([A-Za-z0-9_.@/-]{1,100})["']?[ \t]{0,8}([=:])[ \t]{0,8}(.{0,8000})$/;
const SECTION = /^\[([A-Za-z0-9_. -]{1,100})\]$/;

/** A YAML block scalar header: `|`, `>`, with an optional chomping indicator and indentation digit. */
const BLOCK_SCALAR = /^[|>][-+]?[1-9]?[-+]?(?:[ \t]+#.*)?$/;

function lineEntries(text: string): Structured {
  const entries: Entry[] = [];
  // YAML parents by indentation, so `spring:\n  datasource:\n    password: x` gives `spring.datasource.password`.
  const parents: { indent: number; key: string }[] = [];
  let section: string | undefined;
  let lines = 0;
  /** An open YAML block scalar (`password: |`): its entry and the lines gathered so far. */
  let block: { key: string; path: string; indent: number; folded: boolean; lines: string[] } | undefined;
  const closeBlock = (): void => {
    if (block === undefined) return;
    const joined = block.lines.join(block.folded ? ' ' : '\n').trim();
    if (joined !== '') entries.push({ key: block.key, path: block.path, value: joined });
    block = undefined;
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const stripped = line.trim();
    // Blank lines cost nothing against the bounds: thousands of them must not hide what follows.
    if (stripped === '') {
      if (block !== undefined) block.lines.push('');
      continue;
    }
    if (++lines > MAX_LINES) return { entries, incomplete: `more than ${MAX_LINES} lines` };
    if (entries.length >= MAX_ENTRIES) return { entries, incomplete: `more than ${MAX_ENTRIES} entries` };
    if (block !== undefined) {
      const indent = line.length - line.trimStart().length;
      if (indent > block.indent) {
        block.lines.push(stripped);
        continue;
      }
      closeBlock();
    }
    if (stripped.startsWith('#') || stripped.startsWith('!') || stripped.startsWith('//') || stripped.startsWith(';')) continue;
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
    const rawValue = match[4] ?? '';
    const value = unquote(rawValue);
    while (parents.length > 0 && (parents[parents.length - 1]?.indent ?? 0) >= indent) parents.pop();
    const prefix = [...(section !== undefined ? [section] : []), ...parents.map((p) => p.key)];
    const path = [...prefix, safeSegment(key)].join('.');
    if (value === '' && match[3] === ':') {
      parents.push({ indent, key: safeSegment(key) });
      continue;
    }
    if (match[3] === ':' && BLOCK_SCALAR.test(rawValue.trim())) {
      block = { key, path, indent, folded: rawValue.trim().startsWith('>'), lines: [] };
      continue;
    }
    entries.push({ key, path, value });
  }
  closeBlock();
  return { entries };
}

function unquote(raw: string): string {
  let value = raw.trim();
  if (value.endsWith(',')) value = value.slice(0, -1).trimEnd();
  if (value.length >= 2 && (value.startsWith('"') || value.startsWith("'")) && value.endsWith(value[0] ?? '')) {
    value = value.slice(1, -1);
  }
  return value;
}
