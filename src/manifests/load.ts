import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import ignoreModule, { type Ignore } from 'ignore';
import jsYaml from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { yamlLib } from '../k8s/yaml-lib.js';
import { isObject, parsePointer, type JsonObject } from '../k8s/json.js';
import { KUSTOMIZATION_FILE_NAMES } from '../k8s/kustomize.js';

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
  /**
   * Set for `helm template` output (standard input): a document's `# Source: chart/templates/x.yaml` comment
   * names the file its findings point at, with this prefix in front.
   */
  sourceCommentPrefix?: string;
}

// `ignore` is CommonJS: under NodeNext its default import is module.exports, whose .default is the factory.
const ignore = ignoreModule.default;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Alias expansions allowed per document: a billion-laughs bomb is refused, real manifests never come close. */
const MAX_ALIAS_COUNT = 1000;

/** A file, directory or document recognised as not a Kubernetes manifest (line 0: a whole file or directory). */
export interface SkippedInput {
  file: string;
  line: number;
  reason: SkipReason;
}

export interface CollectedInputs {
  /** Files to scan, sorted for stable output. */
  files: string[];
  skipped: SkippedInput[];
}

/** Helm values files: `values.yaml`, `values-prod.yaml`, `values.prod.yml`. */
const VALUES_FILE = /^values(?:[-._][^/]*)?\.ya?ml$/i;

/** The ignore file read at the root of each directory scanned, in gitignore syntax. */
export const IGNORE_FILE = '.secretguardignore';

export interface CollectOptions {
  /** gitignore-syntax patterns (`--exclude`), matched relative to each directory scanned (files: the working directory). */
  exclude?: readonly string[];
}

/**
 * Every manifest file under the given paths, directories recursively. Inside directories, Helm charts
 * (`Chart.yaml` next to `templates/`) and values files are recognised and skipped, as are paths matched by
 * `exclude` or the directory's `.secretguardignore`; a file named on the command line is read unless
 * `exclude` matches it. Throws ManifestError (line 0) for a path that does not exist.
 */
