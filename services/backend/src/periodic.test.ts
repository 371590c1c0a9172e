import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPeriodic } from './periodic.ts';

/** A log sink that keeps the warnings. */
function recordingLogger() {
  const warnings: Array<{ fields: unknown; message: string | undefined }> = [];
  const ignore = () => undefined;
  return {
    warnings,
    logger: {
      info: ignore,
      debug: ignore,
      error: ignore,
      warn: (fields: unknown, message?: string) => void warnings.push({ fields, message }),
    },
  };
}

describe('startPeriodic', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a pass each interval, never two at once; a failed pass is logged and the next one runs', async () => {
    vi.useFakeTimers();
    const { logger, warnings } = recordingLogger();
    let started = 0;
    let finish: (() => void) | undefined;
    const periodic = startPeriodic({ intervalSeconds: 1, logger, failure: 'pass failed' }, async () => {
      started += 1;
      if (started === 1) throw new Error('first pass broke');
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toBe(1);
    expect(warnings).toEqual([{ fields: { err: new Error('first pass broke') }, message: 'pass failed' }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(2);
    // The second pass is still going: the ticks meanwhile start none.
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toBe(2);
    finish!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(3);
    finish!();
    await periodic.stop();
  });

  it('stop aborts the pass in progress and waits for it to end; no pass starts after', async () => {
    vi.useFakeTimers();
    const { logger } = recordingLogger();
    let started = 0;
    let ended = false;
    const periodic = startPeriodic({ intervalSeconds: 1, logger, failure: 'pass failed' }, async (signal) => {
      started += 1;
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      ended = true;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    await periodic.stop();
    expect(ended).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toBe(1);
  });
});
