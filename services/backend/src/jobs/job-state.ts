import type pg from 'pg';
import { JOB_STATUSES, canTransition, type JobStatus } from '@tributary/contracts';
import { ConflictError, JobClaimedError, NotFoundError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { JobRow } from '../db/jobs.ts';
import type { TransitionKey } from '../db/job-transition.ts';
import { startJob } from '../db/start-job.ts';
import { resumeJob } from '../db/resume-job.ts';
import { pauseJob } from '../db/pause-job.ts';
import { failJob } from '../db/fail-job.ts';
import { cancelJob } from '../db/cancel-job.ts';
import { finishJob } from '../db/finish-job.ts';
import { requeueJob } from '../db/requeue-job.ts';
import { finishJobIfDoneRow } from '../db/finish-job-if-done.ts';
import { claimJobRow, claimRefusal } from '../db/claim-job.ts';
import { jobStatus } from '../db/job-status.ts';
import { integrationType } from '../db/integration-type.ts';
import { deactivateUnseenIssues } from '../db/deactivate-unseen-issues.ts';

/** What a move carries besides the new state; each named transition reads only its own fields. */
export interface JobStatusChange {
  /** FAILED: the reason (kept from before when absent). */
  error?: string | null;
  /** Set (or cleared) together with `error`. */
  errorCode?: string | null;
  /** PAUSED: why, and by whom (default user). */
  pauseReason?: string | null;
  pausedBy?: 'user' | 'system';
  /** A resumed job has no extractor yet: a cleared heartbeat lets the next one claim it at once. */
  clearHeartbeat?: boolean;
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
    const source = await integrationType(db, job.integration_id);
    observer({
      jobId: Number(job.id),
      integrationId: Number(job.integration_id),
      source: source ?? 'unknown',
      status: job.status as EndedJob['status'],
      seconds: Math.max(0, (job.finished_at.getTime() - (job.started_at ?? job.created_at).getTime()) / 1000),
    });
  } catch {
    // A metric is not worth failing the transition for (it has happened already).
  }
}

/** The transition key for moving `jobId` to `to`: the states the table allows it to leave. */
function keyFor(tenantId: number, jobId: number, to: JobStatus): TransitionKey {
  return { tenantId, jobId, from: JOB_STATUSES.filter((status) => canTransition(status, to)) };
}

/** One named transition per target state (each its own statement under db/). */
function move(
  db: pg.Pool | pg.PoolClient,
  key: TransitionKey,
  to: JobStatus,
  change: JobStatusChange,
): Promise<JobRow | undefined> {
  switch (to) {
    case 'RUNNING':
      return change.clearHeartbeat ? resumeJob(db, key) : startJob(db, key);
    case 'PAUSED':
      return pauseJob(db, key, { reason: change.pauseReason ?? null, by: change.pausedBy ?? 'user' });
    case 'FAILED':
      return failJob(db, key, { error: change.error ?? null, code: change.errorCode ?? null });
    case 'CANCELLED':
      return cancelJob(db, key);
    case 'FINISHED':
      return finishJob(db, key);
    case 'PENDING':
      return requeueJob(db, key);
  }
}

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
  try {
    const moved = await move(db, keyFor(tenantId, jobId, to), to, change);
    if (moved) {
      if (TERMINAL.includes(to)) await toldEnded(db, moved);
      return moved;
    }
  } catch (error) {
    if (isUniqueViolation(error, 'etl_jobs_one_active_per_integration')) {
      throw new ConflictError(`job ${jobId} cannot become ${to}: its integration already has an active job`);
    }
    throw error;
  }
  const current = await jobStatus(db, tenantId, jobId);
  if (!current) throw new NotFoundError(`job ${jobId}`);
  throw new ConflictError(`job ${jobId} cannot move from ${current} to ${to}`);
}

// Written as its own guarded statement (the check and the move in one), but it is
// the RUNNING → FINISHED move of the table above, so keep the two in step.
if (!canTransition('RUNNING', 'FINISHED'))
  throw new Error('job state table no longer allows RUNNING → FINISHED');

/**
 * Moves a RUNNING job to FINISHED once its extraction is over and none of its raw
 * rows is still pending. Called after every commit that could be the last one
 * (a worker's batch, the extractor's "extraction finished"): whoever commits last
 * sees everything and finishes it. PAUSED jobs are never finished.
 */
export async function finishJobIfDone(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  jobId: number,
): Promise<boolean> {
  const finished = await finishJobIfDoneRow(db, tenantId, jobId);
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
  const claimed = await claimJobRow(db, tenantId, jobId, staleHeartbeatSeconds);
  if (claimed) return claimed;
  const job = await claimRefusal(db, tenantId, jobId, staleHeartbeatSeconds);
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
