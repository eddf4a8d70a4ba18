import type { Server as HttpsServer } from 'node:https';
import type { Server as HttpServer } from 'node:http';
import { fastify, LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  decodeAdmissionReview,
  respondDeadline,
  respondEngineFailed,
  respondMutate,
  respondMutateUnchanged,
  respondOverloaded,
  respondValidate,
  type AdmissionOutcome,
  type AdmissionRequest,
  type Decision,
} from '../admission/review.js';
import { admissionReviewResponseSchema } from '../admission/schema.js';
import type { ClusterView } from '../cluster/view.js';
import { Engine, errorName, kindKey } from '../engine/engine.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics, type LabelVocabulary } from './metrics.js';
import { fixedEngine, type EngineSource } from './policy.js';
import { LoadMonitor, type LagSource } from './pressure.js';
import type { ServingTlsOptions } from './tls.js';

/** Secrets and ConfigMaps up to 1 MiB arrive twice on UPDATE (object, oldObject), plus the review around them. */
export const BODY_LIMIT = 4 * 1024 * 1024;

export type Endpoint = 'validate' | 'mutate';

/**
 * What a client connection may take from the server, so that slow or idle clients cannot pile up
 * connections (each holds memory) until the pod runs out. The API server sends a small request at
 * once and keeps its connections alive between requests; anything slower is cut off.
 */
export interface ConnectionLimits {
  /** Time to receive a whole request, headers and body; then 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** Time to complete the TLS handshake, and then to receive the request headers. At most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** Time an idle connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Simultaneous connections; more are closed as they arrive. 0: no cap. */
  maxConnections: number;
  /** Requests on one connection before it is closed, which spreads the API server's connections across replicas. 0: no limit. */
  maxRequestsPerSocket: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 65_000,
  maxConnections: 1_000,
  maxRequestsPerSocket: 1_000,
};

export interface AppDeps {
  engine: Engine | EngineSource;
  view: ClusterView;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * Shed load above this event-loop lag (ms): requests are answered at once per `webhook.onDeadline`
   * without running the rules, so queued requests are still answered before the API server's
   * timeout. Default: a quarter of `webhook.deadlineMs`, at most 1000. 0 turns shedding off.
   */
  maxEventLoopLagMs?: number;
  /** Where the event-loop lag is read; default a `LoadMonitor` that runs while the app is open. */
  lagSource?: LagSource;
  /** Serve HTTPS with these options (key, cert, minVersion, ciphers); absent for `inject` tests. */
  https?: ServingTlsOptions | undefined;
  /** Limits on client connections; default DEFAULT_CONNECTION_LIMITS. */
  limits?: ConnectionLimits;
}

declare module 'fastify' {
  interface FastifyRequest {
    receivedAt: number;
  }
}

type AnyServer = HttpServer | HttpsServer;

interface BadRequest {
  status: 400 | 405 | 413 | 404 | 500;
  reason: string;
  message: string;
}

/**
 * The admission app: POST /validate and POST /mutate, nothing else. Built here, listened on by
 * `startServer` (or driven with `inject` in tests).
 */
