import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError } from '../config/load.js';
import type { WebhookConfig } from '../config/types.js';
import type { Engine } from '../engine/engine.js';
import { buildEngine, loadEffectiveConfig } from '../setup.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** Where the server gets the engine in force for each request. */
export interface EngineSource {
  /** The engine in force; may be async (tests use that to simulate a slow engine). */
  get(): Engine | Promise<Engine>;
  /** Webhook settings in force, read before the engine is awaited. */
  webhook(): WebhookConfig;
}

export function fixedEngine(engine: Engine): EngineSource {
  return { get: () => engine, webhook: () => engine.config.webhook };
}

/**
 * The config file and the engine built from it, reloaded when the file changes. An invalid new
 * file is refused with a log line and a metric; the last good config stays in force.
 */
export class PolicyHolder implements EngineSource {
  private engine: Engine;
  private digest: string;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** The last reload attempt failed (the config in force is older than the file). */
  lastReloadFailed = false;

  constructor(
    private readonly path: string | undefined,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly build: (path: string | undefined) => Engine = (p) => buildEngine(loadEffectiveConfig(p)),
  ) {
    // The first load throws ConfigError: serve refuses to start on an invalid config.
    this.digest = this.fileDigest() ?? '';
    this.engine = this.build(path);
    this.logger.level = this.engine.config.logLevel;
  }

  get(): Engine {
    return this.engine;
  }

  webhook(): WebhookConfig {
    return this.engine.config.webhook;
  }

  /** Re-read the file; returns whether a new config is in force. Unchanged content is a no-op. */
  reload(): boolean {
    if (this.path === undefined) return false;
    const digest = this.fileDigest();
    if (digest === undefined || digest === this.digest) return false;
    this.digest = digest;
    const now = Date.now() / 1000;
    try {
      this.engine = this.build(this.path);
    } catch (error) {
      this.lastReloadFailed = true;
      this.metrics.configReloads.inc({ result: 'failure' });
      this.metrics.configLastReload.set({ result: 'failure' }, now);
      const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? error.name : 'error'];
      this.logger.error({ file: this.path, problems }, 'config reload refused; the last good config stays in force');
      return false;
    }
    this.lastReloadFailed = false;
    this.logger.level = this.engine.config.logLevel;
    this.metrics.configReloads.inc({ result: 'success' });
    this.metrics.configLastReload.set({ result: 'success' }, now);
    this.logger.info({ file: this.path, rules: this.engine.watchedKinds.length }, 'config reloaded');
    return true;
  }

  /** Watch the file's directory (ConfigMap mounts swap a symlink) and poll as a fallback. */
  watch(pollMs = 30_000): void {
    if (this.path === undefined) return;
    const name = basename(this.path);
    const schedule = (): void => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), 100);
    };
    try {
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === name || file.startsWith('..')) schedule();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      this.logger.warn({ file: this.path }, 'cannot watch the config directory; polling only');
    }
    this.poller = setInterval(() => this.reload(), pollMs);
    this.poller.unref();
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poller);
    clearTimeout(this.debounce);
  }

  private fileDigest(): string | undefined {
    if (this.path === undefined) return undefined;
    try {
      return createHash('sha256').update(readFileSync(this.path)).digest('hex');
    } catch {
      return undefined;
    }
  }
}
