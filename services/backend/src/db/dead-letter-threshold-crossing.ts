import type pg from 'pg';

export interface DeadLetterCrossing {
  /** The letter that reached the threshold: the `threshold`-th oldest of the tenant's dead ones. */
  id: number;
  /** How many of the tenant's letters are dead. */
  total: number;
}

/** Whether the tenant has at least `threshold` (≥ 1) dead letters, and which one reached it; undefined when not. */
export async function deadLetterThresholdCrossing(
  pool: pg.Pool,
  tenantId: number,
  threshold: number,
): Promise<DeadLetterCrossing | undefined> {
  // The window counts every dead letter before offset and limit keep the one at the threshold.
  const { rows } = await pool.query<DeadLetterCrossing>(
    `select id, count(*) over ()::int as total from dead_letters
     where tenant_id = $1 and status = 'dead' order by id offset $2 - 1 limit 1`,
    [tenantId, threshold],
  );
  return rows[0];
}
