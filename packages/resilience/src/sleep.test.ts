import { describe, expect, it } from 'vitest';
import { sleep, sleepOrWake } from './sleep.ts';

describe('sleep', () => {
  it('rejects with the signal’s reason when aborted, also before it starts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    await expect(sleep(60_000, controller.signal)).rejects.toThrow('stopping');
  });

  it('resolves after the time when not aborted', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});

describe('sleepOrWake', () => {
  it('wakes early and resolves when the signal aborts, never rejecting', async () => {
    const controller = new AbortController();
    const waiting = sleepOrWake(60_000, controller.signal);
    controller.abort(new Error('wake up'));
    await expect(waiting).resolves.toBeUndefined();
    await expect(sleepOrWake(60_000, controller.signal)).resolves.toBeUndefined();
  });
});
