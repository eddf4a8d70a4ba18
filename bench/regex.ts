// ms per match of object/config regexes, before (JavaScript's backtracking RegExp, as the code ran them until
// issue 15) and after (src/k8s/regex.ts on re2js). Run: node dist/bench/regex.js
// The backtracking side is measured on short subjects only: at 30 characters (a+)+b alone takes ~40 s.
import { compileRegex } from '../src/k8s/regex.js';
import { machine } from './util.js';

interface Case {
  name: string;
  /** As the call site builds it: Reloader `^entry$`, Reflector `^(?:p)$` (before), ESO as written. */
  pattern: string;
  subject: (n: number) => string;
  /** Subject lengths to try on the backtracking engine (it grows exponentially or polynomially). */
  before: number[];
  after: number[];
}

const cases: Case[] = [
  { name: 'Reloader ^(a+)+b$', pattern: '^(a+)+b$', subject: (n) => 'a'.repeat(n), before: [14, 18, 20], after: [30, 63, 253] },
  { name: 'Reloader ^(a|aa)*c$', pattern: '^(a|aa)*c$', subject: (n) => 'a'.repeat(n), before: [18, 22, 24], after: [30, 63, 253] },
  { name: 'Reflector (.*a){12}x', pattern: '^(?:(.*a){12}x)$', subject: (n) => 'a'.repeat(n), before: [16, 20, 24], after: [30, 63, 253] },
  { name: 'ESO ((a*)*)*b', pattern: '((a*)*)*b', subject: (n) => 'a'.repeat(n), before: [10, 12, 14], after: [30, 63, 253] },
  { name: 'tenancy ^team-[a-z0-9]+$ (ordinary)', pattern: '^team-[a-z0-9]+$', subject: (n) => 'team-' + 'a'.repeat(Math.max(0, n - 5)), before: [30, 63, 253], after: [30, 63, 253] },
];

function timeIt(run: () => unknown, minMs = 50, maxRuns = 10_000): number {
  const start = performance.now();
  let runs = 0;
  while (runs < maxRuns && (runs === 0 || performance.now() - start < minMs)) {
    run();
    runs++;
  }
  return (performance.now() - start) / runs;
}

const rows: string[] = [];
for (const c of cases) {
  const js = new RegExp(c.pattern);
  for (const n of c.before) {
    const s = c.subject(n);
    rows.push(`${c.name.padEnd(38)} before  n=${String(n).padStart(3)}  ${timeIt(() => js.test(s), 20, 3).toFixed(3).padStart(10)} ms/match`);
  }
  const compiled = compileRegex(c.pattern);
  if (!compiled.ok) throw new Error(`${c.name} does not compile on RE2`);
  for (const n of c.after) {
    const s = c.subject(n);
    rows.push(`${c.name.padEnd(38)} after   n=${String(n).padStart(3)}  ${timeIt(() => compiled.regex.search(s)).toFixed(3).padStart(10)} ms/match`);
  }
}
const compileMs = timeIt(() => compileRegex(`^team-${Math.random()}-[a-z0-9]+$`), 50, 200);
console.log(JSON.stringify(machine()));
for (const row of rows) console.log(row);
console.log(`compile (uncached, small pattern)  ${compileMs.toFixed(3)} ms`);
