import { fastify, LogController, type FastifyInstance } from 'fastify';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ProbeDeps {
  metrics: Metrics;
  logger?: Logger;
  /** Checks behind /readyz: TLS loaded, config valid, cluster view synced. */
  readiness: () => ReadinessCheck[];
  /** Refresh gauges that are computed on scrape (cluster view age). */
  beforeScrape?: () => void;
}

/**
 * /healthz, /readyz and /metrics on their own plain-HTTP port, for kubelet probes and Prometheus.
 * Never served on the admission port.
 */
export function buildProbeApp(deps: ProbeDeps): FastifyInstance {
  const app = fastify({ logController: new LogController({ disableRequestLogging: true }), ...(deps.logger ? { loggerInstance: deps.logger } : {}) }) as unknown as FastifyInstance;
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/readyz', (_request, reply) => {
    const checks = deps.readiness();
    const ready = checks.every((c) => c.ok);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_request, reply) => {
    deps.beforeScrape?.();
    const text = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(text);
  });
  return app;
}
