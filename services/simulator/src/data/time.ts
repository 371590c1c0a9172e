import { hashInts } from './prng.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * The instant generated history ends at. Fixed per seed (not wall-clock) so the same seed always
 * gives byte-identical data, and always in the past so run-time mutations (stamped with the real
 * clock) sort after every generated record.
 */
export function epochForSeed(seed: number): number {
  return Date.UTC(2025, 0, 1) - (hashInts(seed, 7) % 90) * DAY;
}

/** Jira's wire format: `2024-03-01T10:15:30.123+0000`. */
export function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** GitHub's wire format: `2024-03-01T10:15:30Z` (no milliseconds). */
export function githubTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
