import { headLines, type DocumentSlice } from './load.js';

/** `# secretguard:ignore <rule-id>[, <rule-id>…] -- <reason>`: one whole-line comment in a YAML document. */
export interface InlineSuppression {
  /** The ids as written; a token that is not shaped like a rule id is kept out and counted in `malformed`. */
  ruleIds: string[];
  malformed: number;
  /** After ` -- `, trimmed; '' when missing. */
  reason: string;
  /** 1-based line of the comment in the whole source. */
  line: number;
}

export const SUPPRESSION_MARKER = 'secretguard:ignore';
const SUPPRESSION_LINE = /^[ \t]*#[ \t]*secretguard:ignore(?:[ \t]+([^\n]*))?$/;
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The suppression comments of one document. Only whole-line comments count: a `#` after a value may sit inside
 * a quoted string, and a comment is a statement about the object, not about one value.
 */
export function inlineSuppressions(slice: DocumentSlice): InlineSuppression[] {
  if (!slice.text.includes(SUPPRESSION_MARKER)) return [];
  const found: InlineSuppression[] = [];
  slice.text.split('\n').forEach((raw, index) => {
    const match = SUPPRESSION_LINE.exec(raw.replace(/\r$/, ''));
    if (match === null) return;
    const body = match[1] ?? '';
    const separator = body.indexOf('--');
    const ids = (separator === -1 ? body : body.slice(0, separator)).split(/[\s,]+/).filter((token) => token !== '');
    found.push({
      ruleIds: [...new Set(ids.filter((token) => RULE_ID.test(token)))],
      malformed: ids.filter((token) => !RULE_ID.test(token)).length,
      reason: separator === -1 ? '' : body.slice(separator + 2).trim(),
      line: slice.firstLine + index,
    });
  });
  return found;
}

/** helm template's `# Source: chart/templates/x.yaml`, before the document's content. */
const SOURCE_COMMENT = /^#[ \t]*Source:[ \t]+([^\s]+)[ \t]*$/;

/**
 * Where a document of `helm template` output was rendered from: the template path of its `# Source:` comment
 * (with `prefix` in front, so that it names the file in the repository), and the slice renumbered so that the
 * line after the comment is line 1, as the template's first line is (the comment itself becomes line 0). Undefined without such a comment.
 */
export function renderedFrom(slice: DocumentSlice, prefix: string): { file: string; slice: DocumentSlice } | undefined {
  for (const { line, index } of headLines(slice)) {
    const source = SOURCE_COMMENT.exec(line)?.[1];
    if (source !== undefined && !source.includes('://')) return { file: prefix + source, slice: { text: slice.text, firstLine: -index } };
  }
  return undefined;
}
