import { describe, expect, it } from 'vitest';
import { prefetchFor, workerCount } from './worker-sizing.ts';

describe('workerCount', () => {
  it.each([
    // batches, perBatch, min, max, expected
    [0, 1, 1, 8, 1],
    [0, 1, 0, 8, 0],
    [3, 1, 1, 8, 3],
    [3, 0.5, 1, 8, 2],
    [1, 0.1, 1, 8, 1],
    [7, 0.25, 2, 8, 2],
    [100, 1, 1, 8, 8],
    [8, 1, 1, 8, 8],
    [5, 2, 0, 20, 10],
    [4, 1, 4, 4, 4],
  ])('batches=%d perBatch=%d min=%d max=%d → %d', (batches, perBatch, min, max, expected) => {
    expect(workerCount({ batches, perBatch, min, max })).toBe(expected);
  });

  it.each([
    [{ batches: 1, perBatch: 1, min: 5, max: 2 }, /min \(5\) must not exceed max \(2\)/],
    [{ batches: -1, perBatch: 1, min: 0, max: 2 }, /batches/],
    [{ batches: 1, perBatch: -0.5, min: 0, max: 2 }, /perBatch/],
    [{ batches: 1, perBatch: 1, min: -1, max: 2 }, /min/],
    [{ batches: 1, perBatch: 1, min: 0, max: 2.5 }, /max/],
    [{ batches: Number.NaN, perBatch: 1, min: 0, max: 2 }, /batches/],
  ])('rejects %o', (input, message) => {
    expect(() => workerCount(input)).toThrow(message);
  });
});

describe('prefetchFor', () => {
  it('is workers × perWorker, at least 1', () => {
    expect(prefetchFor(4, 10)).toBe(40);
    expect(prefetchFor(1, 1)).toBe(1);
    expect(prefetchFor(0, 10)).toBe(1);
  });

  it('rejects negative or fractional input', () => {
    expect(() => prefetchFor(-1, 10)).toThrow(/workers/);
    expect(() => prefetchFor(2, 1.5)).toThrow(/perWorker/);
  });
});
