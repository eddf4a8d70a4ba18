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
  return destination === undefined ? pino(options) : pino(options, destination);
}
