/** A status_mappings row as the statements in this folder return it (ids are bigint, so text). */
export interface StatusMappingRow {
  id: string;
  integration_id: string;
  source_status: string;
  issue_type: string | null;
  flow_step_id: string;
  active: boolean;
}

export const STATUS_MAPPING_COLUMNS = 'id, integration_id, source_status, issue_type, flow_step_id, active';

/** What a mapping says: this integration's status (for one issue type, or all) belongs to that step. */
export interface StatusMappingValues {
  integration_id: number;
  source_status: string;
  issue_type: string | null;
  flow_step_id: number;
  active: boolean;
}
