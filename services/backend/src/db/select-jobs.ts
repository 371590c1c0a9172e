import type pg from 'pg';
import { JOB_COLUMNS, type JobRow } from './jobs.ts';

/** The jobs of these ids, of any tenant (the caller checks whose each is), in id order. */
export async function selectJobs(pool: pg.Pool, ids: readonly number[]): Promise<JobRow[]> {
  const { rows } = await pool.query<JobRow>(
    `select ${JOB_COLUMNS} from etl_jobs where id = any($1::bigint[]) order by id`,
    [ids],
  );
  return rows;
}
