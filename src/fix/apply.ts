/**
 * `secretguard scan --fix`: run every enabled mutator on the objects of manifest files and write the
 * patches back into the files. YAML is edited through the yaml package's Document API, so comments, key
 * order and the formatting of untouched parts survive; JSON files are rewritten with their indentation.
 */
import jsonpatch from 'fast-json-patch';
import { isMap, isScalar, isSeq, parseAllDocuments, type Document } from 'yaml';
import type { ClusterView } from '../cluster/view.js';
import { resourceOf, type Engine } from '../engine/engine.js';
import type { PatchOperation } from '../engine/types.js';
import { isObject, parsePointer } from '../k8s/json.js';
import type { ResourceRef } from '../k8s/object.js';
import { ManifestError, parseManifests, type LoadedManifest, type ManifestSource } from '../manifests/load.js';
import { manifestSubject } from '../engine/subject.js';

export interface FixChange {
  resource: ResourceRef;
  file: string;
  line: number;
  notes: string[];
}

export interface FileFix {
  file: string;
  before: string;
  after: string;
  changes: FixChange[];
}

export interface FixOptions {
  sources: readonly ManifestSource[];
  /** The scan's own view (pass one of manifests/scan.ts), so that the fixer and the scan judge alike. */
  view: ClusterView;
  defaultNamespace: string;
}

/** Apply one JSON Patch operation to a YAML document, editing scalars in place so their comments stay. */
function applyToDocument(document: Document, path: readonly string[], operation: PatchOperation): void {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  if (last === undefined) throw new Error('patching the document root is not supported');
  const parent = parentPath.length === 0 ? document.contents : document.getIn(parentPath, true);
  if (operation.op === 'remove') {
    document.deleteIn(path);
    return;
  }
  if (isSeq(parent) && operation.op === 'add') {
    const index = last === '-' ? parent.items.length : Number(last);
    parent.items.splice(index, 0, document.createNode(operation.value));
    return;
  }
  const existing: unknown = isMap(parent) || isSeq(parent) ? parent.get(isSeq(parent) ? Number(last) : last, true) : undefined;
  const value = operation.value;
  if (isScalar(existing) && (value === null || typeof value !== 'object')) {
    existing.value = value;
    return;
  }
  document.setIn(path, document.createNode(value));
}

/** Render with the sequence indentation that changes the fewest lines of the original. */
function render(documents: readonly Document[], original: string): string {
  const candidates = [true, false].map((indentSeq) =>
    documents.map((document) => document.toString({ lineWidth: 0, indentSeq })).join(''),
  );
  const originalLines = new Set(original.split('\n'));
  const score = (text: string): number => text.split('\n').filter((line) => !originalLines.has(line)).length;
  let best = candidates[0] ?? '';
  for (const candidate of candidates) if (score(candidate) < score(best)) best = candidate;
  if (original.includes('\r\n')) best = best.replaceAll('\n', '\r\n');
  if (!original.endsWith('\n') && best.endsWith('\n')) best = best.replace(/\r?\n$/, '');
  return best;
}

function fixJson(source: ManifestSource, patches: ManifestPatch[]): string {
  let value: unknown = JSON.parse(source.text.replace(/^\uFEFF/, ''));
  for (const { manifest, patch } of patches) {
    const prefixed = patch.map((op) => ({ ...op, path: manifest.pointerPrefix + op.path }));
    value = jsonpatch.applyPatch(value, prefixed, true, false).newDocument;
  }
  const indent = /^[ \t]+(?=")/m.exec(source.text)?.[0] ?? '  ';
  const text = JSON.stringify(value, null, indent);
  return source.text.endsWith('\n') ? text + '\n' : text;
}

/** Every change the enabled mutators make to the sources, one entry per changed file. Nothing is written here. */
export function fixManifests(engine: Engine, options: FixOptions): FileFix[] {
  const { view } = options;
  const parsed = options.sources.map((source) => ({ source, manifests: parseManifests(source) }));

  const fixes: FileFix[] = [];
  for (const { source, manifests } of parsed) {
    const changes: FixChange[] = [];
    const patches: ManifestPatch[] = [];
    for (const manifest of manifests) {
      const subject = manifestSubject(manifest.object, manifest.file, manifest.line, options.defaultNamespace);
      if (subject === undefined) continue;
      const { patch, notes } = engine.mutate(subject, view);
      if (patch.length === 0) continue;
      patches.push({ manifest, patch });
      changes.push({ resource: resourceOf(subject), file: source.name, line: manifest.line, notes });
    }
    if (patches.length === 0) continue;
    const after = source.name.toLowerCase().endsWith('.json') ? fixJson(source, patches) : fixYaml(source, patches);
    if (after !== source.text) fixes.push({ file: source.name, before: source.text, after, changes });
  }
  return fixes;
}

interface TextEdit {
  offset: number;
  remove: number;
  insert: string;
}

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./,@-]*$/;
const PLAIN_AMBIGUOUS = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?[0-9][0-9_.,eE+-]*|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i;

