/** Network-level errors meaning "no usable connection to the server". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs meaning the server is down, going down, not yet up, full, or too slow:
 * class 08 (connection exception), 57P01–57P03 (shutdown / cannot connect now),
 * 53300 (too many connections), 57014 (statement timeout / cancelled).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** pg's own messages for a connection that died or never came. */
const CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|query read timeout|not queryable/i;

/**
 * Whether an error says the database is unavailable (down, restarting, hung,
 * unreachable) rather than that the statement or the data is wrong. Callers use
 * it to answer 503 and to drive a circuit breaker; a constraint violation or a
 * bad query is not the database's fault and returns false.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code)) return true;
  }
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
}
