/**
 * `serve --audit-interval`: the audit every N minutes, paged and paced, its PolicyReports written in place
 * and its violations exported as gauges. Off unless the flag (chart value audit.enabled) is given.
 */
import type { EventLogger } from '../log.js';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { KubeTransport } from '../cluster/informers.js';
import type { Engine } from '../engine/engine.js';
import type { Action } from '../engine/types.js';
import type { ScanFinding } from '../manifests/scan.js';
import { policyReports } from './policyreport.js';
import { writeReports, type KubeWriter } from './reports-writer.js';
import { runAudit } from './run.js';

/** The label for namespaces beyond `maxNamespaces`: the gauge's series stay bounded whatever the cluster holds. */
export const OTHER_NAMESPACES = '_other';

export interface BackgroundAuditOptions {
  intervalMs: number;
  pageSize: number;
  pageDelayMs: number;
  /** Namespaces with their own gauge series (the ones with the most violations); the rest are summed as `_other`. */
  maxNamespaces: number;
  /** The current engine (the config reloads). */
  engine: () => Engine;
  transport: KubeTransport;
  writer: KubeWriter;
  logger: EventLogger;
  registry: Registry;
  /** Labels put on every report (the chart's secretguard.io/cluster). */
  labels?: Record<string, string>;
}

export class BackgroundAudit {
  private readonly violations: Gauge<'rule' | 'resource_namespace' | 'action'>;
  private readonly runs: Counter<'result'>;
  private readonly lastSuccess: Gauge;
  private readonly duration: Gauge;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: BackgroundAuditOptions) {
    const registers = [options.registry];
    this.violations = new Gauge({
      name: 'secretguard_audit_violations',
      help: 'Findings of the last background audit, by rule, resource_namespace (top namespaces; the rest as _other; "" for cluster-scoped objects) and action',
      labelNames: ['rule', 'resource_namespace', 'action'],
      registers,
    });
    this.runs = new Counter({ name: 'secretguard_audit_runs_total', help: 'Background audits, by result (ok, incomplete, failed)', labelNames: ['result'], registers });
    this.lastSuccess = new Gauge({ name: 'secretguard_audit_last_success_timestamp_seconds', help: 'When the last complete background audit ended', registers });
    this.duration = new Gauge({ name: 'secretguard_audit_duration_seconds', help: 'How long the last background audit took', registers });
  }

  /** The first audit at once, then one every interval after the previous one ended. */
  start(): void {
    const loop = (): void => {
      this.running = this.runOnce().finally(() => {
        if (!this.abort.signal.aborted) this.timer = setTimeout(loop, this.options.intervalMs);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  async runOnce(): Promise<void> {
    const started = Date.now();
    try {
      const result = await runAudit(this.options.engine(), this.options.transport, {
        cluster: 'in-cluster',
        pageSize: this.options.pageSize,
        pageDelayMs: this.options.pageDelayMs,
        signal: this.abort.signal,
      });
      if (this.abort.signal.aborted) return;
      const { namespaced, cluster } = policyReports(result.report.resources, { ...(this.options.labels !== undefined ? { labels: this.options.labels } : {}) });
      const written = await writeReports(this.options.transport, this.options.writer, [...namespaced, cluster]);
      this.setGauges(result.report.findings);
      this.duration.set((Date.now() - started) / 1000);
      const complete = result.unlisted.length === 0;
      this.runs.inc({ result: complete ? 'ok' : 'incomplete' });
      if (complete) this.lastSuccess.set(Date.now() / 1000);
      this.options.logger.info(
        { resources: result.report.summary.resources, findings: result.report.findings.length, reports: written.applied, deleted: written.deleted, unlisted: result.unlisted, ms: Date.now() - started },
        'background audit done',
      );
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.runs.inc({ result: 'failed' });
      // Only the class name and HTTP status: no message that could quote a response.
      this.options.logger.warn({ error: error instanceof Error ? error.name : typeof error, ...(error instanceof Error && error.message.startsWith('HTTP ') ? { status: error.message } : {}) }, 'background audit failed; retrying at the next interval');
    }
  }

  private setGauges(findings: readonly ScanFinding[]): void {
    const perNamespace = new Map<string, number>();
    for (const f of findings) perNamespace.set(f.resource.namespace ?? '', (perNamespace.get(f.resource.namespace ?? '') ?? 0) + 1);
    const kept = new Set(
      [...perNamespace.entries()]
        .filter(([ns]) => ns !== '')
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .slice(0, this.options.maxNamespaces)
        .map(([ns]) => ns),
    );
    const counts = new Map<string, { rule: string; namespace: string; action: Action; n: number }>();
    for (const f of findings) {
      const ns = f.resource.namespace ?? '';
      const namespace = ns === '' || kept.has(ns) ? ns : OTHER_NAMESPACES;
      const key = `${f.ruleId}\0${namespace}\0${f.action}`;
      const entry = counts.get(key) ?? { rule: f.ruleId, namespace, action: f.action, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    this.violations.reset();
    for (const { rule, namespace, action, n } of counts.values()) this.violations.set({ rule, resource_namespace: namespace, action }, n);
  }
}
