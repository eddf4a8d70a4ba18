// Overload bench (issue 12; not in CI): `secretguard serve` in a child process, saturation measured
// closed-loop, then an open-loop run at N times that rate; reports answers, shed answers, lost
// requests (resets, timeouts, non-200), latency percentiles, and RSS before and after.
//   node dist/bench/overload.js [factor=3] [seconds=10]
import { getText, heavyReview, metric, openLoop, percentile, saturation, startServeChild } from '../test/faults/load.js';

const factor = Number(process.argv[2] ?? '3');
const seconds = Number(process.argv[3] ?? '10');
const server = await startServeChild();
const body = (i: number): string => heavyReview(`load-${i}`);
try {
  await saturation(server.port, server.ca, body, 8, 2_000);
  const rss = async (): Promise<number> => (metric((await getText(server.metricsPort, '/metrics')).body, 'secretguard_process_resident_memory_bytes') ?? 0) / 2 ** 20;
  const rssBaseline = await rss();
  const rate = await saturation(server.port, server.ca, body, 16, 5_000);
  const offered = Math.ceil(rate * factor);
  const load = await openLoop(server.port, server.ca, body, offered, seconds * 1000, 1024);
  let shed = 0;
  let lost = 0;
  for (const answer of load.answers) {
    if (answer.status !== 200) lost++;
    else if (answer.body.includes('overloaded')) shed++;
  }
  const ms = load.answers.map((a) => a.ms);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const after = await openLoop(server.port, server.ca, body, Math.max(1, Math.floor(rate / 4)), 3_000);
  console.log(
    JSON.stringify(
      {
        saturationPerSecond: Math.round(rate),
        offeredPerSecond: offered,
        seconds,
        sent: load.sent,
        shed,
        lost,
        latencyMs: { p50: Math.round(percentile(ms, 50)), p99: Math.round(percentile(ms, 99)), max: Math.round(percentile(ms, 100)) },
        recovery: { sent: after.sent, shed: after.answers.filter((a) => a.body.includes('overloaded')).length, lost: after.answers.filter((a) => a.status !== 200).length, p99: Math.round(percentile(after.answers.map((a) => a.ms), 99)) },
        rssMiB: { baseline: Math.round(rssBaseline), after: Math.round(await rss()) },
      },
      null,
      2,
    ),
  );
} finally {
  server.child.kill('SIGTERM');
}
