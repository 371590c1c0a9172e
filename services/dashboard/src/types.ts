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

export interface Breaker {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  failures: number;
  ms_until_half_open: number | null;
  half_open_at: string | null;
  last_error: string | null;
  resettable: boolean;
}

export interface SystemHealth {
  at: string;
  database: { ok: boolean; error: string | null };
  broker: { ok: boolean; blocked: boolean; error: string | null };
  queues: { name: string; depth: number | null }[];
  breakers: Breaker[] | null;
  breakers_error: string | null;
}

export type LiveEvent =
  | { type: 'hello'; tenant_id: number | null; admin: boolean }
  | { type: 'job_status'; job: Job }
  | { type: 'progress_update'; job: Job }
  | { type: 'dead_letter'; dead_letter: DeadLetter }
  | { type: 'system_health'; health: SystemHealth }
  | { type: 'resync' };

export const STREAMS = {
  jira: ['projects', 'statuses', 'issue_types', 'issues'],
  github: ['repositories', 'pull_requests', 'deployments'],
} as const;

export const ENTITY_TYPES = [
  'jira_projects',
  'jira_statuses',
  'jira_issue_types',
  'jira_issues',
  'jira_changelogs',
  'github_repositories',
  'github_pull_requests',
  'github_reviews',
  'github_review_comments',
  'github_commits',
  'github_deployments',
  'github_deployment_statuses',
  'github_releases',
] as const;
