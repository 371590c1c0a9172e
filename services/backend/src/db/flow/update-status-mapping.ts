import type pg from 'pg';
import {
  STATUS_MAPPING_COLUMNS,
  type StatusMappingRow,
  type StatusMappingValues,
} from './status-mapping-row.ts';

/** Rewrites a mapping (its integration never changes). */
export async function updateStatusMapping(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  id: number,
  m: Omit<StatusMappingValues, 'integration_id'>,
): Promise<StatusMappingRow | undefined> {
  const { rows } = await db.query<StatusMappingRow>(
    `update status_mappings set source_status = $3, issue_type = $4, flow_step_id = $5, active = $6
     where tenant_id = $1 and id = $2 returning ${STATUS_MAPPING_COLUMNS}`,
    [tenantId, id, m.source_status, m.issue_type, m.flow_step_id, m.active],
  );
  return rows[0];
}
