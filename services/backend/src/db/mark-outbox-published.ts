import type { Queryable } from './raw-data.ts';

// SKIP LOCKED: a row locked now is being deleted by its loading transaction, which needs no stamp;
// waiting on it would hold the publisher (and the pages call) behind a load.
const MARK = `
update raw_outbox set published_at = now(), claimed_until = null
where raw_id in (select raw_id from raw_outbox where raw_id = any($1::bigint[]) for update skip locked)`;

/** The broker confirmed a transform message for these rows: no relay publishes them again. */
export async function markOutboxPublished(db: Queryable, rawIds: readonly number[]): Promise<void> {
  if (rawIds.length > 0) await db.query(MARK, [rawIds]);
}
