import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jsYaml from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { isObject, parsePointer, type JsonObject } from '../k8s/json.js';

/** A manifest that could not be read or parsed, reported as `file:line: message` with exit code 2. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** One Kubernetes object found in an input, with where it came from. */
export interface LoadedManifest {
  object: JsonObject;
  file: string;
  /** 1-based line of the document (or List item) start. */
  line: number;
  /** Index of the YAML document in the file. */
  documentIndex: number;
  /** JSON pointer of the object inside its document: '' or `/items/3` for List items. */
  pointerPrefix: string;
}

export interface ManifestSource {
  /** Display name: a path, or `<stdin>`. */
  name: string;
  text: string;
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Alias expansions allowed per document: a billion-laughs bomb is refused, real manifests never come close. */
const MAX_ALIAS_COUNT = 1000;

/** Every manifest file under the given paths (directories recursively), sorted for stable output. */
export function collectFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      throw new ManifestError(path, 0, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (stats.isDirectory()) files.push(...walk(path));
    else files.push(path);
  }
  return files;
}

function walk(directory: string): string[] {
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...walk(path));
    else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) files.push(path);
  }
  return files;
}

export function readSource(path: string): ManifestSource {
  try {
    return { name: path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    throw new ManifestError(path, 0, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** One YAML document of a stream, as a slice of the text. */
export interface DocumentSlice {
  text: string;
  /** 1-based line of the slice's first character in the whole source. */
  firstLine: number;
}

/**
 * Split a YAML stream at its document markers: `---` or `...` at the start of a line. The YAML spec
 * forbids those markers inside any scalar, so this split is exact, and it lets each document be parsed
 * (and, for line look-ups, re-parsed) on its own.
 */
export function splitDocuments(text: string): DocumentSlice[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const slices: DocumentSlice[] = [];
  const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let line = 1;
  let match: RegExpExecArray | null;
  while ((match = marker.exec(body)) !== null) {
    if (match.index === 0) continue;
    const slice = body.slice(start, match.index);
    slices.push({ text: slice, firstLine: line });
    line += countLines(slice);
    start = match.index;
  }
  slices.push({ text: body.slice(start), firstLine: line });
  return slices;
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Line of the first content in a slice: past blank lines, comments, directives and a bare marker. */
function contentLine(slice: DocumentSlice): number {
  const lines = slice.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('%') || /^(?:---|\.\.\.)(?:\s+#.*)?$/.test(line)) continue;
    return slice.firstLine + i;
  }
  return slice.firstLine;
}

/** Anchors or aliases outside quotes are rare in manifests; those documents take the guarded parser. */
const ALIAS_SYNTAX = /(?:^|[\s[{,:-])[*&][^\s,[\]{}]/m;

/** Decode one document: js-yaml (fast) normally, the `yaml` package (alias-bomb guard) when aliases appear. */
function decodeSlice(slice: DocumentSlice, file: string): unknown {
  if (ALIAS_SYNTAX.test(slice.text)) {
    const document = parseDocument(slice.text, { prettyErrors: false, uniqueKeys: true, lineCounter: new LineCounter() });
    const error = document.errors[0];
    if (error !== undefined) throw new ManifestError(file, slice.firstLine + lineIn(slice.text, error.pos[0]) - 1, `YAML syntax error: ${firstLine(error.message)}`);
    try {
      return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const reason = error instanceof ReferenceError ? 'too many YAML alias expansions (alias bomb?)' : 'cannot convert document';
      throw new ManifestError(file, contentLine(slice), reason);
    }
  }
  try {
    // CORE_SCHEMA: YAML 1.2 core types, as the `yaml` package reads them; no timestamps turned into Dates.
    return jsYaml.load(slice.text, { schema: jsYaml.CORE_SCHEMA, filename: file });
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      // `reason` only: the full message quotes the offending source, which may be a secret.
      // Some errors (a second document after `...` with no marker) carry no mark despite the types.
      const mark = error.mark as { line: number } | undefined;
      throw new ManifestError(file, slice.firstLine + (mark?.line ?? 0), `YAML syntax error: ${error.reason}`);
    }
    throw error;
  }
}

function lineIn(text: string, offset: number): number {
  return countLines(text.slice(0, offset)) + 1;
}

function firstLine(message: string): string {
  // yaml's messages quote the offending source after the first line; it may be a secret.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * The Kubernetes objects of one document slice: the document itself, or the items of a `kind: List`
 * or any `*List` kind. An empty document gives none.
 */
export function manifestsInSlice(slice: DocumentSlice, documentIndex: number, file: string): LoadedManifest[] {
  const value = decodeSlice(slice, file);
  if (value === null || value === undefined) return [];
  const line = contentLine(slice);
  if (!isObject(value)) throw new ManifestError(file, line, 'document is not a Kubernetes object (expected a mapping)');
  const kind = value['kind'];
  const items = value['items'];
  if (!(typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items))) {
    return [{ object: value, file, line, documentIndex, pointerPrefix: '' }];
  }
  const lines = new SliceLineFinder(slice);
  return items.map((item, index) => {
    if (!isObject(item)) throw new ManifestError(file, line, `items[${index}] of the ${kind} is not an object`);
    return { object: item, file, line: lines.lineOf(`/items/${index}`, line), documentIndex, pointerPrefix: `/items/${index}` };
  });
}

/**
 * Every Kubernetes object in a source: multi-document YAML or JSON, with `kind: List` and
 * `*List` kinds flattened into their items. Empty documents are skipped.
 */
export function parseManifests(source: ManifestSource): LoadedManifest[] {
  return splitDocuments(source.text).flatMap((slice, documentIndex) => manifestsInSlice(slice, documentIndex, source.name));
}

/** Line numbers for JSON pointers in one document, parsed with positions on first use. */
export class SliceLineFinder {
  private parsed: { document: Document.Parsed; lineCounter: LineCounter } | undefined;

  constructor(private readonly slice: DocumentSlice) {}

  /** 1-based line (in the whole source) of the deepest existing node along `pointer`, or `fallback`. */
  lineOf(pointer: string, fallback: number): number {
    if (this.parsed === undefined) {
      const lineCounter = new LineCounter();
      this.parsed = { document: parseDocument(this.slice.text, { prettyErrors: false, lineCounter }), lineCounter };
    }
    let node: unknown = this.parsed.document.contents;
    let offset: number | undefined;
    for (const segment of parsePointer(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
        if (pair === undefined) break;
        offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : offset;
        node = pair.value;
      } else if (isSeq(node)) {
        const item: unknown = node.items[Number(segment)];
        if (item === undefined || item === null) break;
        const range = (item as Node).range;
        offset = range ? range[0] : offset;
        node = item;
      } else break;
    }
    return offset === undefined ? fallback : this.slice.firstLine - 1 + this.parsed.lineCounter.linePos(offset).line;
  }
}
