import type { DeadLetterRow } from '../db/dead-letter-row.ts';

/** The wire view of a dead letter; the body is parsed when it is JSON, else returned as text. */
export function deadLetterView(row: DeadLetterRow, withBody: boolean) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  let body: unknown = row.body;
  try {
    body = JSON.parse(row.body);
  } catch {
    // Not JSON (that may be why it died): keep the text.
  }
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    integration_id: row.integration_id,
    entity_type: row.entity_type,
    message_id: row.message_id,
    correlation_id: row.correlation_id,
    queue: row.queue,
    routing_key: row.routing_key,
    reason: row.reason,
    attempts: row.attempts,
    status: row.status,
    replay_count: row.replay_count,
    first_failed_at: iso(row.first_failed_at),
    dead_lettered_at: row.dead_lettered_at.toISOString(),
    replayed_at: iso(row.replayed_at),
    discarded_at: iso(row.discarded_at),
    ...(withBody ? { error_stack: row.error_stack, headers: row.headers, body } : {}),
  };
}
