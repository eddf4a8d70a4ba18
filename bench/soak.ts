// Soak bench (issue 12; not in CI): `secretguard serve` in a child process at a fixed open-loop rate
// for a while, sampling RSS every 30 s; reports lost requests and RSS growth.
//   node dist/bench/soak.js [rate=1000] [minutes=10]
import { getText, metric, openLoop, percentile, startServeChild } from '../test/faults/load.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const rate = Number(process.argv[2] ?? '1000');
const minutes = Number(process.argv[3] ?? '10');
const review = readFileSync(path.join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'admission', 'create.json'), 'utf8');
const server = await startServeChild();
const body = (i: number): string => review.replace('6f7634c6-f071-41a6-9390-fa81aec14fdc', `soak-${i}`);
const rss = async (): Promise<number> => (metric((await getText(server.metricsPort, '/metrics')).body, 'secretguard_process_resident_memory_bytes') ?? 0) / 2 ** 20;
try {
  await openLoop(server.port, server.ca, body, Math.min(rate, 200), 5_000);
  const samples: number[] = [await rss()];
  let sent = 0;
  let lost = 0;
  const latencies: number[] = [];
  const windows = Math.max(1, Math.round((minutes * 60) / 30));
  for (let w = 0; w < windows; w++) {
    const load = await openLoop(server.port, server.ca, body, rate, 30_000, 256);
    sent += load.sent;
    lost += load.answers.filter((a) => a.status !== 200).length;
    for (const a of load.answers) latencies.push(a.ms);
    samples.push(await rss());
    console.error(`window ${w + 1}/${windows}: sent ${load.sent}, RSS ${samples.at(-1)?.toFixed(0)} MiB`);
  }
  const firstHalf = samples.slice(1, Math.ceil(samples.length / 2));
  const secondHalf = samples.slice(Math.ceil(samples.length / 2));
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  console.log(
    JSON.stringify(
      {
        ratePerSecond: rate,
        minutes,
        sent,
        achievedPerSecond: Math.round(sent / (windows * 30)),
        lost,
        latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(percentile(latencies, 100)) },
        rssMiB: samples.map((s) => Math.round(s)),
        rssGrowthSecondHalfVsFirstMiB: Math.round(mean(secondHalf) - mean(firstHalf)),
      },
      null,
      2,
    ),
  );
} finally {
  server.child.kill('SIGTERM');
}
