import type pg from 'pg';
import { DEAD_LETTER_COLUMNS, type DeadLetterRow } from './dead-letter-row.ts';

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

/** The filtered list, newest first; `lock` takes row locks (skipping rows another replay holds). */
export async function selectDeadLetters(
  db: pg.Pool | pg.PoolClient,
  filter: DeadLetterFilter,
  lock = false,
): Promise<DeadLetterRow[]> {
  const { rows } = await db.query<DeadLetterRow>(
    `select ${DEAD_LETTER_COLUMNS} from dead_letters
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
