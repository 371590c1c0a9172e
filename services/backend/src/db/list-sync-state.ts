import type { SyncStateRow } from '@tributary/contracts';
import type { Queryable } from './raw-data.ts';

/** Every saved cursor of an integration. */
export async function listSyncState(
  db: Queryable,
  tenantId: number,
  integrationId: number,
): Promise<SyncStateRow[]> {
  const { rows } = await db.query<SyncStateRow>(
    'select stream, scope, cursor, etag from sync_state where tenant_id = $1 and integration_id = $2 order by stream, scope',
    [tenantId, integrationId],
  );
  return rows;
}
