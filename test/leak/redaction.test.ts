// pino redaction (issue 12): with debug (and trace) logging on, object content logged under any
// path that can hold it is censored. secretguard never logs an object on purpose; this is the net.
import t from 'tap';
import { createLogger, REDACT_PATHS } from '../../src/server/logger.js';
import { LogSink } from '../server/helpers.js';
import { CANARIES, LeakScanner } from './canaries.js';

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: CANARIES.password }, stringData: { token: CANARIES.githubToken }, binaryData: { k: CANARIES.bearerToken } };
const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', object: secret, oldObject: secret } };

/** Shapes under which object content could reach a log call: bare, wrapped once, wrapped twice. */
const shapes: Record<string, unknown>[] = [
  { object: secret },
  { oldObject: secret },
  { request: review.request },
  { review },
  { admissionReview: review },
  { body: review },
  { payload: review },
  { data: secret.data },
  { stringData: secret.stringData },
  { binaryData: secret.binaryData },
  { manifest: { object: secret } },
  { subject: { object: secret, oldObject: secret } },
  { secret },
  { finding: { resource: { name: 'db' }, object: secret } },
  { items: [secret] },
  { env: [{ name: 'TOKEN', value: CANARIES.githubToken }] },
  { spec: { template: { data: { a: CANARIES.sealedTemplateValue } } } },
];

for (const level of ['debug', 'trace'] as const) {
  t.test(`${level} logging: every object-bearing path is redacted`, async (t) => {
    const sink = new LogSink();
    const logger = createLogger(level, sink);
    for (const shape of shapes) {
      logger.debug(shape, 'debug line');
      logger.trace(shape, 'trace line');
      logger.info(shape, 'info line');
      logger.child({ request: review.request }).debug({ extra: 1 }, 'child logger');
    }
    const scanner = new LeakScanner();
    scanner.scan('logs', sink.lines.join('\n'));
    t.ok(sink.lines.length >= shapes.length * 3, `${sink.lines.length} lines written`);
    t.same(scanner.hits.map((h) => `${h.needle}: ${h.context}`).slice(0, 5), [], `no canary in ${scanner.bytes} bytes of ${level} logs`);
    t.match(sink.lines.join('\n'), /\[redacted\]/, 'content replaced by the censor');
  });
}

t.test('the redaction list names the object-bearing fields', async (t) => {
  for (const path of ['object', 'oldObject', 'request.object', 'review', 'body', 'data', 'stringData', 'binaryData']) t.ok(REDACT_PATHS.includes(path), path);
});
