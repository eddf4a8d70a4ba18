// Loaded with `node --import` into a timed child: writes the process's peak RSS (bytes) to the file
// named by SECRETGUARD_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env['SECRETGUARD_BENCH_RSS_FILE'];
if (file !== undefined) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}
