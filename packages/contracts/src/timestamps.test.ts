import { describe, expect, it } from 'vitest';
import { parseTimestamp as parseTime } from './timestamps.ts';

describe('parseTimestamp', () => {
  it('reads Jira timestamps (offset without a colon)', () => {
    expect(parseTime('2024-03-01T10:15:30.123+0000')?.toISOString()).toBe('2024-03-01T10:15:30.123Z');
    expect(parseTime('2024-03-01T10:15:30.123+0100')?.toISOString()).toBe('2024-03-01T09:15:30.123Z');
    expect(parseTime('2024-03-01T10:15:30.123-0530')?.toISOString()).toBe('2024-03-01T15:45:30.123Z');
  });

  it('reads GitHub and other ISO 8601 timestamps', () => {
    expect(parseTime('2024-03-01T10:15:30Z')?.toISOString()).toBe('2024-03-01T10:15:30.000Z');
    expect(parseTime('2024-03-01T10:15:30+02:00')?.toISOString()).toBe('2024-03-01T08:15:30.000Z');
    expect(parseTime('2024-03-01T10:15Z')?.toISOString()).toBe('2024-03-01T10:15:00.000Z');
    expect(parseTime('2024-03-01T10:15:30.123456Z')?.toISOString()).toBe('2024-03-01T10:15:30.123Z');
  });

  it('rejects what is not a zoned date-time', () => {
    for (const bad of [
      '',
      'yesterday',
      '2024-03-01',
      '2024-03-01T10:15:30',
      '2024-02-30T10:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-03-01T25:00:00Z',
    ]) {
      expect(parseTime(bad), bad).toBeNull();
    }
  });

  it('reads epoch milliseconds as a number or a numeric string (bulkfetch `created`)', () => {
    expect(parseTime(1709288130123)?.toISOString()).toBe('2024-03-01T10:15:30.123Z');
    expect(parseTime('1709288130123')?.toISOString()).toBe('2024-03-01T10:15:30.123Z');
    expect(parseTime(1.5)).toBeNull();
    // Epoch seconds would read as January 1970: refused, not silently misread.
    expect(parseTime(1709288130)).toBeNull();
    expect(parseTime('1709288130')).toBeNull();
    expect(parseTime(Number.NaN)).toBeNull();
    expect(parseTime(null)).toBeNull();
    expect(parseTime({})).toBeNull();
  });

  it('reads offsets with hours only and seconds without fractions', () => {
    expect(parseTime('2024-03-01T10:15:30+05')?.toISOString()).toBe('2024-03-01T05:15:30.000Z');
    expect(parseTime('2024-03-01T10:15:30-08:00')?.toISOString()).toBe('2024-03-01T18:15:30.000Z');
  });

  it('accepts a leap day', () => {
    expect(parseTime('2024-02-29T00:00:00.000+0000')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});
