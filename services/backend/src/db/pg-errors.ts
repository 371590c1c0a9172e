import type { DatabaseError } from 'pg';

/** A unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): error is DatabaseError {
  const dbError = error as Partial<DatabaseError> | null;
  return dbError?.code === '23505' && (constraint === undefined || dbError.constraint === constraint);
}

/** Errors that mean the database could not be reached or went away mid-statement. */
export function isConnectionError(error: unknown): boolean {
  const err = error as { code?: string; message?: string } | null;
  if (!err) return false;
  if (
    err.code &&
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
      '08004',
    ].includes(err.code)
  ) {
    return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(
    err.message ?? '',
  );
}
