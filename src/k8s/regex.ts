/**
 * Regexes written in objects and configs, run on RE2 (re2js): linear in the subject, never backtracking.
 * Reloader and ESO are Go programs, so RE2 is also their exact syntax and semantics; Reflector's .NET
 * patterns that RE2 cannot compile are reported by the caller as "cannot verify".
 *
 * Work is bounded three ways: a pattern longer than MAX_PATTERN_LENGTH or compiling to more than
 * MAX_PROGRAM_SIZE instructions is refused, a subject longer than MAX_SUBJECT_LENGTH is never tried, and
 * a RegexBudget caps the work (instructions × subject length) one check may spend.
 */
import { RE2JS } from 're2js';

/** Longer than any pattern a real annotation or config needs; re2js compile time grows with length. */
export const MAX_PATTERN_LENGTH = 1024;
/** re2js match time is proportional to program size × subject length. */
export const MAX_PROGRAM_SIZE = 1000;
/** Kubernetes names are at most 253 characters; anything longer is not a name any of these tools would see. */
export const MAX_SUBJECT_LENGTH = 253;
/** Weights in estimateSize that stand for compile time rather than instructions. */
const UNICODE_CLASS_WEIGHT = 40;
const CLASS_WEIGHT = 2;
/** Compiled patterns kept; least recently used first out. */
const CACHE_SIZE = 512;

export type RegexProblem = 'too long' | 'too complex' | 'cannot compile';

export type Compiled = { ok: true; regex: SafeRegex } | { ok: false; problem: RegexProblem };

/**
 * Work allowed to one check, in instructions × subject characters (about 30 ns each on re2js's slowest
 * path, far less on its DFA): the default is about 12 ms in the worst case, a few ms in practice.
 */
export class RegexBudget {
  constructor(private remaining = 400_000) {}

  /** Take `cost` units; false (and nothing taken) when they are not left. */
  spend(cost: number): boolean {
    if (cost > this.remaining) return false;
    this.remaining -= cost;
    return true;
  }
}

/** A compiled pattern. Every match answers undefined when the subject is too long or the budget is spent. */
export class SafeRegex {
  constructor(
    readonly source: string,
    private readonly re: RE2JS,
    private readonly size: number,
  ) {}

  private allowed(subject: string, budget: RegexBudget | undefined): boolean {
    if (subject.length > MAX_SUBJECT_LENGTH) return false;
    return budget === undefined || budget.spend(this.size * (subject.length + 1));
  }

  /** Go's `regexp.MatchString`: a match anywhere in the subject. */
  search(subject: string, budget?: RegexBudget): boolean | undefined {
    if (!this.allowed(subject, budget)) return undefined;
    return this.re.test(subject);
  }

  /**
   * .NET's `Regex.Match(subject).Value.Length == subject.Length` (Reflector's PatternListMatch): the
   * leftmost-first match, which RE2 finds exactly as a backtracking engine does, covers the whole subject.
   */
  firstMatchIsWhole(subject: string, budget?: RegexBudget): boolean | undefined {
    if (!this.allowed(subject, budget)) return undefined;
    const matcher = this.re.matcher(subject);
    return matcher.find() && matcher.start() === 0 && matcher.end() === subject.length;
  }
}

const cache = new Map<string, Compiled>();

/** Units one compile costs: re2js spends about 0.3 ms on any compile, plus about 6 µs per character and instruction. */
function compileCost(source: string, size: number): number {
  return 10_000 + 200 * (source.length + size);
}

/**
 * Compile an RE2 pattern (Go syntax); never throws. Results are cached, failures included. With a budget, a
 * pattern not in the cache is compiled only if its cost is left; otherwise the answer is undefined.
 */
export function compileRegex(source: string): Compiled;
export function compileRegex(source: string, budget: RegexBudget): Compiled | undefined;
export function compileRegex(source: string, budget?: RegexBudget): Compiled | undefined {
  const cached = cache.get(source);
  if (cached !== undefined) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  let result: Compiled;
  if (source.length > MAX_PATTERN_LENGTH) result = { ok: false, problem: 'too long' };
  else {
    const size = estimateSize(source);
    if (size > MAX_PROGRAM_SIZE) result = { ok: false, problem: 'too complex' };
    else if (budget !== undefined && !budget.spend(compileCost(source, size))) return undefined;
    else result = compileUncached(source);
  }
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(source, result);
  return result;
}

/**
 * An upper estimate of the instructions a pattern compiles to, from its counted repeats (`(a{30}){30}` is 900),
 * so that a short pattern that would expand to a huge program is refused before re2js spends time on it.
 */
export function estimateSize(source: string): number {
  const stack: number[] = [0];
  let last = 0;
  let i = 0;
  const add = (weight: number): void => {
    stack[stack.length - 1] = (stack.at(-1) ?? 0) + weight;
    last = weight;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      i += 2;
      if ((next === 'p' || next === 'P' || next === 'x') && source[i] === '{') {
        const close = source.indexOf('}', i);
        i = close === -1 ? source.length : close + 1;
      } else if (next === 'p' || next === 'P') i++;
      // A Unicode class is one instruction but costs re2js as much to compile as dozens.
      add(next === 'p' || next === 'P' ? UNICODE_CLASS_WEIGHT : 1);
    } else if (c === '[') {
      i = classEnd(source, i);
      add(CLASS_WEIGHT);
    } else if (c === '(') {
      stack.push(0);
      i++;
    } else if (c === ')') {
      const inner = stack.length > 1 ? (stack.pop() ?? 0) : 0;
      add(inner + 2);
      i++;
    } else if (c === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (repeat === null) {
        add(1);
        i++;
        continue;
      }
      const min = Number(repeat[1]);
      const max = repeat[3] === undefined || repeat[3] === '' ? min + 1 : Number(repeat[3]);
      const factor = Math.max(min, max, 1);
      stack[stack.length - 1] = (stack.at(-1) ?? 0) + last * (factor - 1);
      last *= factor;
      i += repeat[0].length;
    } else {
      add(1);
      i++;
    }
  }
  return stack.reduce((a, b) => a + b, 0);
}

/** Index just past the character class opening at `start` (`[]a]` and `[^]a]` hold a literal `]`). */
function classEnd(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < source.length && source[i] !== ']') {
    if (source[i] === '\\') i++;
    else if (source.startsWith('[:', i)) {
      const close = source.indexOf(':]', i + 2);
      if (close !== -1) i = close + 1;
    }
    i++;
  }
  return i + 1;
}

function compileUncached(source: string): Compiled {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch {
    return { ok: false, problem: 'cannot compile' };
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) return { ok: false, problem: 'too complex' };
  return { ok: true, regex: new SafeRegex(source, re, size) };
}

/** Why a pattern is refused, for messages (never quotes the pattern). */
export function describeProblem(problem: RegexProblem): string {
  switch (problem) {
    case 'too long':
      return `is longer than ${MAX_PATTERN_LENGTH} characters`;
    case 'too complex':
      return `compiles to more than ${MAX_PROGRAM_SIZE} RE2 instructions`;
    case 'cannot compile':
      return 'is not valid RE2 syntax';
  }
}
