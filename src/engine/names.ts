/** Matches a value against names and anchored regexes (`^…$`) as written in config lists. */
export class NameMatcher {
  private readonly names = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      if (entry.startsWith('^')) this.patterns.push(new RegExp(entry));
      else this.names.add(entry);
    }
  }

  get empty(): boolean {
    return this.names.size === 0 && this.patterns.length === 0;
  }

  matches(value: string): boolean {
    return this.names.has(value) || this.patterns.some((p) => p.test(value));
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
