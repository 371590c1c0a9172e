import type pg from 'pg';
import type { Logger } from '@tributary/observability';
import { jobView } from '../db/jobs.ts';
import { selectJobs } from '../db/select-jobs.ts';
import { selectDeadLetters } from '../db/select-dead-letters.ts';
import { deadLetterView } from '../dead-letters/dead-letter-view.ts';
import type { EventHub } from './event-hub.ts';
import type { ChangeNotification } from './event-types.ts';

/** How long notifications are gathered before rows are re-read: a burst of page writes becomes one read. */
const FLUSH_MS = 50;

/**
 * Turns change notifications into events. The notification says only which row
 * changed and for whom; the row is read again here, filtered by that tenant, so
 * what a client receives is the row as it is now (notifications may arrive late or
 * twice) and never more than its tenant may see.
 */
export class ChangeReader {
  readonly #pool: pg.Pool;
  readonly #hub: EventHub;
  readonly #logger: Logger;
  /** job id → whether any of its pending notifications changed the status */
  readonly #jobs = new Map<number, { tenantId: number; statusChanged: boolean }>();
  readonly #deadLetters = new Map<number, number | null>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool, hub: EventHub, logger: Logger) {
    this.#pool = pool;
    this.#hub = hub;
    this.#logger = logger;
  }

  add(change: ChangeNotification): void {
    if (change.table === 'etl_jobs') {
      if (change.tenant_id === null) return;
      const pending = this.#jobs.get(change.id);
      this.#jobs.set(change.id, {
        tenantId: change.tenant_id,
        statusChanged: (pending?.statusChanged ?? false) || change.status_changed,
      });
    } else {
      this.#deadLetters.set(change.id, change.tenant_id);
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing
        .then(() => this.#flush())
        .catch((error: unknown) => {
          this.#logger.warn({ err: error }, 'could not read changed rows for live events');
        });
    }, FLUSH_MS);
  }

  /** Waits for reads in progress (tests, shutdown). */
  async idle(): Promise<void> {
    await this.#flushing;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #flush(): Promise<void> {
    const jobs = new Map(this.#jobs);
    const deadLetters = new Map(this.#deadLetters);
    this.#jobs.clear();
    this.#deadLetters.clear();
    if (jobs.size > 0) {
      for (const row of await selectJobs(this.#pool, [...jobs.keys()])) {
        const pending = jobs.get(row.id);
        // The row's own tenant decides, not the notification's claim.
        if (!pending || pending.tenantId !== row.tenant_id) continue;
        const type = pending.statusChanged ? 'job_status' : 'progress_update';
        this.#hub.publish({ tenantId: row.tenant_id, admin: false }, { type, job: jobView(row) });
      }
    }
    if (deadLetters.size > 0) {
      const rows = await selectDeadLetters(this.#pool, {
        tenantId: null,
        ids: [...deadLetters.keys()],
        limit: deadLetters.size,
      });
      // Oldest first, as they happened.
      for (const row of rows.reverse()) {
        this.#hub.publish(
          { tenantId: row.tenant_id, admin: true },
          { type: 'dead_letter', dead_letter: deadLetterView(row, false) },
        );
      }
    }
  }
}
