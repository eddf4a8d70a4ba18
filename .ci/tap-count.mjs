// Counts leaf assertions in a TAP stream (nested subtests included) and prints `N passed, N failed`.
// A subtest that failed without any failing assertion inside (a crashed test file) counts as one failure.
import { createReadStream } from 'node:fs';
import { Parser } from 'tap-parser';

function track(parser) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let pendingChild;
  parser.on('child', (child) => {
    pendingChild = track(child);
  });
  parser.on('assert', (result) => {
    if (pendingChild !== undefined) {
      const child = pendingChild;
      pendingChild = undefined;
      counts.passed += child.passed;
      counts.skipped += child.skipped;
      counts.failed += child.failed === 0 && !result.ok ? 1 : child.failed;
      return;
    }
    if (result.skip || result.todo) counts.skipped += 1;
    else if (result.ok) counts.passed += 1;
    else counts.failed += 1;
  });
  return counts;
}

const parser = new Parser();
const totals = track(parser);
parser.on('complete', (final) => {
  // A bailed or broken stream with nothing counted must not read as success.
  if (!final.ok && totals.failed === 0) totals.failed = 1;
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
});
createReadStream(process.argv[2] ?? '/dev/stdin').pipe(parser);
