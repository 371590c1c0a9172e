import { describe, expect, it } from 'vitest';
import { forEachBounded, readAhead } from './read-ahead.ts';

/** Lets every pending promise callback run (no clock involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A source of pages 1…n that records which page fetches were started; page `failAt` throws. */
function source(n: number, failAt?: number) {
  const started: number[] = [];
  async function* pages(): AsyncGenerator<number, void, undefined> {
    for (let page = 1; page <= n; page++) {
      started.push(page);
      await Promise.resolve();
      if (page === failAt) throw new Error(`page ${page} failed`);
      yield page;
    }
  }
  return { started, pages: pages() };
}

describe('readAhead', () => {
  it('fetches at most K pages while the consumer holds one, and hands them out in order', async () => {
    for (const inFlight of [1, 2, 3]) {
      const { started, pages } = source(6);
      const reader = readAhead(pages, inFlight);
      expect((await reader.next()).value).toBe(1);
      await settle();
      // Page 1 is being stored; pages 2…K are fetched meanwhile, no further.
      expect(started).toEqual(Array.from({ length: inFlight }, (_, i) => i + 1));
      const rest: number[] = [];
      for await (const page of reader) rest.push(page);
      expect(rest).toEqual([2, 3, 4, 5, 6]);
    }
  });

  it('a page fetched ahead that fails surfaces only after the pages before it were handed out', async () => {
    const { pages } = source(5, 3);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(pages, 3)) seen.push(page);
      })(),
    ).rejects.toThrow('page 3 failed');
    expect(seen).toEqual([1, 2]);
  });

  it('a consumer that stops early ends the source without an unhandled rejection', async () => {
    const { started, pages } = source(10, 2);
    for await (const page of readAhead(pages, 2)) {
      expect(page).toBe(1);
      break;
    }
    await settle();
    expect(started).toEqual([1, 2]);
  });
});

describe('forEachBounded', () => {
  it('runs at most `limit` at once and throws the first failure once the started ones settled', async () => {
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    await expect(
      forEachBounded([1, 2, 3, 4, 5], 2, async (item) => {
        running += 1;
        peak = Math.max(peak, running);
        if (item === 2) {
          running -= 1;
          throw new Error('item 2 failed');
        }
        await settle();
        running -= 1;
        finished.push(item);
      }),
    ).rejects.toThrow('item 2 failed');
    expect(peak).toBe(2);
    // Item 1, under way when item 2 failed, finished; nothing was started after the failure.
    expect(finished).toEqual([1]);
  });
});
