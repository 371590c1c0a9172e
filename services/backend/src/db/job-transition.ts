import type pg from 'pg';
import type { JobStatus } from '@tributary/contracts';
import { JOB_COLUMNS, type JobRow } from './jobs.ts';

/** Which job a transition moves, and the states it may leave (from the state table in contracts). */
export interface TransitionKey {
  tenantId: number;
  jobId: number;
  from: readonly JobStatus[];
}

/**
 * The guard every transition statement ends with: the legal "from" states are in the WHERE
 * clause, so the check and the move are one atomic statement and two callers racing cannot both
 * move the same job. $1 job id, $2 tenant, $3 the legal from-states; a statement's own values
 * start at $4.
 */
export const TRANSITION_GUARD = `where id = $1 and tenant_id = $2 and status = any($3::text[])
returning ${JOB_COLUMNS}`;

/** Runs one transition statement; undefined when the job is not there or not in a legal state. */
export async function moveJob(
  db: pg.Pool | pg.PoolClient,
  sql: string,
  key: TransitionKey,
  values: readonly unknown[] = [],
): Promise<JobRow | undefined> {
  const { rows } = await db.query<JobRow>(sql, [key.jobId, key.tenantId, key.from, ...values]);
  return rows[0];
}