export function buildApp(deps: AppDeps): FastifyInstance<AnyServer> {
  const logger = deps.logger ?? createLogger('silent');
  const metrics = deps.metrics ?? new Metrics();
  const source: EngineSource = deps.engine instanceof Engine ? fixedEngine(deps.engine) : deps.engine;
  const limits = deps.limits ?? DEFAULT_CONNECTION_LIMITS;
  const app = createServer(logger, limits, deps.https);

  const lagSource = deps.lagSource ?? (deps.maxEventLoopLagMs === 0 ? undefined : startLoadMonitor(app));
  const maxLagMs = (): number => deps.maxEventLoopLagMs ?? Math.min(1000, source.webhook().deadlineMs / 4);

  // Metric labels come from the engine's rules; every engine has the same rules (a config can only
  // turn them off), so the last engine seen serves requests answered without one (shed, deadline).
  const labels: { vocabulary: LabelVocabulary | undefined } = { vocabulary: undefined };
  const seen = (engine: Engine): Engine => {
    labels.vocabulary = vocabularyOf(engine);
    return engine;
  };
  try {
    const first = source.get();
    if (first instanceof Engine) seen(first);
    else void first.then(seen, () => undefined);
  } catch {
    // no engine yet: each request reports the failure
  }

  // The decision line is built only from fields that cannot hold a value of the object (names, kind, user,
  // rule ids, each cut by logField), so it skips the redaction pass the general logger runs on every line.
  // Its level is set per line: the parent logger's level (which a config reload changes) gates it.
  const decisionLog = logger.child({}, { level: 'trace', redact: [] });
  const recording: Recording = { source, logger, decisionLog, metrics, labels };
  const deciding: Deciding = { source, view: deps.view, logger, seen };

  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.receivedAt = performance.now();
    done();
  });

  // Every body is read as bytes and parsed here, so that a wrong content type is a 400 (not 415)
  // and a JSON syntax error is reported without JSON.parse's message (which quotes the input).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  const refuse = (reply: FastifyReply, endpoint: string, bad: BadRequest): FastifyReply => {
    metrics.badRequests.inc({ endpoint, reason: bad.reason });
    logger.warn({ endpoint, status: bad.status, reason: bad.reason }, `admission request refused: ${bad.message}`);
    return reply.code(bad.status).header('content-type', 'application/json; charset=utf-8').send({
      code: bad.status,
      reason: bad.reason,
      message: bad.message,
    });
  };

  app.setErrorHandler((error, request, reply) => {
    const endpoint = endpointOf(request.url);
    const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
    if (status === 413) {
      return refuse(reply, endpoint, { status: 413, reason: 'BodyTooLarge', message: `body larger than ${BODY_LIMIT} bytes` });
    }
    if (status >= 400 && status < 500) {
      return refuse(reply, endpoint, { status: 400, reason: 'BadRequest', message: 'the request could not be read' });
    }
    logger.error({ endpoint, error: errorName(error) }, 'internal error');
    return reply.code(500).send({ code: 500, reason: 'InternalError', message: 'internal error' });
  });

  app.setNotFoundHandler((request, reply) =>
    refuse(reply, 'other', { status: 404, reason: 'NotFound', message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );

  for (const endpoint of ['validate', 'mutate'] as const) {
    // The 200 answer goes through a serializer compiled from its schema; refusals (400…) are serialized as usual.
    app.post(`/${endpoint}`, { schema: { response: { 200: admissionReviewResponseSchema } } }, async (request, reply) =>
      handle(endpoint, request, reply),
    );
    app.route({
      method: ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: `/${endpoint}`,
      handler: (_request, reply) =>
        refuse(reply.header('allow', 'POST'), endpoint, { status: 405, reason: 'MethodNotAllowed', message: 'use POST' }),
    });
  }

  /** One review, in named steps: read, decode, shed, decide, record, reply. */
  async function handle(endpoint: Endpoint, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = readBody(request);
    if (!body.ok) return refuse(reply, endpoint, body.bad);
    const decoded = decode(body.json);
    if (!decoded.ok) return refuse(reply, endpoint, decoded.bad);
    const outcome = shed(endpoint, decoded.admission) ?? (await decide(deciding, endpoint, decoded.admission, request.receivedAt));
    record(recording, endpoint, decoded.admission, outcome, performance.now() - request.receivedAt);
    return answer(reply, outcome);
  }

  /** Above the event-loop lag limit, the answer without running the rules (per onDeadline; mutate: unchanged). */
  function shed(endpoint: Endpoint, admission: AdmissionRequest): AdmissionOutcome | undefined {
    const lag = lagSource?.lagMs ?? 0;
    metrics.eventLoopLag.set(lag / 1000);
    if (deps.maxEventLoopLagMs === 0 || lag <= maxLagMs()) return undefined;
    return endpoint === 'mutate' ? respondMutateUnchanged(admission, 'is overloaded', 'shed') : respondOverloaded(admission, source.webhook().onDeadline);
  }

  return app;
}

/** The fastify instance with the connection limits on its server; HTTPS when TLS options are given. */
function createServer(logger: Logger, limits: ConnectionLimits, https: ServingTlsOptions | undefined): FastifyInstance<AnyServer> {
  const common = {
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // A socket with no traffic at all for this long (a client that stopped reading the answer) is closed.
    connectionTimeout: limits.keepAliveTimeoutMs + limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
  } as const;
  const app: FastifyInstance<AnyServer> =
    https === undefined
      ? (fastify(common) as unknown as FastifyInstance<AnyServer>)
      : (fastify({
          ...common,
          https: {
            ...https,
            handshakeTimeout: limits.headersTimeoutMs,
            headersTimeout: limits.headersTimeoutMs,
            // Node checks the request and headers timeouts on this period (30 s by default).
            connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
          },
        }) as unknown as FastifyInstance<AnyServer>);
  app.server.headersTimeout = limits.headersTimeoutMs;
  if (limits.maxConnections > 0) app.server.maxConnections = limits.maxConnections;

  return app;
}

/** The event-loop lag monitor, running while the app is open. */
function startLoadMonitor(app: FastifyInstance<AnyServer>): LagSource {
  const monitor = new LoadMonitor();
  monitor.start();
  app.addHook('onClose', (_instance, done) => {
    monitor.stop();
    done();
  });
  return monitor;
}

type Step<T> = ({ ok: true } & T) | { ok: false; bad: BadRequest };

/** The body as JSON: only application/json, never empty, and a syntax error without JSON.parse's message (it quotes the input). */
function readBody(request: FastifyRequest): Step<{ json: unknown }> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') return { ok: false, bad: { status: 400, reason: 'UnsupportedContentType', message: 'content type must be application/json' } };
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false, bad: { status: 400, reason: 'EmptyBody', message: 'the body is empty' } };
  try {
    return { ok: true, json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false, bad: { status: 400, reason: 'InvalidJSON', message: 'the body is not valid JSON' } };
  }
}

