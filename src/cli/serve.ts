import closeWithGrace from 'close-with-grace';
import { Option, type Command } from 'commander';
import { addSelfManagedOptions, selfManagedOptionsFrom, type SelfManagedCliOptions } from './self-managed-flags.js';
import { startSelfManagedCertificates } from '../certs/renewal.js';
import { createLogger } from '../server/logger.js';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../server/app.js';
import { startServer, type RunningServer, type ServeOptions } from '../server/serve.js';
import { TlsLoadError } from '../server/tls.js';
import { UsageError } from './exit.js';
import { positiveInteger, positiveNumber, wholeNumber } from './audit.js';
import { collect } from './options.js';

interface ServeCommandOptions extends SelfManagedCliOptions {
  config?: string;
  tlsCert: string;
  tlsKey: string;
  port: string;
  metricsPort: string;
  host: string;
  kubeconfig?: string;
  clusterState?: string[];
  gracePeriod: string;
  requestTimeout: string;
  headersTimeout: string;
  keepAliveTimeout: string;
  maxConnections: string;
  maxRequestsPerSocket: string;
  auditInterval?: number;
  auditPageSize: number;
  auditPageDelay: number;
  auditMaxNamespaces: number;
}

function portOf(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} must be a port number`);
  return port;
}

function countOf(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer of at least ${String(min)}`);
  return n;
}

export function limitsFrom(options: Pick<ServeCommandOptions, 'requestTimeout' | 'headersTimeout' | 'keepAliveTimeout' | 'maxConnections' | 'maxRequestsPerSocket'>): ConnectionLimits {
  const limits: ConnectionLimits = {
    requestTimeoutMs: countOf(options.requestTimeout, '--request-timeout', 1),
    headersTimeoutMs: countOf(options.headersTimeout, '--headers-timeout', 1),
    keepAliveTimeoutMs: countOf(options.keepAliveTimeout, '--keep-alive-timeout', 1),
    maxConnections: countOf(options.maxConnections, '--max-connections', 0),
    maxRequestsPerSocket: countOf(options.maxRequestsPerSocket, '--max-requests-per-socket', 0),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new UsageError('--headers-timeout must not exceed --request-timeout');
  return limits;
}

/**
 * Start the server and stop it gracefully on SIGTERM or SIGINT: stop accepting, finish in-flight
 * requests, exit within `graceMs` (forced exit with code 1 after that).
 */
export async function runServe(options: ServeOptions, graceMs: number): Promise<RunningServer> {
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (error) {
    if (error instanceof TlsLoadError) throw new UsageError(error.message);
    throw error;
  }
  closeWithGrace({ delay: graceMs, logger: false, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err !== undefined) server.logger.error({ error: err.name }, 'fatal error; shutting down');
    else server.logger.info({ signal }, 'signal received; shutting down');
    await server.close();
  });
  return server;
}

export function registerServe(program: Command): void {
  addSelfManagedOptions(program.command('serve'))
    .description('run the admission webhook (HTTPS) with probes and metrics on a separate plain-HTTP port')
    .option('-c, --config <file>', 'SecretGuardConfig file, reloaded when it changes (defaults are embedded)')
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM), reloaded when it changes')
    .requiredOption('--tls-key <file>', 'serving key (PEM), reloaded when it changes')
    .option('--port <n>', 'HTTPS port for /validate and /mutate', '8443')
    .option('--metrics-port <n>', 'plain-HTTP port for /healthz, /readyz and /metrics', '8080')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--kubeconfig <file>', 'kubeconfig for the cluster view (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--cluster-state <path>', 'serve with a view from manifests instead of an API server (repeatable)', collect)
    .option('--grace-period <ms>', 'longest graceful shutdown before a forced exit', '25000')
    .option('--request-timeout <ms>', 'time a client has to send a whole request; slower ones get 408 and are disconnected', String(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs))
    .option('--headers-timeout <ms>', 'time a client has for the TLS handshake, then for the request headers', String(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs))
    .option('--keep-alive-timeout <ms>', 'time an idle connection stays open between requests', String(DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs))
    .option('--max-connections <n>', 'simultaneous HTTPS connections; more are closed as they arrive (0: no cap)', String(DEFAULT_CONNECTION_LIMITS.maxConnections))
    .option('--max-requests-per-socket <n>', 'requests on one connection before it is closed (0: no limit)', String(DEFAULT_CONNECTION_LIMITS.maxRequestsPerSocket))
    .addOption(new Option('--audit-interval <minutes>', 'audit the cluster every N minutes (decimals allowed) and write PolicyReports; off when absent').argParser(positiveNumber))
    .addOption(new Option('--audit-page-size <n>', 'objects per list request of the background audit').argParser(positiveInteger).default(250))
    .addOption(new Option('--audit-page-delay <ms>', 'pause between two list requests of the background audit').argParser(wholeNumber).default(200))
    .addOption(new Option('--audit-max-namespaces <n>', 'namespaces with their own secretguard_audit_violations series; the rest are summed as _other').argParser(positiveInteger).default(200))
    .action(async (options: ServeCommandOptions) => {
      const graceMs = Number(options.gracePeriod);
      if (!Number.isInteger(graceMs) || graceMs < 0) throw new UsageError('--grace-period must be milliseconds');
      const limits = limitsFrom(options);
      let selfManaged: ReturnType<typeof selfManagedOptionsFrom>;
      try {
        selfManaged = selfManagedOptionsFrom(options, { certFile: options.tlsCert, keyFile: options.tlsKey, kubeconfig: options.kubeconfig });
      } catch (error) {
        throw error instanceof RangeError ? new UsageError(error.message) : error;
      }
      // Before the server reads --tls-cert/--tls-key: the first run creates or fetches them and patches the caBundle.
      if (selfManaged !== undefined) await startSelfManagedCertificates({ ...selfManaged, logger: createLogger('info') });
      await runServe(
        {
          config: options.config,
          tlsCert: options.tlsCert,
          tlsKey: options.tlsKey,
          port: portOf(options.port, '--port'),
          metricsPort: portOf(options.metricsPort, '--metrics-port'),
          host: options.host,
          kubeconfig: options.kubeconfig,
          clusterState: options.clusterState,
          limits,
          audit:
            options.auditInterval === undefined
              ? undefined
              : { intervalMs: Math.round(options.auditInterval * 60_000), pageSize: options.auditPageSize, pageDelayMs: options.auditPageDelay, maxNamespaces: options.auditMaxNamespaces },
        },
        graceMs,
      );
    });
}
