import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every log line. secretguard never logs an object on purpose; this is the
 * net under that promise: an AdmissionReview, a request, an object, a manifest, a subject, a spec, env
 * lists, or any map called data, stringData or binaryData (test/leak/redaction.test.ts logs each).
 */
export const REDACT_PATHS = [
  'object',
  'oldObject',
  'request.object',
  'request.oldObject',
  '*.object',
  '*.oldObject',
  '*.*.object',
  '*.*.oldObject',
  'body',
  '*.body',
  'payload',
  'review',
  '*.review',
  'admissionReview',
  'manifest',
  'subject',
  'items',
  'spec',
  '*.spec',
  'env',
  '*.env',
  'data',
  'stringData',
  'binaryData',
  '*.data',
  '*.stringData',
  '*.binaryData',
  '*.*.data',
  '*.*.stringData',
  '*.*.binaryData',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { name: 'secretguard' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Asynchronous writes to stdout: a line goes out at once when the stream is idle, and lines written while
  // a write is in flight are joined into the next one, so one decision line per request does not cost one
  // synchronous write(2) each under load. pino flushes it on process exit.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
