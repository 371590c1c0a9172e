import type pg from 'pg';

/** Gives up a replay's claim on a letter it did not replay, so the next replay may take it. */
export async function releaseDeadLetterClaim(db: pg.Pool, id: number): Promise<void> {
  await db.query('update dead_letters set replay_claimed_at = null where id = $1', [id]);
}
