import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino blanks out before a line is written. Credentials travel in request
 * bodies, integration rows and auth headers; listing every shape they take here
 * means no call site has to remember to scrub them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-service-token"]',
  'headers.authorization',
  'authorization',
  'password',
  'token',
  'api_token',
  'apiToken',
  'credentials',
  '*.credentials',
  '*.token',
  '*.api_token',
  '*.password',
  '*.authorization',
  'body.credentials',
  'integration.credentials',
];

export type { Logger };

/**
 * A logger with credential redaction; `level` from LOG_LEVEL unless given. JSON lines by
 * default (for machines); LOG_FORMAT=pretty prints coloured one-line records for a person
 * at a terminal (pino-pretty, in pino's worker thread so the service is not slowed; coloured on a terminal).
 */
export function createLogger(
  name: string,
  options: LoggerOptions = {},
  format: string | undefined = process.env.LOG_FORMAT,
): Logger {
  return pino({
    name,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {}),
    ...options,
  });
}

/** The part of a logger that library code needs; both pino and Fastify's request loggers fit. */
export type LogSink = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
