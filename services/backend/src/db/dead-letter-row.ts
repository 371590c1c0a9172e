/** A `dead_letters` row as every dead-letter statement returns it. */
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

/** The columns of a {@link DeadLetterRow}, in order. */
export const DEAD_LETTER_COLUMNS = `id, tenant_id, integration_id, entity_type, message_id, death_number, correlation_id, queue,
  routing_key, headers, body, reason, error_stack, attempts, first_failed_at, dead_lettered_at, status,
  replay_count, replayed_at, discarded_at`;