/** The AdmissionReview envelope, checked by its schema. */
function decode(json: unknown): Step<{ admission: AdmissionRequest }> {
  const decoded = decodeAdmissionReview(json);
  if (decoded.ok) return { ok: true, admission: decoded.request };
  const reason = decoded.error === 'request.uid is missing' ? 'MissingUID' : 'NotAdmissionReview';
  return { ok: false, bad: { status: 400, reason, message: decoded.error } };
}

/** The 200 answer, through the serializer compiled from the response schema. */
function answer(reply: FastifyReply, outcome: AdmissionOutcome): FastifyReply {
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(outcome.review);
}

/** What deciding needs: where the engine in force comes from, the view, the logger, and who notes the engine used. */
interface Deciding {
  source: EngineSource;
  view: ClusterView;
  logger: Logger;
  seen: (engine: Engine) => Engine;
}

/**
 * The engine's answer, or the failure answer when the deadline passes first (validating: per
 * `onDeadline`; mutating: allowed unchanged) or the engine throws (validating: denied). The
 * deadline counts from the request's arrival, so a request that queued behind others is answered
 * at once rather than evaluated too late. A synchronous rule run cannot be interrupted: the
 * deadline covers waiting, not a single runaway rule.
 */
async function decide(deciding: Deciding, endpoint: Endpoint, admission: AdmissionRequest, receivedAt: number): Promise<AdmissionOutcome> {
  const { source, view, logger, seen } = deciding;
  const { deadlineMs, onDeadline } = source.webhook();
  const late = (): AdmissionOutcome =>
    endpoint === 'mutate'
      ? respondMutateUnchanged(admission, `could not finish within ${deadlineMs}ms`, 'deadline')
      : respondDeadline(admission, onDeadline, deadlineMs);
  const failed = (error: unknown): AdmissionOutcome => {
    logger.error({ uid: admission.uid, error: errorName(error) }, 'engine failed');
    return endpoint === 'mutate' ? respondMutateUnchanged(admission, 'failed', 'error') : respondEngineFailed(admission);
  };
  const respond = (engine: Engine): AdmissionOutcome =>
    endpoint === 'validate' ? respondValidate(seen(engine), view, admission) : respondMutate(seen(engine), view, admission);
  const remaining = deadlineMs - (performance.now() - receivedAt);
  if (remaining <= 0) return late();
  let ready: Engine | Promise<Engine>;
  try {
    ready = source.get();
    // The engine in force is at hand (always, outside tests): the rules run synchronously and cannot be
    // interrupted, so a timer could not cut them short; no timer is set.
    if (ready instanceof Engine) return respond(ready);
  } catch (error) {
    return failed(error);
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      resolve(undefined);
    }, remaining);
  });
  const work = ready.then(respond);
  try {
    return (await Promise.race([work, deadline])) ?? late();
  } catch (error) {
    return failed(error);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/** What recording a decision needs: metrics, the two loggers, the labels of the last engine seen. */
interface Recording {
  source: EngineSource;
  logger: Logger;
  decisionLog: Logger;
  metrics: Metrics;
  labels: { vocabulary: LabelVocabulary | undefined };
}

/** Count the decision and its findings, and log its line (at the level its kind of decision gets). */
function record(recording: Recording, endpoint: Endpoint, admission: AdmissionRequest, outcome: AdmissionOutcome, durationMs: number): void {
  const { source, logger, decisionLog, metrics, labels } = recording;
  const kind = admission.kind.kind;
  metrics.countRequest({ endpoint, group: admission.kind.group, kind, operation: admission.operation, decision: outcome.decision }, labels.vocabulary);
  metrics.latency.observe({ endpoint }, durationMs / 1000);
  metrics.countFindings(outcome.findings, labels.vocabulary);
  const level = QUIET_DECISIONS.has(outcome.decision) ? source.webhook().allowedDecisionLogLevel : 'info';
  if (!logger.isLevelEnabled(level)) return;
  decisionLog[level](
    {
      endpoint,
      uid: logField(admission.uid),
      kind: logField(admission.kind.group === '' ? kind : `${kind}.${admission.kind.group}`),
      namespace: logField(admission.namespace ?? ''),
      name: logField(admission.name ?? ''),
      operation: admission.operation,
      ...(admission.subResource ? { subResource: logField(admission.subResource) } : {}),
      dryRun: admission.dryRun === true,
      user: logField(admission.userInfo.username ?? ''),
      decision: outcome.decision,
      allowed: outcome.review.response.allowed,
      rules: outcome.ruleIds,
      durationMs: Math.round(durationMs * 1000) / 1000,
    },
    'admission decision',
  );
}

/**
 * Decisions that admit the object unchanged and unremarked: logged at `webhook.allowedDecisionLogLevel`
 * (debug by default, as Gatekeeper logs only denials unless asked). Every other decision is logged at info.
 * Every decision is counted in secretguard_admission_requests_total whatever its log level.
 */
const QUIET_DECISIONS: ReadonlySet<Decision> = new Set<Decision>(['allow', 'skip']);

/**
 * A request-derived string in the decision log, cut to the longest valid Kubernetes name (253) plus a count:
 * a hostile review cannot turn one log line into megabytes. Real names, kinds and users are never cut.
 */
export const MAX_LOG_FIELD = 253;
function logField(value: string): string {
  return value.length <= MAX_LOG_FIELD ? value : `${value.slice(0, MAX_LOG_FIELD)}… (${value.length - MAX_LOG_FIELD} more characters)`;
}

function endpointOf(url: string): string {
  if (url.startsWith('/validate')) return 'validate';
  if (url.startsWith('/mutate')) return 'mutate';
  return 'other';
}

const vocabularies = new WeakMap<Engine, LabelVocabulary>();

function vocabularyOf(engine: Engine): LabelVocabulary {
  let vocabulary = vocabularies.get(engine);
  if (vocabulary === undefined) {
    const kinds = new Set<string>();
    const rules = new Set<string>();
    for (const item of [...engine.rules, ...engine.mutators]) {
      rules.add(item.meta.id);
      for (const kind of item.meta.match.kinds) kinds.add(kindKey(kind.group, kind.kind));
    }
    vocabulary = { kinds, rules };
    vocabularies.set(engine, vocabulary);
  }
  return vocabulary;
}
