import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Finding } from '../engine/types.js';

/** The label value for anything outside a label's known values. */
export const OTHER = 'other';
const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/**
 * The values a label taken from a request may have: the kinds (`group/kind`) the rules and mutators
 * match, which are the kinds the webhook is registered for, and their ids. A request can carry any
 * kind and an object any rule id in its exemption annotation; outside these sets they count as
 * `other`, so no request can add a series.
 */
export interface LabelVocabulary {
  kinds: ReadonlySet<string>;
  rules: ReadonlySet<string>;
}

/** Every secretguard metric, on a registry of its own so several apps can live in one process (tests). */
export class Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'endpoint' | 'kind' | 'operation' | 'decision'>;
  readonly badRequests: Counter<'endpoint' | 'reason'>;
  readonly findings: Counter<'rule' | 'action'>;
  readonly latency: Histogram<'endpoint'>;
  readonly configReloads: Counter<'result'>;
  readonly configLastReload: Gauge<'result'>;
  readonly tlsReloads: Counter<'result'>;
  readonly certificateExpiry: Gauge;
  readonly viewSynced: Gauge;
  readonly viewConnected: Gauge;
  readonly viewStaleSeconds: Gauge;
  readonly viewObjects: Gauge<'kind'>;
  readonly eventLoopLag: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [(this.registry = new Registry())];
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'secretguard_' });
    this.requests = new Counter({
      name: 'secretguard_admission_requests_total',
      help: 'Admission requests answered, by endpoint, object kind, operation and decision',
      labelNames: ['endpoint', 'kind', 'operation', 'decision'],
      registers,
    });
    this.badRequests = new Counter({
      name: 'secretguard_admission_bad_requests_total',
      help: 'Requests refused before decoding (400, 405, 413), by endpoint and reason',
      labelNames: ['endpoint', 'reason'],
      registers,
    });
    this.findings = new Counter({
      name: 'secretguard_findings_total',
      help: 'Findings reported by the webhook, by rule and action',
      labelNames: ['rule', 'action'],
      registers,
    });
    this.latency = new Histogram({
      name: 'secretguard_admission_duration_seconds',
      help: 'Time from request start to answer',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.configReloads = new Counter({
      name: 'secretguard_config_reloads_total',
      help: 'Config file reloads, by result (success or failure; on failure the last good config stays)',
      labelNames: ['result'],
      registers,
    });
    this.configLastReload = new Gauge({
      name: 'secretguard_config_last_reload_timestamp_seconds',
      help: 'Time of the last config reload attempt, by result',
      labelNames: ['result'],
      registers,
    });
    this.tlsReloads = new Counter({
      name: 'secretguard_tls_reloads_total',
      help: 'Serving certificate reloads, by result (on failure the previous certificate stays)',
      labelNames: ['result'],
      registers,
    });
    this.certificateExpiry = new Gauge({
      name: 'secretguard_certificate_expiry_timestamp_seconds',
      help: 'notAfter of the serving certificate in force, as a Unix time',
      registers,
    });
    this.viewSynced = new Gauge({
      name: 'secretguard_cluster_view_synced',
      help: '1 once every informer finished its first list',
      registers,
    });
    this.viewConnected = new Gauge({
      name: 'secretguard_cluster_view_connected',
      help: '1 while every informer has a live watch',
      registers,
    });
    this.viewStaleSeconds = new Gauge({
      name: 'secretguard_cluster_view_stale_seconds',
      help: 'Seconds since the cluster view last had live watches (0 while connected)',
      registers,
    });
    this.viewObjects = new Gauge({
      name: 'secretguard_cluster_view_objects',
      help: 'Objects in the cluster view, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.eventLoopLag = new Gauge({
      name: 'secretguard_event_loop_lag_seconds',
      help: 'Event-loop lag seen by the last admission request; above the limit requests are shed (decision="shed")',
      registers,
    });
  }

  countRequest(
    request: { endpoint: 'validate' | 'mutate'; group: string; kind: string; operation: string; decision: string },
    vocabulary: LabelVocabulary | undefined,
  ): void {
    const { endpoint, group, kind, operation, decision } = request;
    this.requests.inc({
      endpoint,
      kind: vocabulary?.kinds.has(`${group}/${kind}`) === true ? kind : OTHER,
      operation: OPERATIONS.has(operation) ? operation : OTHER,
      decision,
    });
  }

  countFindings(findings: readonly Finding[], vocabulary: LabelVocabulary | undefined): void {
    for (const finding of findings) {
      this.findings.inc({ rule: vocabulary?.rules.has(finding.ruleId) === true ? finding.ruleId : OTHER, action: finding.action });
    }
  }
}