export function collectInputs(paths: readonly string[], options: CollectOptions = {}): CollectedInputs {
  const result: CollectedInputs = { files: [], skipped: [] };
  const exclude = options.exclude ?? [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      throw new ManifestError(path, 0, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (stats.isDirectory()) {
      const rules = ignore().add([...exclude]);
      const ignoreFile = join(path, IGNORE_FILE);
      let text: string | undefined;
      try {
        text = readFileSync(ignoreFile, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ManifestError(ignoreFile, 0, `cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (text !== undefined) rules.add(text);
      walk(path, path, rules, result);
      continue;
    }
    const fromCwd = relative(process.cwd(), path);
    // ignore() takes only paths inside the root; a file elsewhere is matched by its own name.
    const candidate = fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path.split(sep).pop() ?? path : fromCwd;
    if (exclude.length > 0 && ignore().add([...exclude]).ignores(candidate.split(sep).join('/'))) {
      result.skipped.push({ file: path, line: 0, reason: 'excluded' });
    } else result.files.push(path);
  }
  return result;
}

/** The files collectInputs would scan. */
export function collectFiles(paths: readonly string[]): string[] {
  return collectInputs(paths).files;
}

function walk(root: string, directory: string, rules: Ignore, result: CollectedInputs): void {
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml') && entries.some((e) => e.isDirectory() && e.name === 'templates')) {
    result.skipped.push({ file: directory, line: 0, reason: 'helm-chart' });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    const isDirectory = entry.isDirectory();
    if (!isDirectory && !(entry.isFile() && (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase()) || KUSTOMIZATION_FILE_NAMES.has(entry.name)))) continue;
    if (rules.ignores(relative(root, path).split(sep).join('/') + (isDirectory ? '/' : ''))) {
      result.skipped.push({ file: path, line: 0, reason: 'excluded' });
    } else if (isDirectory) walk(root, path, rules, result);
    else if (VALUES_FILE.test(entry.name)) result.skipped.push({ file: path, line: 0, reason: 'values' });
    else result.files.push(path);
  }
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
    // `%YAML` and `%TAG` directives belong to the document that the next marker opens.
    if (DIRECTIVES_ONLY.test(slice)) continue;
    slices.push({ text: slice, firstLine: line });
    line += countLines(slice);
    start = match.index;
  }
  slices.push({ text: body.slice(start), firstLine: line });
  return slices;
}

/** Lines that are directives, comments or blank, with at least one directive. */
const DIRECTIVES_ONLY = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*%[^\n]*(?:\r?\n(?:[ \t]*(?:#[^\n]*)?|%[^\n]*))*\r?\n?$/;

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * The lines of a slice's head, trimmed, with their index: blank lines, comments, directives and a bare marker,
 * up to the first content line (not yielded). Line by line without splitting the whole text: a document of
 * several MB has its content on an early line.
 */
export function* headLines(slice: DocumentSlice): Generator<{ line: string; index: number }, number | undefined> {
  const text = slice.text;
  for (let start = 0, index = 0; start < text.length; index++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    if (!(line === '' || line.startsWith('#') || line.startsWith('%') || /^(?:---|\.\.\.)(?:\s+#.*)?$/.test(line))) return index;
    yield { line, index };
    if (end === -1) break;
    start = end + 1;
  }
  return undefined;
}

/** Line of the first content in a slice: past blank lines, comments, directives and a bare marker. */
export function contentLine(slice: DocumentSlice): number {
  const head = headLines(slice);
  let step = head.next();
  while (step.done !== true) step = head.next();
  return slice.firstLine + (step.value ?? 0);
}

/** What `run` returns, or undefined when the input cannot be read or parsed (ManifestError); other errors propagate. */
export function unlessUnreadable<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch (error) {
    if (error instanceof ManifestError) return undefined;
    throw error;
  }
}

/**
 * YAML 1.2 core types (as the `yaml` package and kubectl's sigs.k8s.io/yaml read them: no timestamps turned into
 * Dates) plus `<<` merge keys, which go-yaml resolves for kubectl and kustomize: a credential merged into
 * `stringData` must be seen.
 */
const MANIFEST_SCHEMA = jsYaml.CORE_SCHEMA.extend({
  // js-yaml merges a key whose tag resolves to tag:yaml.org,2002:merge; this is its own merge type, which its typings do not export.
  implicit: [new jsYaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' })],
});

/** Text that may be an anchor or alias; most hits are shell (`a && b`) or globs inside strings. */
const ALIAS_SYNTAX = /(?:^|[\s[{,:-])[*&][^\s,[\]{}]/m;

/**
 * Whether the document really holds an anchor or an alias, by its tokens: `&&` or `*` inside a quoted or
 * block scalar is text. Only such documents need the guarded parser, which is also stricter than go-yaml
 * about the indentation of multi-line quoted strings (valid Argo Workflows manifests would fail).
 */
function hasAnchorOrAlias(text: string): boolean {
  const { CST, Lexer } = yamlLib();
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'anchor' || type === 'alias') return true;
  }
  return false;
}

/**
 * Decode one document: js-yaml (fast) normally, the `yaml` package (alias-bomb guard) when aliases appear.
 * A key given twice is refused, as sigs.k8s.io/yaml's YAMLToJSONStrict does: kubectl's lenient YAMLToJSON keeps
 * the last value, which would hide an earlier one (a secret still in git) from every rule.
 */
function decodeSlice(slice: DocumentSlice, file: string): unknown {
  const json = decodeJsonSlice(slice.text);
  if (json !== NOT_JSON) return json;
  if (ALIAS_SYNTAX.test(slice.text) && hasAnchorOrAlias(slice.text)) {
    const { parseDocument, LineCounter } = yamlLib();
    const document = parseDocument(slice.text, { prettyErrors: false, uniqueKeys: true, merge: true, lineCounter: new LineCounter() });
    const error = document.errors[0];
    if (error !== undefined) {
      // At the end of the stream the position is past the last line: name the line the unclosed node ends on.
      const offset = Math.min(error.pos[0], Math.max(slice.text.trimEnd().length - 1, 0));
      throw new ManifestError(file, slice.firstLine + lineIn(slice.text, offset) - 1, `YAML syntax error: ${yamlCodeReason(error.code)}`);
    }
    try {
      return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const alias = unresolvedAliasOffset(document);
      const line = alias === undefined ? contentLine(slice) : slice.firstLine + lineIn(slice.text, alias) - 1;
      throw new ManifestError(file, line, conversionReason(error));
    }
  }
  try {
    // CORE_SCHEMA: YAML 1.2 core types, as the `yaml` package reads them; no timestamps turned into Dates.
    return jsYaml.load(slice.text, { schema: MANIFEST_SCHEMA, filename: file });
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      // Some errors (a second document after `...` with no marker) carry no mark despite the types.
      const mark = error.mark as { line: number; position: number } | undefined;
      const line = mark === undefined ? contentLine(slice) : slice.firstLine + lineIn(slice.text, errorOffset(slice.text, error.reason, mark.position)) - 1;
      throw new ManifestError(file, line, `YAML syntax error: ${jsYamlReason(error.reason)}`);
    }
    throw error;
  }
}

const NOT_JSON = Symbol('not JSON');
const JSON_START = /^\s*[{[]/;

/**
 * A document written as JSON (a `.json` file, `kubectl get -o json`, generated CRDs of several MB), decoded with
 * JSON.parse, ten times faster than a YAML parser: JSON is YAML 1.2, and JSON.parse gives the same value. Text
 * that JSON.parse refuses, or that gives a key twice in one object (JSON.parse would keep the last), goes to the
 * YAML path, which reads flow YAML and reports the error or the duplicate with its line.
 */
function decodeJsonSlice(text: string): unknown {
  if (!JSON_START.test(text)) return NOT_JSON;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  return hasDuplicateKey(text) ? NOT_JSON : value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** Whether an object in valid JSON text gives a key twice (after escapes: `"a"` and `"\u0061"` are one key). */
export function hasDuplicateKey(text: string): boolean {
  // One entry per open container: the keys seen so far in an object, undefined for an array.
  const open: (Set<string> | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) open.push(new Set());
    else if (c === 0x5b /* [ */) open.push(undefined);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop();
    else if (c === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) {
          escaped = true;
          i++;
        } else if (d === QUOTE) break;
      }
      const keys = open[open.length - 1];
      if (keys === undefined) continue;
      let next = i + 1;
      while (next < text.length && (text.charCodeAt(next) <= 0x20)) next++;
      if (text.charCodeAt(next) !== COLON) continue;
      const raw = text.slice(start + 1, i);
      const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
      if (keys.has(key)) return true;
      keys.add(key);
    }
  }
  return false;
}

/**
 * js-yaml's reason without the parts it copies from the input (`unknown tag !<…>`, `unidentified alias "…"`,
 * `tag name is malformed: …`): a tag, an alias or a handle can hold a secret.
 */
export function jsYamlReason(reason: string): string {
  const cut = reason.search(/!<|"|'|: /);
  const head = (cut === -1 ? reason : reason.slice(0, cut)).trim().replace(/\s+(?:for|with|of)$/, '');
  return head === '' ? 'invalid YAML' : head;
}

/** The `yaml` package's error code in words (`BAD_INDENT` → `bad indent`): its messages quote the source. */
export function yamlCodeReason(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** Where the first alias without an anchor before it stands, as an offset into the document's text. */
function unresolvedAliasOffset(document: Document.Parsed): number | undefined {
  let offset: number | undefined;
  const { visit } = yamlLib();
  visit(document, {
    Alias(_key, node) {
      if (node.resolve(document) !== undefined) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/** Why toJS failed: an unresolved alias or the alias-expansion guard; never the message, which names the alias. */
function conversionReason(error: unknown): string {
  if (error instanceof ReferenceError) {
    return /excessive alias count/i.test(error.message) ? 'too many YAML alias expansions (alias bomb?)' : 'unresolved YAML alias';
  }
  if (error instanceof Error && /merge/i.test(error.message)) return 'YAML merge key needs a mapping or a sequence of mappings';
  return 'cannot convert document';
}

/**
 * js-yaml judges a node's tag only after reading the whole node, so its mark stands past the node (on the next
 * line, or past a whole mapping). The tag itself is in the reason: find where it was written before the mark.
 */
function errorOffset(text: string, reason: string, position: number): number {
  const tag = tagOffset(text, reason, position);
  if (tag !== undefined) return tag;
  // At the end of the stream the mark is past the last line: name the line the unclosed scalar or collection ends on.
  if (reason.startsWith('unexpected end of the')) return text.slice(0, position).trimEnd().length - 1;
  return position;
}

function tagOffset(text: string, reason: string, position: number): number | undefined {
  const start = reason.indexOf('!<');
  const end = reason.indexOf('>', start + 2);
  if (start === -1 || end === -1) return undefined;
  const tag = reason.slice(start + 2, end);
  const offset = tag === '' || tag === '?' ? -1 : text.lastIndexOf(tag, position);
  return offset === -1 ? undefined : offset;
}

function lineIn(text: string, offset: number): number {
  return countLines(text.slice(0, offset)) + 1;
}

/** Why a file or document was recognised as something other than a Kubernetes manifest and skipped. */
export type SkipReason = 'helm-chart' | 'values' | 'json6902-patch' | 'json-data' | 'go-template' | 'no-kind' | 'config' | 'excluded';

/** What one document slice holds: Kubernetes objects, or something recognised as not a manifest. */
export type SliceContent = { manifests: LoadedManifest[] } | { skip: Extract<SkipReason, 'json6902-patch' | 'json-data' | 'go-template'> };

/** A Go template action where YAML expects a value or an entry: `key: {{ … }}`, `- {{ … }}`, `{{- if … }}`. */
const GO_TEMPLATE_LINE = /^[ \t]*(?:- |[^\s#'"][^:#'"\n]*:[ \t]+)?\{\{/m;
const TEMPLATE_ACTION = /\{\{[^\n]*\}\}/;

/** js-yaml names a mapping key that is itself a collection `[object Object]`: only template braces give one. */
function hasCollectionKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasCollectionKey);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([key, item]) => key === '[object Object]' || hasCollectionKey(item));
}

const PATCH_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function isPatchOperation(item: unknown): boolean {
  return isObject(item) && typeof item['op'] === 'string' && PATCH_OPS.has(item['op']) && typeof item['path'] === 'string';
}

/**
 * The Kubernetes objects of one document slice: the document itself, or the items of a `kind: List` or any
 * `*List` kind; an empty document gives none. JSON6902 patch arrays, JSON data files and Go templates (parsed
 * or not) are recognised and named instead. Throws ManifestError for anything else that is not an object.
 */
export function readSlice(slice: DocumentSlice, documentIndex: number, file: string): SliceContent {
  let value: unknown;
  try {
    value = decodeSlice(slice, file);
  } catch (error) {
    if (error instanceof ManifestError && GO_TEMPLATE_LINE.test(slice.text)) return { skip: 'go-template' };
    throw error;
  }
  if (value === null || value === undefined) return { manifests: [] };
  if (TEMPLATE_ACTION.test(slice.text) && hasCollectionKey(value)) return { skip: 'go-template' };
  if (Array.isArray(value) && value.length > 0 && value.every(isPatchOperation)) return { skip: 'json6902-patch' };
  const json = extname(file).toLowerCase() === '.json';
  const line = contentLine(slice);
  if (!isObject(value)) {
    if (json) return { skip: 'json-data' };
    throw new ManifestError(file, line, 'document is not a Kubernetes object (expected a mapping)');
  }
  if (json && value['apiVersion'] === undefined && value['kind'] === undefined) return { skip: 'json-data' };
  const kind = value['kind'];
  const items = value['items'];
  if (!(typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items))) {
    return { manifests: [{ object: value, file, line, documentIndex, pointerPrefix: '' }] };
  }
  const lines = new SliceLineFinder(slice);
  return {
    manifests: items.map((item, index) => {
      if (!isObject(item)) throw new ManifestError(file, line, `items[${index}] of the ${kind} is not an object`);
      return { object: item, file, line: lines.lineOf(`/items/${index}`, line), documentIndex, pointerPrefix: `/items/${index}` };
    }),
  };
}

/** The Kubernetes objects of one document slice; a document recognised as not a manifest gives none. */
export function manifestsInSlice(slice: DocumentSlice, documentIndex: number, file: string): LoadedManifest[] {
  const content = readSlice(slice, documentIndex, file);
  return 'skip' in content ? [] : content.manifests;
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
      const { parseDocument, LineCounter } = yamlLib();
      const lineCounter = new LineCounter();
      this.parsed = { document: parseDocument(this.slice.text, { prettyErrors: false, merge: true, lineCounter }), lineCounter };
    }
    const { isMap, isPair, isScalar, isSeq } = yamlLib();
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
