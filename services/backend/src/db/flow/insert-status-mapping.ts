import type pg from 'pg';
import {
  STATUS_MAPPING_COLUMNS,
  type StatusMappingRow,
  type StatusMappingValues,
} from './status-mapping-row.ts';

export async function insertStatusMapping(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  m: StatusMappingValues,
): Promise<StatusMappingRow> {
  const { rows } = await db.query<StatusMappingRow>(
    `insert into status_mappings (tenant_id, integration_id, source_status, issue_type, flow_step_id, active)
     values ($1, $2, $3, $4, $5, $6) returning ${STATUS_MAPPING_COLUMNS}`,
    [tenantId, m.integration_id, m.source_status, m.issue_type, m.flow_step_id, m.active],
  );
  return rows[0]!;
}
