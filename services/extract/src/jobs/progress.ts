import { streamProgressSchema, type EntityProgress, type StreamProgress } from '@tributary/contracts';

/**
 * The counters of one stream for one job. A job taken over by another extractor,
 * or retried, goes on from the counts the job already had, so the progress is the
 * job's and not the attempt's.
 */
export class StreamTally {
  readonly #progress: StreamProgress;

  constructor(previous: unknown) {
    const parsed = streamProgressSchema.safeParse(previous);
    // An older shape (or none): start counting afresh.
    this.#progress = parsed.success ? parsed.data : { pages: 0, entities: {} };
  }

  /** One source page, with what storing its records did. */
  page(entityType: string, counts: Omit<EntityProgress, 'seen'>): void {
    const current = (this.#progress.entities[entityType] ??= { seen: 0, new: 0, unchanged: 0, failed: 0 });
    current.seen += counts.new + counts.unchanged + counts.failed;
    current.new += counts.new;
    current.unchanged += counts.unchanged;
    current.failed += counts.failed;
    this.#progress.pages += 1;
  }

  get value(): StreamProgress {
    return structuredClone(this.#progress);
  }
}
