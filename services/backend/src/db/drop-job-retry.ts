import type pg from 'pg';

/** Forgets a FAILED job's retry time (its retry lost to another backend or a newer run). */
export async function dropJobRetry(pool: pg.Pool, jobId: number): Promise<void> {
  await pool.query(`update etl_jobs set next_retry_at = null where id = $1 and status = 'FAILED'`, [jobId]);
}
