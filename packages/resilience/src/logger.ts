/**
 * The slice of a pino logger this package uses, so callers pass their own pino instance
 * (or nothing) without this package depending on the logging setup.
 */
export interface ResilienceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