function renderString(value: string, quote: 'plain' | 'single' | 'double' = 'plain'): string {
  if (quote === 'single') return `'${value.replaceAll("'", "''")}'`;
  if (quote === 'plain' && PLAIN_SAFE.test(value) && !PLAIN_AMBIGUOUS.test(value)) return value;
  return JSON.stringify(value);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * The smallest text edit for one operation of the shapes mutators produce (a string value under a block
 * map, or a new block map of strings), or undefined when only a full re-render can express it.
 */
function textEdit(document: Document, text: string, path: readonly string[], operation: PatchOperation, eol: string): TextEdit | undefined {
  if (operation.op === 'remove') return undefined;
  const key = path[path.length - 1];
  const parent = document.getIn(path.slice(0, -1), true);
  if (key === undefined || !isMap(parent) || parent.flow === true || parent.items.length === 0 || parent.range == null) return undefined;
  const value = operation.value;
  const existing = parent.get(key, true);
  if (existing !== undefined) {
    if (typeof value !== 'string' || !isScalar(existing) || existing.range == null) return undefined;
    const quote = existing.type === 'QUOTE_SINGLE' ? 'single' : existing.type === 'QUOTE_DOUBLE' ? 'double' : existing.type === 'PLAIN' ? 'plain' : undefined;
    if (quote === undefined) return undefined;
    return { offset: existing.range[0], remove: existing.range[1] - existing.range[0], insert: renderString(value, quote) };
  }
  const firstKey = parent.items[0]?.key;
  if (!isScalar(firstKey) || firstKey.range == null) return undefined;
  const column = firstKey.range[0] - lineStart(text, firstKey.range[0]);
  if (text.slice(lineStart(text, firstKey.range[0]), firstKey.range[0]).trim() !== '') return undefined;
  const indent = ' '.repeat(column);
  let lines: string[];
  if (typeof value === 'string') lines = [`${indent}${renderString(key)}: ${renderString(value)}`];
  else if (isObject(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string')) {
    lines = [`${indent}${renderString(key)}:`, ...Object.entries(value).map(([k, v]) => `${indent}  ${renderString(k)}: ${renderString(v as string)}`)];
  } else return undefined;
  const offset = nextLineStart(text, parent.range[1] === 0 ? 0 : parent.range[1] - 1);
  const needsNewline = offset === text.length && !text.endsWith('\n');
  return { offset, remove: 0, insert: (needsNewline ? eol : '') + lines.map((line) => line + eol).join('') };
}

type ManifestPatch = { manifest: LoadedManifest; patch: PatchOperation[] };

function parseYaml(text: string): Document.Parsed[] {
  const documents = parseAllDocuments(text, { uniqueKeys: true, strict: false });
  return Array.isArray(documents) ? documents : [];
}

/** True when every patched object of the new text is exactly what JSON Patch makes of the original object. */
function matchesPatches(text: string, patches: readonly ManifestPatch[]): boolean {
  const documents = parseYaml(text);
  return patches.every(({ manifest, patch }) => {
    const document = documents[manifest.documentIndex];
    if (document === undefined || document.errors.length > 0) return false;
    const expected = jsonpatch.applyPatch(structuredClone(manifest.object), patch, true, false).newDocument;
    const root: unknown = document.toJS();
    const actual: unknown = manifest.pointerPrefix === '' ? root : jsonpatch.getValueByPointer(root, manifest.pointerPrefix);
    return JSON.stringify(actual) === JSON.stringify(expected);
  });
}

/** Splice minimal text edits in; undefined when some operation needs a full re-render. */
function spliceYaml(text: string, patches: readonly ManifestPatch[]): string | undefined {
  const documents = parseYaml(text);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits: TextEdit[] = [];
  for (const { manifest, patch } of patches) {
    const document = documents[manifest.documentIndex];
    // One operation per object: later operations would have to see the effect of earlier ones.
    if (document === undefined || patch.length !== 1 || patch[0] === undefined) return undefined;
    const edit = textEdit(document, text, parsePointer(manifest.pointerPrefix + patch[0].path), patch[0], eol);
    if (edit === undefined) return undefined;
    edits.push(edit);
  }
  let result = text;
  for (const edit of edits.sort((a, b) => b.offset - a.offset)) {
    result = result.slice(0, edit.offset) + edit.insert + result.slice(edit.offset + edit.remove);
  }
  return result;
}

/** Re-render the documents after applying the patches with the Document API (the general fallback). */
function renderYaml(text: string, patches: readonly ManifestPatch[]): string {
  const documents = parseYaml(text);
  for (const { manifest, patch } of patches) {
    const document = documents[manifest.documentIndex];
    if (document === undefined) throw new Error('document index out of range');
    for (const operation of patch) applyToDocument(document, parsePointer(manifest.pointerPrefix + operation.path), operation);
  }
  return render(documents, text);
}

/**
 * YAML: minimal text edits located through the Document API (every other byte of the file stays as it
 * was), or a Document re-render for operations of other shapes. Either result is re-parsed and must
 * equal the JSON Patch result, or the file is not touched.
 */
function fixYaml(source: ManifestSource, patches: ManifestPatch[]): string {
  const bom = source.text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = source.text.slice(bom.length);
  const spliced = spliceYaml(text, patches);
  if (spliced !== undefined && matchesPatches(spliced, patches)) return bom + spliced;
  const rendered = renderYaml(text, patches);
  if (matchesPatches(rendered, patches)) return bom + rendered;
  const first = patches[0]?.manifest.line ?? 0;
  throw new ManifestError(source.name, first, 'internal error: the YAML edit does not match the patch; file left unchanged');
}
