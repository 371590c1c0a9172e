import { timestampMs, type EntityType } from '@tributary/contracts';
import type { Page, SourceRecord } from './types.ts';

/** How far before the saved cursor an incremental run starts again (clock skew, late commits). */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

/** Most records a page carries, so the runner's raw-data batches stay bounded. */
export const MAX_PAGE_RECORDS = 500;

/** The later of two ISO instants (either may be null). */
export function laterOf(a: string | null | undefined, b: string | null | undefined): string | null {
  const am = timestampMs(a);
  const bm = timestampMs(b);
  if (am === null) return bm === null ? null : (b ?? null);
  if (bm === null) return a ?? null;
  return bm > am ? (b ?? null) : (a ?? null);
}

/** Where an incremental walk may stop: the saved cursor less the overlap, or null to walk everything. */
export function sinceMs(cursor: string | null | undefined, overlapMs: number): number | null {
  const at = timestampMs(cursor);
  return at === null ? null : at - overlapMs;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits records into pages of at most `MAX_PAGE_RECORDS`. */
export function* pagesOf(entityType: EntityType, records: SourceRecord[]): Generator<Page> {
  for (let i = 0; i < records.length; i += MAX_PAGE_RECORDS) {
    yield { entityType, records: records.slice(i, i + MAX_PAGE_RECORDS) };
  }
}

/** The source's id as a string (Jira sends strings, GitHub numbers); throws if the record has none. */
export function externalIdOf(raw: Record<string, unknown>, key: string, what: string): string {
  const value = raw[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new Error(`${what} without a usable ${key}: ${JSON.stringify(value)}`);
}

/**
 * `pages` with `checkpoint` on the last of them (a page without records when there are none), so the
 * position is saved once they are all stored, in the same call as the last one.
 */
export function* withCheckpoint(
  pages: Iterable<Page>,
  entityType: EntityType,
  checkpoint: NonNullable<Page['checkpoint']>,
): Generator<Page> {
  let last: Page | null = null;
  for (const page of pages) {
    if (last) yield last;
    last = page;
  }
  yield last ? { ...last, checkpoint } : { entityType, records: [], checkpoint };
}
