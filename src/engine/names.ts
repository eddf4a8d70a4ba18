import { compileRegex, type SafeRegex } from '../k8s/regex.js';

/**
 * Matches a value against names and anchored regexes (`^…$`) as written in config lists. Regexes run on RE2
 * (`config validate` refuses one that does not compile there, so a refused one here matches nothing).
 */
export class NameMatcher {
  private readonly names = new Set<string>();
  private readonly patterns: SafeRegex[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      if (!entry.startsWith('^')) {
        this.names.add(entry);
        continue;
      }
      const compiled = compileRegex(entry);
      if (compiled.ok) this.patterns.push(compiled.regex);
    }
  }

  get empty(): boolean {
    return this.names.size === 0 && this.patterns.length === 0;
  }

  matches(value: string): boolean {
    return this.names.has(value) || this.patterns.some((p) => p.search(value) === true);
  }
}

/** Cache of matchers per config list, so a request never compiles a regex. */
const matchers = new WeakMap<readonly string[], NameMatcher>();

export function nameMatcher(entries: readonly string[]): NameMatcher {
  let matcher = matchers.get(entries);
  if (matcher === undefined) {
    matcher = new NameMatcher(entries);
    matchers.set(entries, matcher);
  }
  return matcher;
}
