/** A field-level problem, addressed by a dotted path into the body or query. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error that knows its HTTP status and stable code; everything else becomes a 500 with no internals. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[] | undefined;
  constructor(status: number, code: string, message: string, details?: ErrorDetail[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: ErrorDetail[]) {
    super(400, 'VALIDATION_FAILED', message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'a valid bearer token is required') {
    super(401, 'UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details?: ErrorDetail[]) {
    super(403, 'FORBIDDEN', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, details?: ErrorDetail[]) {
    super(404, 'NOT_FOUND', `${what} not found`, details);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, 'CONFLICT', message);
  }
}

/**
 * The job is RUNNING under an extractor that still sends heartbeats. Not final:
 * that extractor may have just died (its message came back to the queue), so the
 * caller tries again later and claims the job once the heartbeat is stale.
 */
export class JobClaimedError extends AppError {
  /** Seconds until that extractor's heartbeat is stale and the job may be taken over (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number) {
    super(409, 'JOB_CLAIMED', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UpstreamUnavailableError extends AppError {
  /** Sent as `Retry-After` when set: when trying again makes sense. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds?: number) {
    super(503, 'UNAVAILABLE', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Too many failed authentications from one client address; `retryAfterSeconds` until it may try again. */
export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
