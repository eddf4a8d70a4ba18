import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
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

interface ParsedDocuments {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

function parseDocuments(source: ManifestSource): ParsedDocuments {
  const lineCounter = new LineCounter();
  // A BOM is not part of the YAML stream; yaml tolerates it only at the very start, so strip it there.
  const text = source.text.startsWith('\uFEFF') ? source.text.slice(1) : source.text;
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: false });
  const list = Array.isArray(documents) ? documents : [];
  for (const document of list) {
    const error = document.errors[0];
    if (error !== undefined) {
      const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line;
      throw new ManifestError(source.name, line, `YAML syntax error: ${firstLine(error.message)}`);
    }
  }
  return { documents: list, lineCounter };
}

function firstLine(message: string): string {
  // yaml's messages quote the offending source after the first line; it may be a secret.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Every Kubernetes object in a source: multi-document YAML or JSON, with `kind: List` and
 * `*List` kinds flattened into their items. Empty documents are skipped.
 */
export function parseManifests(source: ManifestSource): LoadedManifest[] {
  const { documents, lineCounter } = parseDocuments(source);
  const manifests: LoadedManifest[] = [];
  documents.forEach((document, documentIndex) => {
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) return;
    const startLine = lineCounter.linePos(contents.range[0]).line;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const reason = error instanceof ReferenceError ? 'too many YAML alias expansions (alias bomb?)' : 'cannot convert document';
      throw new ManifestError(source.name, startLine, reason);
    }
    if (!isObject(value)) {
      throw new ManifestError(source.name, startLine, 'document is not a Kubernetes object (expected a mapping)');
    }
    const kind = value['kind'];
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items'])) {
      const items = value['items'];
      items.forEach((item, index) => {
        if (!isObject(item)) {
          throw new ManifestError(source.name, startLine, `items[${index}] of the ${kind} is not an object`);
        }
        const itemNode = document.getIn(['items', index], true) as Node | undefined;
        const line = itemNode?.range ? lineCounter.linePos(itemNode.range[0]).line : startLine;
        manifests.push({ object: item, file: source.name, line, documentIndex, pointerPrefix: `/items/${index}` });
      });
      return;
    }
    manifests.push({ object: value, file: source.name, line: startLine, documentIndex, pointerPrefix: '' });
  });
  return manifests;
}

/**
 * Finds line numbers for JSON pointers in one source, parsing it once on first use. Used only
 * for sources that have findings, so clean files are never kept in memory as ASTs.
 */
export class LineFinder {
  private parsed: ParsedDocuments | undefined;

  constructor(private readonly source: ManifestSource) {}

  /** 1-based line of the deepest existing node along `pointer`, or `fallback`. */
  lineOf(documentIndex: number, pointer: string, fallback: number): number {
    this.parsed ??= parseDocuments(this.source);
    const document = this.parsed.documents[documentIndex];
    if (document === undefined) return fallback;
    let node: unknown = document.contents;
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
    return offset === undefined ? fallback : this.parsed.lineCounter.linePos(offset).line;
  }
}
