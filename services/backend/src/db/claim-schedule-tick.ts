import type pg from 'pg';

// Compare-and-set on last_scheduled_at, so of several backends exactly one triggers a tick.
// Compared at millisecond precision: the value read back into a JS Date has no microseconds.
const CLAIM_SCHEDULE_TICK = `
update integrations set last_scheduled_at = $2
where id = $1 and date_trunc('milliseconds', last_scheduled_at) is not distinct from $3 returning id`;

/** True when this caller moved the integration's last tick from `last` to `now`. */
export async function claimScheduleTick(
  pool: pg.Pool,
  integrationId: number,
  now: Date,
  last: Date | null,
): Promise<boolean> {
  const claimed = await pool.query(CLAIM_SCHEDULE_TICK, [integrationId, now, last]);
  return claimed.rowCount === 1;
}
