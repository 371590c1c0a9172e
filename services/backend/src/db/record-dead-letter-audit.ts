import type pg from 'pg';

/** Appends to a dead letter's audit trail: who replayed or discarded it, and what it was. */
export async function recordDeadLetterAudit(
  db: pg.Pool | pg.PoolClient,
  deadLetterId: number,
  action: 'replay' | 'discard',
  actor: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db.query(
    'insert into dead_letter_audit (dead_letter_id, action, actor, detail) values ($1, $2, $3, $4::jsonb)',
    [deadLetterId, action, actor, JSON.stringify(detail)],
  );
}
