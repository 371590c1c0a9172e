import type pg from 'pg';

export interface DeadLetterRow {
  id: number;
  tenant_id: number | null;
  integration_id: number | null;
  entity_type: string | null;
  message_id: string;
  death_number: number;
  correlation_id: string | null;
  queue: string;
  routing_key: string;
  headers: Record<string, unknown>;
  body: string;
  reason: string;
  error_stack: string | null;
  attempts: number;
  first_failed_at: Date | null;
  dead_lettered_at: Date;
  status: 'dead' | 'replayed' | 'discarded';
  replay_count: number;
  replayed_at: Date | null;
  discarded_at: Date | null;
}

/** Which dead letters a request may see and act on; `tenantId` null is the admin's view of all. */
export interface DeadLetterFilter {
  tenantId: number | null;
  ids?: readonly number[] | undefined;
  entityType?: string | undefined;
  integrationId?: number | undefined;
  reason?: string | undefined;
  status?: DeadLetterRow['status'] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  beforeId?: number | undefined;
  limit: number;
}

const COLUMNS = `id, tenant_id, integration_id, entity_type, message_id, death_number, correlation_id, queue,
  routing_key, headers, body, reason, error_stack, attempts, first_failed_at, dead_lettered_at, status,
  replay_count, replayed_at, discarded_at`;

/** The filtered list, newest first; `lock` takes row locks (skipping rows another replay holds). */
export async function selectDeadLetters(
  db: pg.Pool | pg.PoolClient,
  filter: DeadLetterFilter,
  lock = false,
): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `select ${COLUMNS} from dead_letters
     where ($1::bigint is null or tenant_id = $1)
       and ($2::bigint[] is null or id = any($2))
       and ($3::text is null or entity_type = $3)
       and ($4::bigint is null or integration_id = $4)
       and ($5::text is null or position(lower($5) in lower(reason)) > 0)
       and ($6::text is null or status = $6)
       and ($7::timestamptz is null or dead_lettered_at >= $7)
       and ($8::timestamptz is null or dead_lettered_at < $8)
       and ($9::bigint is null or id < $9)
     order by id desc
     limit $10
     ${lock ? 'for update skip locked' : ''}`,
    [
      filter.tenantId,
      filter.ids ?? null,
      filter.entityType ?? null,
      filter.integrationId ?? null,
      filter.reason ?? null,
      filter.status ?? null,
      filter.since ?? null,
      filter.until ?? null,
      filter.beforeId ?? null,
      filter.limit,
    ],
  );
  return rows;
}

export async function recordAudit(
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

/** The wire view of a dead letter; the body is parsed when it is JSON, else returned as text. */
export function deadLetterView(row: DeadLetterRow, withBody: boolean) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  let body: unknown = row.body;
  try {
    body = JSON.parse(row.body);
  } catch {
    // Not JSON (that may be why it died): keep the text.
  }
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    integration_id: row.integration_id,
    entity_type: row.entity_type,
    message_id: row.message_id,
    correlation_id: row.correlation_id,
    queue: row.queue,
    routing_key: row.routing_key,
    reason: row.reason,
    attempts: row.attempts,
    status: row.status,
    replay_count: row.replay_count,
    first_failed_at: iso(row.first_failed_at),
    dead_lettered_at: row.dead_lettered_at.toISOString(),
    replayed_at: iso(row.replayed_at),
    discarded_at: iso(row.discarded_at),
    ...(withBody ? { error_stack: row.error_stack, headers: row.headers, body } : {}),
  };
}
