// The wire form of GET /api/v1/system/health and the `system_health` live event: built by the
// backend (events/system-health.ts), shown by the dashboard (Overview). Types only, so the
// dashboard can import them without bundling zod.

/** A circuit breaker as the dashboard shows it. */
export interface BreakerView {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  failures: number;
  /** OPEN: ms left until probes are let through. */
  ms_until_half_open: number | null;
  half_open_at: string | null;
  last_error: string | null;
  /** Whether the viewer may reset it (a tenant: its own integrations' breakers). */
  resettable: boolean;
}

/** Database, broker, queue depths and breakers, as one answer. */
export interface SystemHealth {
  at: string;
  database: { ok: boolean; error: string | null };
  broker: { ok: boolean; blocked: boolean; error: string | null };
  /** Ready messages per queue; null when the broker could not be asked. */
  queues: { name: string; depth: number | null }[];
  /** null when the extract service (which owns the breakers) could not be reached. */
  breakers: BreakerView[] | null;
  breakers_error: string | null;
}
