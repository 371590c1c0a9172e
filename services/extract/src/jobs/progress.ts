import { streamProgressSchema, type StreamProgress } from '@tributary/contracts';

/**
 * The counters of one stream for one job. A job taken over by another extractor,
 * or retried, goes on from the counts the job already had, so the progress is the
 * job's and not the attempt's. The backend adds each stored page's counts (in the
 * page's transaction) and answers the total, which this then follows.
 */
export class StreamTally {
  #progress: StreamProgress;

  constructor(previous: unknown) {
    const parsed = streamProgressSchema.safeParse(previous);
    // An older shape (or none): start counting afresh.
    this.#progress = parsed.success ? parsed.data : { pages: 0, entities: {} };
  }

  /** The stream's progress as the backend saved it with the last page. */
  follow(progress: StreamProgress): void {
    this.#progress = structuredClone(progress);
  }

  get value(): StreamProgress {
    return structuredClone(this.#progress);
  }
}
