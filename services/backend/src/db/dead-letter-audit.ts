import type pg from 'pg';

export interface DeadLetterAuditEntry {
  action: string;
  actor: string;
  detail: Record<string, unknown>;
  at: Date;
}

/** A dead letter's audit trail (who replayed or discarded it, when), oldest first. */
export async function deadLetterAudit(pool: pg.Pool, deadLetterId: number): Promise<DeadLetterAuditEntry[]> {
  const { rows } = await pool.query<DeadLetterAuditEntry>(
    'select action, actor, detail, at from dead_letter_audit where dead_letter_id = $1 order by id',
    [deadLetterId],
  );
  return rows;
}
