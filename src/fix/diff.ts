/** A small unified diff (`diff -u` format) for `scan --fix --dry-run`; manifests are small and fixes local. */

type Edit = { kind: ' ' | '-' | '+'; line: string };

/** Largest middle section (old lines × new lines) diffed exactly; beyond it the middle is one replacement. */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = a.slice(0, start).map((line) => ({ kind: ' ', line }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    edits.push(...midA.map((line): Edit => ({ kind: '-', line })), ...midB.map((line): Edit => ({ kind: '+', line })));
  } else {
    // lcs[i][j]: longest common subsequence of midA[i..] and midB[j..]
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
      const row = lcs[i] as number[];
      const below = lcs[i + 1] as number[];
      for (let j = m - 1; j >= 0; j--) {
        row[j] = midA[i] === midB[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        edits.push({ kind: ' ', line: midA[i] as string });
        i++;
        j++;
      } else if (i < n && (j === m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
        edits.push({ kind: '-', line: midA[i] as string });
        i++;
      } else {
        edits.push({ kind: '+', line: midB[j] as string });
        j++;
      }
    }
  }
  edits.push(...a.slice(endA).map((line): Edit => ({ kind: ' ', line })));
  return edits;
}

function range(start: number, count: number): string {
  // diff -u writes an empty range as the line before it.
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/** Unified diff of two texts, or '' when they are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const edits = lineEdits(splitLines(oldText), splitLines(newText));
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  let hunkStart = 0;
  while (hunkStart < changed.length) {
    let hunkEnd = hunkStart;
    while (hunkEnd + 1 < changed.length && (changed[hunkEnd + 1] as number) - (changed[hunkEnd] as number) <= 2 * context) hunkEnd++;
    const from = Math.max(0, (changed[hunkStart] as number) - context);
    const to = Math.min(edits.length, (changed[hunkEnd] as number) + context + 1);
    let oldLine = 1;
    let newLine = 1;
    for (const edit of edits.slice(0, from)) {
      if (edit.kind !== '+') oldLine++;
      if (edit.kind !== '-') newLine++;
    }
    const body = edits.slice(from, to);
    const oldCount = body.filter((e) => e.kind !== '+').length;
    const newCount = body.filter((e) => e.kind !== '-').length;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body.map((e) => e.kind + e.line));
    hunkStart = hunkEnd + 1;
  }
  return out.join('\n') + '\n';
}
