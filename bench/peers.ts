// The tools secretguard is measured beside in `npm run bench`: kubeconform (parse-only) and gitleaks, built from
// the Go module proxy by scripts/peers/build.sh into .cache/peers (bench only: CI and the tests never build them).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { log, ROOT, run } from './util.js';

export type BenchPeer = 'kubeconform' | 'gitleaks';

const BUILD = path.join(ROOT, 'scripts/peers/build.sh');

/** The peer's binary, built on first use (`--no-peers` skips them); undefined when it cannot be built. */
export async function benchPeer(name: BenchPeer, build: boolean): Promise<string | undefined> {
  const locate = async (): Promise<string | undefined> => {
    const env = await run('bash', [BUILD, '--print-env']);
    const line = env.stdout.split('\n').find((l) => l.startsWith(`PEER_${name.toUpperCase()}=`));
    const value = line?.slice(line.indexOf('=') + 1).trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const found = await locate();
  if (found !== undefined || !build) return found;
  log(`building ${name} from the Go module proxy (once; cached in .cache/peers)`);
  const built = await run('bash', [BUILD, name]);
  if (built.code !== 0) {
    log(`${name} could not be built; its row is left out:\n${built.stderr.slice(-800)}`);
    return undefined;
  }
  return locate();
}

/** The command line each peer is run with, over a directory of manifests. */
export function peerArgs(name: BenchPeer, dir: string, reportFile: string): string[] {
  return name === 'kubeconform'
    ? // Parse-only: no schema is found, so every document is decoded and counted and nothing is validated.
      ['-ignore-missing-schemas', '-schema-location', 'file:///nonexistent/{{.ResourceKind}}.json', '-summary', dir]
    : ['dir', '--no-banner', '--exit-code', '0', '--report-format', 'json', '--report-path', reportFile, dir];
}

export interface TimedRun {
  wallMs: number;
  /** Peak RSS from GNU time (`/usr/bin/time -f %M`), or undefined where it is not installed. */
  peakRssKiB: number | undefined;
  code: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** Run a command, with its peak RSS measured by GNU time when the machine has it. */
export async function timedRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<TimedRun> {
  if (!existsSync(GNU_TIME)) {
    const r = await run(command, args, { env });
    return { ...r, peakRssKiB: undefined };
  }
  const rssFile = path.join(ROOT, '.cache/bench/time-rss.txt');
  rmSync(rssFile, { force: true });
  const r = await run(GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args], { env });
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { ...r, peakRssKiB: Number.isFinite(kib) ? kib : undefined };
}
