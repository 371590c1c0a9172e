import type { LogSink } from '@tributary/observability';
import type { BackendClient, JobControlState } from '../backend-client.ts';

/** Thrown before a source request when the job was cancelled or paused: the run stops where it is. */
export class JobStoppedError extends Error {
  readonly reason: 'cancelled' | 'paused' | 'gone';
  constructor(jobId: number, reason: 'cancelled' | 'paused' | 'gone', status: string) {
    super(`job ${jobId} stopped: ${reason} (status ${status})`);
    this.reason = reason;
  }
}

/**
 * Heartbeats a running job and answers "may I make the next request?". The
 * answer is at most `freshMs` old, so a cancel or pause takes effect before the
 * next source request without a backend round trip per request.
 */
export class JobControl {
  readonly #backend: BackendClient;
  readonly #tenantId: number;
  readonly #jobId: number;
  readonly #freshMs: number;
  readonly #logger: LogSink;
  #state: JobControlState = { status: 'RUNNING', cancel_requested: false };
  #checkedAt = 0;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    backend: BackendClient,
    tenantId: number,
    jobId: number,
    options: { heartbeatSeconds: number; freshMs?: number; logger: LogSink },
  ) {
    this.#backend = backend;
    this.#tenantId = tenantId;
    this.#jobId = jobId;
    this.#freshMs = options.freshMs ?? 1000;
    this.#logger = options.logger;
    this.#timer = setInterval(
      () => void this.#refresh().catch(() => undefined),
      options.heartbeatSeconds * 1000,
    );
    this.#timer.unref();
  }

  /** Throws JobStoppedError when the job must not go on; called before every source request. */
  check = async (): Promise<void> => {
    if (Date.now() - this.#checkedAt > this.#freshMs) {
      // A backend that cannot answer does not stop the run here; its own breaker
      // decides when the job pauses.
      await this.#refresh().catch((error: unknown) =>
        this.#logger.warn({ err: error, jobId: this.#jobId }, 'job control check failed; going on'),
      );
    }
    const { status, cancel_requested } = this.#state;
    if (cancel_requested || status === 'CANCELLED')
      throw new JobStoppedError(this.#jobId, 'cancelled', status);
    if (status === 'PAUSED') throw new JobStoppedError(this.#jobId, 'paused', status);
    if (status !== 'RUNNING') throw new JobStoppedError(this.#jobId, 'gone', status);
  };

  stop(): void {
    clearInterval(this.#timer);
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#backend
      .heartbeat(this.#tenantId, this.#jobId)
      .then((state) => {
        this.#state = state;
        this.#checkedAt = Date.now();
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }
}
