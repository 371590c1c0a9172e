import type pg from 'pg';
import { STATUS_MAPPING_COLUMNS, type StatusMappingRow } from './status-mapping-row.ts';

export async function findStatusMapping(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
): Promise<StatusMappingRow | undefined> {
  const { rows } = await db.query<StatusMappingRow>(
    `select ${STATUS_MAPPING_COLUMNS} from status_mappings where tenant_id = $1 and id = $2`,
    [tenantId, id],
  );
  return rows[0];
}
