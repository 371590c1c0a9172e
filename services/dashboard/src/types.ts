// Wire shapes of the backend API (snake_case, as the API sends them).

export type JobStatus = 'PENDING' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED' | 'CANCELLED';

export interface StreamProgress {
  records?: number;
  new_records?: number;
  pages?: number;
  total?: number;
  [key: string]: unknown;
}

export interface Job {
  id: number;
  integration_id: number;
  status: JobStatus;
  mode: 'incremental' | 'full';
  streams: string[];
  trigger: string;
  /** Per stream; what the extractor reports (records, new_records, pages; total where known). */
  progress: Record<string, unknown>;
  /** Read from the source; of them `records_extracted` were new, `records_unchanged` already stored alike, `records_failed` refused or failed. */
  records_seen: number;
  records_extracted: number;
  records_unchanged: number;
  records_transformed: number;
  records_failed: number;
  error: string | null;
  pause_reason: string | null;
  paused_by: 'user' | 'system' | null;
  cancel_requested: boolean;
  attempts: number;
  next_retry_at: string | null;
  heartbeat_at: string | null;
  extraction_finished_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface Integration {
  id: number;
  type: 'jira' | 'github';
  name: string;
  base_url: string;
  config: Record<string, unknown>;
  schedule: string | null;
  enabled: boolean;
  has_credentials: boolean;
  last_test: { ok: boolean; at: string; error: string | null } | null;
  created_at: string;
  updated_at: string;
}

export interface DeadLetter {
  id: number;
  tenant_id: number | null;
  integration_id: number | null;
  entity_type: string | null;
  message_id: string;
  correlation_id: string | null;
  queue: string;
  routing_key: string;
  reason: string;
  attempts: number;
  status: 'dead' | 'replayed' | 'discarded';
  replay_count: number;
  first_failed_at: string | null;
  dead_lettered_at: string;
  replayed_at: string | null;
  discarded_at: string | null;
  error_stack?: string | null;
  headers?: Record<string, unknown>;
  body?: unknown;
  audit?: { action: string; actor: string; detail: Record<string, unknown>; at: string }[];
}

// One definition, in packages/contracts, for what the backend sends and the dashboard reads. The
// subpaths are zod-free, so nothing but these names reaches the bundle.
export type { BreakerView as Breaker, SystemHealth } from '@tributary/contracts/system-health';
import type { SystemHealth } from '@tributary/contracts/system-health';

export type LiveEvent =
  | { type: 'hello'; tenant_id: number | null; admin: boolean }
  | { type: 'job_status'; job: Job }
  | { type: 'progress_update'; job: Job }
  | { type: 'dead_letter'; dead_letter: DeadLetter }
  | { type: 'system_health'; health: SystemHealth }
  | { type: 'resync' };

export { ENTITY_TYPES, STREAMS } from '@tributary/contracts/entity-names';
