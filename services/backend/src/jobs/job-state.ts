import type pg from 'pg';
import { JOB_STATUSES, canTransition, type JobStatus } from '@tributary/contracts';
import { ConflictError, JobClaimedError, NotFoundError } from '../errors.ts';
import { isUniqueViolation } from '../db/pg-errors.ts';
import type { JobRow } from '../db/jobs.ts';
import type { TransitionKey } from '../db/job-transition.ts';
import { startJobRow } from '../db/start-job.ts';
import { resumeJobRow } from '../db/resume-job.ts';
import { pauseJobRow } from '../db/pause-job.ts';
import { failJobRow } from '../db/fail-job.ts';
import { cancelJobRow } from '../db/cancel-job.ts';
import { finishJobRow } from '../db/finish-job.ts';
import { requeueJobRow } from '../db/requeue-job.ts';
import { finishJobIfDoneRow } from '../db/finish-job-if-done.ts';
import { claimJobRow, claimRefusal } from '../db/claim-job.ts';
import { jobStatus } from '../db/job-status.ts';
import { integrationType } from '../db/integration-type.ts';
import { deactivateUnseenIssues } from '../db/deactivate-unseen-issues.ts';

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

type Db = pg.Pool | pg.PoolClient;

/**
 * Runs one named transition statement (DESIGN §6): an illegal move is a 409 naming both states,
 * a job of another tenant is a 404, and a job that ends here is told to the pool's observer.
 */
async function transition(
  db: Db,
  tenantId: number,
  jobId: number,
  to: JobStatus,
  statement: (key: TransitionKey) => Promise<JobRow | undefined>,
): Promise<JobRow> {
  try {
    const moved = await statement(keyFor(tenantId, jobId, to));
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

/** → RUNNING, keeping the heartbeat (extractors take jobs with {@link claimJob}). */
export function startJob(db: Db, tenantId: number, jobId: number): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'RUNNING', (key) => startJobRow(db, key));
}

/** PAUSED → RUNNING by a person: the heartbeat is cleared so the next extractor claims it at once. */
export function resumeJob(db: Db, tenantId: number, jobId: number): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'RUNNING', (key) => resumeJobRow(db, key));
}

/** → PAUSED, saying why and by whom (a system pause resumes by itself, a user pause only by a person). */
export function pauseJob(
  db: Db,
  tenantId: number,
  jobId: number,
  pause: { reason: string | null; by: 'user' | 'system' },
): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'PAUSED', (key) => pauseJobRow(db, key, pause));
}

/** → FAILED; without an error the job keeps the one it had. */
export function failJob(
  db: Db,
  tenantId: number,
  jobId: number,
  failure: { error: string | null; code: string | null },
): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'FAILED', (key) => failJobRow(db, key, failure));
}

/** → CANCELLED. */
export function cancelJob(db: Db, tenantId: number, jobId: number): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'CANCELLED', (key) => cancelJobRow(db, key));
}

/** → FINISHED unconditionally; the pipeline uses the guarded {@link finishJobIfDone}. */
export function finishJob(db: Db, tenantId: number, jobId: number): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'FINISHED', (key) => finishJobRow(db, key));
}

/** → PENDING: a retry of a FAILED job (one more attempt) or a RUNNING job handed back. */
export function requeueJob(db: Db, tenantId: number, jobId: number): Promise<JobRow> {
  return transition(db, tenantId, jobId, 'PENDING', (key) => requeueJobRow(db, key));
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
