import type { Queryable } from './raw-data.ts';
import type { OutboxRow } from './outbox-row.ts';

// One statement, so it commits before anything is published: SKIP LOCKED gives concurrent relays
// disjoint rows, and the claim they stamp keeps every other relay off them until it runs out.
// A row the broker confirmed (published_at set) is never taken again, however long it waits.
const CLAIM = `
with due as (
  select raw_id from raw_outbox
  where published_at is null and (claimed_until is null or claimed_until < now())
  order by raw_id
  limit $1
  for update skip locked
)
update raw_outbox o set claimed_until = now() + make_interval(secs => $2)
from due where o.raw_id = due.raw_id
returning o.raw_id, o.tenant_id, o.integration_id, o.entity_type, o.job_id`;

/** Claims up to `limit` outbox rows that never got a confirmed publish and whose claim ran out. */
export async function claimOutboxForRelay(
  db: Queryable,
  limit: number,
  claimSeconds: number,
): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(CLAIM, [limit, claimSeconds]);
  return rows;
}
