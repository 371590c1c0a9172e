import type pg from 'pg';

/**
 * Claims still-dead letters for one replay (`replay_claimed_at`), so two replays cannot both
 * publish a letter; a claim older than `staleSeconds` belongs to a replay that died between
 * publishing and recording and is taken over. Returns the ids this call claimed.
 */
export async function claimDeadLettersForReplay(
  db: pg.PoolClient,
  ids: readonly number[],
  staleSeconds: number,
): Promise<Set<number>> {
  const { rows } = await db.query<{ id: number }>(
    `update dead_letters set replay_claimed_at = now()
     where id = any($1::bigint[]) and status = 'dead'
       and (replay_claimed_at is null or replay_claimed_at < now() - make_interval(secs => $2))
     returning id`,
    [ids, staleSeconds],
  );
  return new Set(rows.map((row) => Number(row.id)));
}
