import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino removes from every log line. secretguard never logs an object on purpose; this is the
 * net under that promise (an AdmissionReview, a request, or any map called data or stringData).
 */
export const REDACT_PATHS = [
  'object',
  'oldObject',
  'request.object',
  'request.oldObject',
  'body',
  '*.object',
  '*.oldObject',
  'data',
  'stringData',
  '*.data',
  '*.stringData',
  '*.*.data',
  '*.*.stringData',
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
