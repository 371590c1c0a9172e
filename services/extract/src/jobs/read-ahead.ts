/**
 * Reads a stream's pages ahead of their consumer: while the consumer stores the page it was
 * handed, up to `inFlight - 1` further pages are fetched, so a store and a fetch overlap
 * (`inFlight` 1: fetch, store, fetch, … one at a time). Pages come out in the source's order,
 * so checkpoints are saved in order; an error of a page fetched ahead surfaces only once the
 * pages before it were handed out (and stored).
 */
export async function* readAhead<T>(
  source: AsyncGenerator<T, void, undefined>,
  inFlight: number,
): AsyncGenerator<T, void, undefined> {
  const queued: Promise<IteratorResult<T, void>>[] = [];
  let finished = false;
  try {
    for (;;) {
      // An async generator runs queued next() calls one after the other: the source still
      // fetches one page at a time, only no longer waits for the store of the one before.
      while (!finished && queued.length < Math.max(1, inFlight)) {
        const next = source.next();
        // Awaited below in order; this only keeps a rejection not yet awaited from counting as unhandled.
        next.catch(() => undefined);
        queued.push(next);
      }
      const result = await queued.shift()!;
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // The consumer stopped early (an error, a pause): end the source after the fetches under way,
    // which the caller's abort signal cuts short.
    if (!finished) source.return(undefined).catch(() => undefined);
  }
}

/** Runs `work` for each item, at most `limit` at once; the first failure stops starting new ones and is thrown once all started have settled. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
}
