import type pg from 'pg';

/** Marks a dead letter discarded (kept for the audit trail, no longer offered for replay). */
export async function discardDeadLetter(db: pg.PoolClient, id: number): Promise<void> {
  await db.query(`update dead_letters set status = 'discarded', discarded_at = now() where id = $1`, [id]);
}
