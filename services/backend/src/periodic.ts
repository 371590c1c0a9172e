import type { LogSink } from '@tributary/observability';

/** Background work that runs until stopped. */
export interface Periodic {
  /** Stops the timer, aborts the pass's signal, and waits for a pass in progress to end. */
  stop: () => Promise<void>;
}

/**
 * Runs `pass` every `intervalSeconds` until stopped. A pass still going when the next is due (a
 * long rebuild, a big backlog, a slow receiver or broker) is not joined by another; one that
 * fails is logged as `failure` and the next tries again. The timer keeps no process alive.
 */
export function startPeriodic(
  options: { intervalSeconds: number; logger: LogSink; failure: string },
  pass: (signal: AbortSignal) => Promise<unknown>,
): Periodic {
  const stopping = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = pass(stopping.signal)
      .catch((error: unknown) => options.logger.warn({ err: error }, options.failure))
      .finally(() => (busy = false));
  }, options.intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
