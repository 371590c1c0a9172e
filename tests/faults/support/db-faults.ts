import type pg from 'pg';
import { waitFor } from '../../support/wait.ts';

/**
 * Test-only triggers in the test's own database that make a chosen worker
 * statement sleep, so a test can SIGKILL the worker at an exact point:
 *
 * - `before_commit`: the batch's `update raw_extraction_data set status …`
 *   (inside the batch transaction, before its commit) sleeps;
 * - `after_commit`: the post-commit `finishJobIfDone` (RUNNING → FINISHED,
 *   after the batch committed and before the message is acked) sleeps.
 *
 * Only connections named `tributary-worker` sleep; the backend API is not slowed.
 */
export async function installSleepTriggers(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table fault_control (name text primary key, sleep_ms int not null default 0);
    insert into fault_control values ('before_commit', 0), ('after_commit', 0);
    create function fault_sleep(which text) returns void language plpgsql as $$
    declare ms int;
    begin
      if current_setting('application_name', true) is distinct from 'tributary-worker' then return; end if;
      select sleep_ms into ms from fault_control where name = which;
      if ms > 0 then perform pg_sleep(ms / 1000.0); end if;
    end $$;
    create function fault_before_commit() returns trigger language plpgsql as $$
    begin perform fault_sleep('before_commit'); return null; end $$;
    create trigger fault_before_commit after update of status on raw_extraction_data
      for each statement execute function fault_before_commit();
    create function fault_after_commit() returns trigger language plpgsql as $$
    begin perform fault_sleep('after_commit'); return new; end $$;
    create trigger fault_after_commit before update on etl_jobs
      for each row when (old.status = 'RUNNING' and new.status = 'FINISHED') execute function fault_after_commit();
  `);
}

export async function setSleep(
  pool: pg.Pool,
  which: 'before_commit' | 'after_commit',
  ms: number,
): Promise<void> {
  await pool.query('update fault_control set sleep_ms = $2 where name = $1', [which, ms]);
}

/** Waits until a worker connection sleeps in a statement starting with `queryPrefix`; returns its server pid. */
export async function waitForSleepingWorker(
  pool: pg.Pool,
  queryPrefix: string,
  timeoutMs = 60_000,
): Promise<number> {
  return waitFor(
    async () => {
      const { rows } = await pool.query<{ pid: number }>(
        `select pid from pg_stat_activity
         where application_name = 'tributary-worker' and wait_event = 'PgSleep'
           and ltrim(query, E' \t\r\n') ilike $1`,
        [`${queryPrefix}%`],
      );
      return rows[0]?.pid;
    },
    timeoutMs,
    `a worker sleeping in "${queryPrefix}…"`,
  );
}
