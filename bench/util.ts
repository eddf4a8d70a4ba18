import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';

/** The repository root (dist/bench/util.js is two levels below it). */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const RESULTS_DIR = path.join(ROOT, 'bench/results');
export const CACHE_DIR = path.join(ROOT, '.cache/bench');

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  platform: string;
  memoryMiB: number;
  /** 1-minute load average when the scenario started: other work on the machine skews absolute numbers. */
  loadAverage: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export interface ResultFile<T> {
  scenario: string;
  date: string;
  command: string;
  quick: boolean;
  machine: Machine;
  result: T;
}

export function writeResult<T>(scenario: string, command: string, quick: boolean, started: Machine, result: T): ResultFile<T> {
  const file: ResultFile<T> = { scenario, date: new Date().toISOString(), command, quick, machine: started, result };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${scenario}.json`), JSON.stringify(file, null, 2) + '\n');
  return file;
}

export const MiB = 2 ** 20;
export const toMiB = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface Run {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, timing it from spawn to exit. */
export function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({
        code,
        wallMs: performance.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
