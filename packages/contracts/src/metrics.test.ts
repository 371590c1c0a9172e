import { describe, expect, it } from 'vitest';
import { metricScopeQuerySchema } from './metrics.ts';

const bounds = (from: string, to: string) => metricScopeQuerySchema.safeParse({ from, to });

describe('metric range bounds', () => {
  it('read a date as midnight UTC and a date-time without an offset as UTC', () => {
    const parsed = bounds('2026-01-01', '2026-01-02T06:30');
    expect(parsed.success && [parsed.data.from.toISOString(), parsed.data.to.toISOString()]).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-02T06:30:00.000Z',
    ]);
  });

  it('keep an explicit offset', () => {
    const parsed = bounds('2026-01-01T10:00:00+02:00', '2026-01-02');
    expect(parsed.success && parsed.data.from.toISOString()).toBe('2026-01-01T08:00:00.000Z');
  });

  it.each(['2026-02-30', '2026-13-01', 'yesterday', '1767225600000'])(
    'refuse %s, naming the field',
    (from) => {
      const parsed = bounds(from, '2026-12-31');
      expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['from', 'expected an ISO date'],
      ]);
    },
  );
});
