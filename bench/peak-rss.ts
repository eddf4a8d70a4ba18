// Loaded with `node --import` into a timed child: writes the process's peak RSS (bytes) and CPU time
// (ms, user + system) as JSON to the file named by SECRETGUARD_BENCH_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env['SECRETGUARD_BENCH_RSS_FILE'];
if (file !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRss: usage.maxRSS * 1024, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
