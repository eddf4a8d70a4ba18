import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { ClusterIndex } from '../cluster/cluster-index.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { BackgroundAudit } from '../audit/background.js';
import { loadKubeConfig } from '../audit/kubeconfig.js';
import { KubeConfigWriter, type KubeWriter } from '../audit/reports-writer.js';
import { ClusterInformers, KubeConfigTransport, type KubeTransport, type ViewStatus } from '../cluster/informers.js';
import { viewFromFiles } from '../manifests/scan.js';
import { buildApp, type ConnectionLimits } from './app.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { PolicyHolder } from './policy.js';
import type { LagSource } from './pressure.js';
import { buildProbeApp } from './probes.js';
import { TlsReloader } from './tls.js';

export interface ServeOptions {
  config?: string | undefined;
  tlsCert: string;
  tlsKey: string;
  port: number;
  metricsPort: number;
  host?: string;
  /** Kubeconfig file; absent means KUBECONFIG, ~/.kube/config or in-cluster. */
  kubeconfig?: string | undefined;
  /** Serve with a view from manifest files and no API server. */
  clusterState?: readonly string[] | undefined;
  /** Test seam: talk to this instead of the kubeconfig's API server. */
  transport?: KubeTransport;
  logDestination?: DestinationStream;
  /** How often files are re-read even without a change event (ms). */
  pollMs?: number;
  /**
   * On close, keep answering this long (ms) before the listener closes: /readyz says not ready and
   * every answer carries `Connection: close`, so keep-alive clients (the API server) move off their
   * connections instead of having a request reset when an idle connection is closed under them.
   */
  shutdownDelayMs?: number;
  /** Limits on client connections to the HTTPS port; default DEFAULT_CONNECTION_LIMITS. */
  limits?: ConnectionLimits | undefined;
  /** Test seam: read event-loop lag from this instead of measuring it. */
  lagSource?: LagSource;
  /** Background audit writing PolicyReports (`--audit-interval`); absent means off. */
  audit?: { intervalMs: number; pageSize: number; pageDelayMs: number; maxNamespaces: number; labels?: Record<string, string>; writer?: KubeWriter } | undefined;
}

export interface RunningServer {
  port: number;
  metricsPort: number;
  logger: Logger;
  metrics: Metrics;
  policy: PolicyHolder;
  tls: TlsReloader;
  index: ClusterIndex;
  informers: ClusterInformers | undefined;
  audit: BackgroundAudit | undefined;
  /** Stop accepting, finish in-flight requests, stop watchers and informers. */
  close(): Promise<void>;
}

/** Everything `secretguard serve` runs: admission app on HTTPS, probes and metrics on plain HTTP. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const logger = createLogger('info', options.logDestination);
  const metrics = new Metrics({ defaultMetrics: true });
  const policy = new PolicyHolder(options.config, logger, metrics);
  const tls = new TlsReloader(options.tlsCert, options.tlsKey, logger, metrics);

  let index: ClusterIndex;
  let informers: ClusterInformers | undefined;
  if (options.clusterState !== undefined && options.clusterState.length > 0) {
    index = viewFromFiles(options.clusterState);
    logger.info({ paths: options.clusterState, counts: index.counts }, 'cluster view loaded from manifests');
  } else {
    index = new ClusterIndex();
    informers = new ClusterInformers(options.transport ?? KubeConfigTransport.fromOptions(options.kubeconfig), index, logger);
    informers.start();
  }
  const viewStatus = (): ViewStatus =>
    informers?.status() ?? { synced: index.synced, connected: true, staleSeconds: 0, resources: ['manifests'] };

  let closing = false;
  const app = buildApp({
    engine: policy,
    view: index,
    logger,
    metrics,
    https: tls.httpsOptions(),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.lagSource ? { lagSource: options.lagSource } : {}),
  });
  if (!(app.server instanceof HttpsServer)) throw new Error('admission app is not HTTPS');
  tls.attach(app.server);
  const probes = buildProbeApp({
    metrics,
    logger,
    readiness: () => {
      const view = viewStatus();
      return [
        { name: 'tls', ok: true, detail: `certificate valid until ${tls.certificate.notAfter.toISOString()}` },
        { name: 'config', ok: true, ...(policy.lastReloadFailed ? { detail: 'last reload refused; last good config in force' } : {}) },
        { name: 'clusterView', ok: view.synced, ...(view.connected ? {} : { detail: `stale for ${Math.round(view.staleSeconds)}s` }) },
        { name: 'shutdown', ok: !closing },
      ];
    },
    beforeScrape: () => {
      const view = viewStatus();
      metrics.viewSynced.set(view.synced ? 1 : 0);
      metrics.viewConnected.set(view.connected ? 1 : 0);
      metrics.viewStaleSeconds.set(view.staleSeconds);
      for (const [kind, count] of Object.entries(index.counts)) metrics.viewObjects.set({ kind }, count);
    },
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  const host = options.host ?? '0.0.0.0';
  await app.listen({ port: options.port, host });
  await probes.listen({ port: options.metricsPort, host });
  policy.watch(options.pollMs);
  tls.watch(options.pollMs);
  let audit: BackgroundAudit | undefined;
  if (options.audit !== undefined) {
    let kc: KubeConfig | undefined;
    const kube = (): KubeConfig => (kc ??= loadKubeConfig(options.kubeconfig));
    audit = new BackgroundAudit({
      ...options.audit,
      engine: () => policy.get(),
      transport: options.transport ?? new KubeConfigTransport(kube()),
      writer: options.audit.writer ?? new KubeConfigWriter(kube()),
      logger,
      registry: metrics.registry,
    });
    audit.start();
  }
  const port = (app.server.address() as AddressInfo).port;
  const metricsPort = (probes.server.address() as AddressInfo).port;
  logger.info({ port, metricsPort, config: options.config ?? '<defaults>' }, 'secretguard serving');

  return {
    port,
    metricsPort,
    logger,
    metrics,
    policy,
    tls,
    index,
    informers,
    audit,
    async close() {
      closing = true;
      const delayMs = options.shutdownDelayMs ?? 2000;
      logger.info({ delayMs }, 'shutting down: not ready, answering with Connection: close, then finishing in-flight requests');
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      policy.close();
      tls.close();
      await app.close();
      await informers?.stop();
      await audit?.stop();
      await probes.close();
      logger.info({}, 'stopped');
    },
  };
}
