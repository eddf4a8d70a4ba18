/**
 * What the long-running loops log through: the informers, certificate renewal and background audit. pino's
 * Logger satisfies it; they take this much only, so that each can run under any logger (tests pass a recorder).
 */
export interface EventLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
