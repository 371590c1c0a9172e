import type pg from 'pg';
import { refreshFlowSummaries } from './flow-summary.ts';

interface KickLogger {
  warn: (details: object, message: string) => void;
}

/**
 * Starts a tenant's summary refresh in the background of the API process, not awaited by anyone:
 * after a flow configuration change commits, and when a request found the summaries behind (it
 * answered by the direct path meanwhile). At most one run per tenant at a time; a kick during a run
 * asks for one more pass after it. `close()` waits for the runs, before the pool closes.
 */
export class FlowSummaryKicker {
  readonly #pool: pg.Pool;
  readonly #logger: KickLogger;
  readonly #running = new Map<number, Promise<void>>();
  readonly #again = new Set<number>();
  #closed = false;

  constructor(pool: pg.Pool, logger: KickLogger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  kick(tenantId: number): void {
    if (this.#closed) return;
    if (this.#running.has(tenantId)) {
      this.#again.add(tenantId);
      return;
    }
    const run = async () => {
      do {
        this.#again.delete(tenantId);
        await refreshFlowSummaries(this.#pool, tenantId);
      } while (this.#again.has(tenantId) && !this.#closed);
    };
    this.#running.set(
      tenantId,
      run()
        .catch((error: unknown) => {
          this.#logger.warn(
            { err: error, tenant: tenantId },
            'flow summary refresh failed; the worker retries it',
          );
        })
        .finally(() => this.#running.delete(tenantId)),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#running.values()]);
  }
}
