import type { Queryable } from './raw-data.ts';

const RELEASE = `
update raw_outbox set claimed_until = null
where raw_id in (select raw_id from raw_outbox where raw_id = any($1::bigint[]) and published_at is null for update skip locked)`;

/** A publish failed: hand the rows to the next relay pass at once instead of when the claim runs out. */
export async function releaseOutboxClaims(db: Queryable, rawIds: readonly number[]): Promise<void> {
  if (rawIds.length > 0) await db.query(RELEASE, [rawIds]);
}
