import type pg from 'pg';

/** A dead letter whose replay the broker confirmed (or whose record was stored again): replayed once more, claim released. */
export async function markDeadLetterReplayed(db: pg.PoolClient, id: number): Promise<void> {
  await db.query(
    `update dead_letters set status = 'replayed', replay_count = replay_count + 1, replayed_at = now(), replay_claimed_at = null
     where id = $1`,
    [id],
  );
}
