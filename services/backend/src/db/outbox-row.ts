import type { EntityType } from '@tributary/contracts';

/** An outbox row as its publisher needs it: what goes into the transform message. */
export interface OutboxRow {
  raw_id: number;
  tenant_id: number;
  integration_id: number;
  entity_type: EntityType;
  job_id: number | null;
}
