import type { Queryable } from './raw-data.ts';

const UPSERT = `
insert into sync_state (tenant_id, integration_id, stream, scope, cursor, etag)
select $1, id, $3, $4, $5, $6 from integrations where id = $2 and tenant_id = $1 and deleted_at is null
on conflict (integration_id, stream, scope)
do update set cursor = excluded.cursor, etag = excluded.etag, updated_at = now()`;

// The job keeps its own positions: a full run resumes from them after a takeover.
const JOB_CHECKPOINT = `
update etl_jobs set checkpoints = checkpoints || jsonb_build_object($3::text, jsonb_build_object('cursor', $4::text, 'etag', $5::text))
where id = $1 and tenant_id = $2`;

export interface SavedPosition {
  stream: string;
  scope: string;
  cursor: string | null;
  etag: string | null;
  jobId?: number | undefined;
}

/** Saves a stream × scope cursor (and on its job when named); false when the integration is gone. */
export async function saveSyncState(
  db: Queryable,
  tenantId: number,
  integrationId: number,
  position: SavedPosition,
): Promise<boolean> {
  const { rowCount } = await db.query(UPSERT, [
    tenantId,
    integrationId,
    position.stream,
    position.scope,
    position.cursor,
    position.etag,
  ]);
  if (rowCount === 0) return false;
  if (position.jobId !== undefined) {
    await db.query(JOB_CHECKPOINT, [
      position.jobId,
      tenantId,
      `${position.stream}|${position.scope}`,
      position.cursor,
      position.etag,
    ]);
  }
  return true;
}
