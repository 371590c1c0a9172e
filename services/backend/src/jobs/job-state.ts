import type pg from 'pg';
import { JOB_STATUSES, canTransition, type JobStatus } from '@tributary/contracts';
import { ConflictError, JobClaimedError, NotFoundError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import { JOB_COLUMNS, type JobRow } from '../db/jobs.ts';
import { deactivateUnseenIssues } from '../flow/issue-sightings.ts';

export interface JobStatusChange {
  error?: string | null;
  /** Set (or cleared) together with `error`. */
  errorCode?: string | null;
  pauseReason?: string | null;
  pausedBy?: 'user' | 'system';
  /** A resumed job has no extractor yet: a cleared heartbeat lets the next one claim it at once. */
  clearHeartbeat?: boolean;
  nextRetryAt?: Date | null;
}

const TERMINAL: readonly JobStatus[] = ['FINISHED', 'FAILED', 'CANCELLED'];

/** A job that just ended, as told to the process that moved it there. */
export interface EndedJob {
  jobId: number;
  integrationId: number;
  /** The integration's type (`jira`, `github`). */
  source: string;
  status: 'FINISHED' | 'FAILED' | 'CANCELLED';
  /** From its start (or creation, when it never started) to its end. */
  seconds: number;
}
export type JobEndObserver = (ended: EndedJob) => void;

// Per pool, so each process (backend, worker — and each app in a test process) hears only the
// transitions its own statements made: a job's end is observed exactly once, where it happened.
const observers = new WeakMap<pg.Pool | pg.PoolClient, JobEndObserver>();

/** `observer` hears every job end that a statement on `pool` performs (the job-duration histogram). */
export function observeJobEnds(pool: pg.Pool, observer: JobEndObserver): void {
  observers.set(pool, observer);
}

async function toldEnded(db: pg.Pool | pg.PoolClient, job: JobRow): Promise<void> {
  const observer = observers.get(db);
  if (!observer || !job.finished_at) return;
  try {
    const { rows } = await db.query<{ type: string }>('select type from integrations where id = $1', [job.integration_id]);
    observer({
      jobId: Number(job.id),
      integrationId: Number(job.integration_id),
      source: rows[0]?.type ?? 'unknown',
      status: job.status as EndedJob['status'],
      seconds: Math.max(0, (job.finished_at.getTime() - (job.started_at ?? job.created_at).getTime()) / 1000),
    });
  } catch {
    // A metric is not worth failing the transition for (it has happened already).
  }
}

// The WHERE clause carries the legal "from" states, so the check and the move are
// one atomic statement: two callers racing cannot both move the same job.
const TRANSITION = `
update etl_jobs set
  status = $3,
  updated_at = now(),
  started_at = case when $3 = 'RUNNING' then coalesce(started_at, now()) else started_at end,
  finished_at = case when $3 = any($5::text[]) then now() else null end,
  heartbeat_at = case when $12 then null else heartbeat_at end,
  attempts = attempts + case when $3 = 'PENDING' and status = 'FAILED' then 1 else 0 end,
  error = case when $6 then $7 else error end,
  error_code = case when $6 then $13 else error_code end,
  pause_reason = case when $3 = 'PAUSED' then $8 else null end,
  paused_by = case when $3 = 'PAUSED' then $11 else null end,
  next_retry_at = case when $9 then $10::timestamptz else next_retry_at end,
  cancel_requested_at = case when $3 = 'PENDING' then null else cancel_requested_at end,
  extraction_finished_at = case when $3 = 'PENDING' then null else extraction_finished_at end
where id = $1 and tenant_id = $2 and status = any($4::text[])
returning ${JOB_COLUMNS}`;

/**
 * The one place a job changes state (DESIGN §6). An illegal move is a 409 naming
 * both states; a job of another tenant is a 404.
 */
export async function transitionJob(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  jobId: number,
  to: JobStatus,
  change: JobStatusChange = {},
): Promise<JobRow> {
  const from = JOB_STATUSES.filter((status) => canTransition(status, to));
  try {
    const { rows } = await db.query<JobRow>(TRANSITION, [
      jobId,
      tenantId,
      to,
      from,
      TERMINAL,
      change.error !== undefined,
      change.error ?? null,
      change.pauseReason ?? null,
      change.nextRetryAt !== undefined,
      change.nextRetryAt ?? null,
      change.pausedBy ?? 'user',
      change.clearHeartbeat ?? false,
      change.errorCode ?? null,
    ]);
    if (rows[0]) {
      if (TERMINAL.includes(to)) await toldEnded(db, rows[0]);
      return rows[0];
    }
  } catch (error) {
    if (isUniqueViolation(error, 'etl_jobs_one_active_per_integration')) {
      throw new ConflictError(`job ${jobId} cannot become ${to}: its integration already has an active job`);
    }
    throw error;
  }
  const { rows } = await db.query<{ status: JobStatus }>('select status from etl_jobs where id = $1 and tenant_id = $2', [
    jobId,
    tenantId,
  ]);
  const current = rows[0];
  if (!current) throw new NotFoundError(`job ${jobId}`);
  throw new ConflictError(`job ${jobId} cannot move from ${current.status} to ${to}`);
}

// Written as its own guarded statement (the check and the move in one), but it is
// the RUNNING → FINISHED move of the table above, so keep the two in step.
if (!canTransition('RUNNING', 'FINISHED')) throw new Error('job state table no longer allows RUNNING → FINISHED');

/**
 * Moves a RUNNING job to FINISHED once its extraction is over and none of its raw
 * rows is still pending. Called after every commit that could be the last one
 * (a worker's batch, the extractor's "extraction finished"): whoever commits last
 * sees everything and finishes it. PAUSED jobs are never finished.
 */
export async function finishJobIfDone(db: pg.Pool | pg.PoolClient, tenantId: number, jobId: number): Promise<boolean> {
  const { rows } = await db.query<JobRow>(
    `update etl_jobs set status = 'FINISHED', finished_at = now(), updated_at = now()
     where id = $1 and tenant_id = $2 and status = 'RUNNING' and extraction_finished_at is not null
       and not exists (select 1 from raw_outbox where job_id = $1)
     returning ${JOB_COLUMNS}`,
    [jobId, tenantId],
  );
  const finished = rows[0];
  if (!finished) return false;
  await deactivateUnseenIssues(db, tenantId, jobId);
  await toldEnded(db, finished);
  return true;
}

/** How long without a heartbeat before another extractor may take a RUNNING job over (default of JOB_STALE_HEARTBEAT_SECONDS). */
export const STALE_HEARTBEAT_SECONDS = 60;

/**
 * An extractor claims a job it was handed: PENDING → RUNNING, a system-paused
 * PAUSED → RUNNING, or a RUNNING job whose extractor stopped beating (it died;
 * the extract message was redelivered). A job paused by a person, finished, or
 * beating under another extractor is not claimed: the caller gets a 409 and
 * drops the message — except for JOB_CLAIMED (still beating), which it retries
 * later, since that extractor may have died a moment ago.
 */
export async function claimJob(
  db: pg.Pool,
  tenantId: number,
  jobId: number,
  staleHeartbeatSeconds = STALE_HEARTBEAT_SECONDS,
): Promise<JobRow> {
  const { rows } = await db.query<JobRow>(
    `update etl_jobs set status = 'RUNNING', heartbeat_at = now(), started_at = coalesce(started_at, now()),
            pause_reason = null, paused_by = null, updated_at = now()
     where id = $1 and tenant_id = $2
       and (status = 'PENDING'
            or (status = 'PAUSED' and paused_by = 'system')
            or (status = 'RUNNING' and (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => $3))))
     returning ${JOB_COLUMNS}`,
    [jobId, tenantId, staleHeartbeatSeconds],
  );
  if (rows[0]) return rows[0];
  const { rows: current } = await db.query<{ status: JobStatus; paused_by: string | null; stale_in: number | null }>(
    `select status, paused_by,
            extract(epoch from (heartbeat_at + make_interval(secs => $3)) - now())::float8 as stale_in
     from etl_jobs where id = $1 and tenant_id = $2`,
    [jobId, tenantId, staleHeartbeatSeconds],
  );
  const job = current[0];
  if (!job) throw new NotFoundError(`job ${jobId}`);
  if (job.status === 'RUNNING') {
    // Says when the heartbeat goes stale, so a redelivered message is tried again at that
    // moment (a dead extractor's job is taken over then), not after a generic retry tier.
    const staleIn = job.stale_in === null ? undefined : Math.max(1, Math.ceil(job.stale_in));
    throw new JobClaimedError(`job ${jobId} is already running under another extractor`, staleIn);
  }
  if (job.status === 'PAUSED') throw new ConflictError(`job ${jobId} was paused by a user; resume it first`);
  throw new ConflictError(`job ${jobId} cannot move from ${job.status} to RUNNING`);
}
