import type pg from 'pg';
import type { JobStatus } from '@tributary/contracts';
import { JOB_COLUMNS, type JobRow } from './jobs.ts';

// PENDING, system-PAUSED, or RUNNING with a stale heartbeat → RUNNING under the caller.
const CLAIM_JOB = `
update etl_jobs set status = 'RUNNING', heartbeat_at = now(), started_at = coalesce(started_at, now()),
       pause_reason = null, paused_by = null, updated_at = now()
where id = $1 and tenant_id = $2
  and (status = 'PENDING'
       or (status = 'PAUSED' and paused_by = 'system')
       or (status = 'RUNNING' and (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => $3))))
returning ${JOB_COLUMNS}`;

// Why a claim found nothing to take, and for a beating job, in how many seconds its heartbeat goes stale.
const CLAIM_REFUSAL = `
select status, paused_by,
       extract(epoch from (heartbeat_at + make_interval(secs => $3)) - now())::float8 as stale_in
from etl_jobs where id = $1 and tenant_id = $2`;

export interface ClaimRefusal {
  status: JobStatus;
  paused_by: string | null;
  stale_in: number | null;
}

/** The claimed job, or undefined when it was not claimable. */
export async function claimJobRow(
  db: pg.Pool,
  tenantId: number,
  jobId: number,
  staleHeartbeatSeconds: number,
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(CLAIM_JOB, [jobId, tenantId, staleHeartbeatSeconds]);
  return rows[0];
}

/** The state that refused a claim, or undefined when the tenant has no such job. */
export async function claimRefusal(
  db: pg.Pool,
  tenantId: number,
  jobId: number,
  staleHeartbeatSeconds: number,
): Promise<ClaimRefusal | undefined> {
  const { rows } = await db.query<ClaimRefusal>(CLAIM_REFUSAL, [jobId, tenantId, staleHeartbeatSeconds]);
  return rows[0];
}
