import type pg from 'pg';
import { STATUS_MAPPING_COLUMNS, type StatusMappingRow } from './status-mapping-row.ts';

/** The tenant's mappings (of one step, when given), by integration, status ignoring case, issue type. */
export async function listStatusMappings(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  stepId: number | null,
): Promise<StatusMappingRow[]> {
  const { rows } = await db.query<StatusMappingRow>(
    `select ${STATUS_MAPPING_COLUMNS} from status_mappings where tenant_id = $1 and ($2::bigint is null or flow_step_id = $2)
     order by integration_id, lower(source_status), issue_type nulls first, id`,
    [tenantId, stepId],
  );
  return rows;
}
