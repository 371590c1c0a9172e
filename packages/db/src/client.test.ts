import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import {
  createPool,
  hearClientErrors,
  hearPoolErrors,
  withTransaction,
  type TransactionOptions,
} from './client.ts';

const serverUrl = () => inject('databaseUrl');

/** Ends every other session of `application_name` as `drop database … with (force)` does (57P01). */
async function terminate(applicationName: string): Promise<number> {
  const admin = hearClientErrors(new pg.Client({ connectionString: serverUrl() }));
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()`,
      [applicationName],
    );
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

/** Polls until `done` holds: the positive signal a step has happened, instead of a fixed sleep. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sessions of `applicationName` the server is running a statement for. */
async function activeSessions(applicationName: string): Promise<number> {
  const admin = hearClientErrors(new pg.Client({ connectionString: serverUrl() }));
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where application_name = $1 and state = 'active'`,
      [applicationName],
    );
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

describe('pool and client error events', () => {
  it('an idle pooled client whose connection is terminated (57P01) emits no unhandled error; the pool goes on', async () => {
    const name = `tributary-idle-${randomBytes(3).toString('hex')}`;
    for (const pool of [
      createPool(serverUrl(), { max: 2, applicationName: name }),
      hearPoolErrors(new pg.Pool({ connectionString: serverUrl(), max: 2, application_name: name })),
    ]) {
      try {
        await Promise.all([pool.query('select pg_sleep(0.05)'), pool.query('select pg_sleep(0.05)')]);
        expect(pool.idleCount).toBe(2);
        // Unheard, this 'error' would be thrown as an uncaught exception and fail the run.
        expect(await terminate(name)).toBe(2);
        // Both goodbyes arrived and were heard: pg drops an idle client once its 'error' is handled.
        await until(
          () => pool.idleCount === 0 && pool.totalCount === 0,
          'the terminated idle clients to leave the pool',
        );
        expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await pool.end();
      }
    }
  });

  it('a checked-out client whose connection is terminated rejects its query instead of crashing', async () => {
    const name = `tributary-busy-${randomBytes(3).toString('hex')}`;
    const pool = createPool(serverUrl(), { max: 1, applicationName: name });
    try {
      const client = await pool.connect();
      // Settled at once: the rejection arrives while terminate() is still running.
      const running = client.query('select pg_sleep(5)').then(
        () => null,
        (error: unknown) => error,
      );
      await until(async () => (await activeSessions(name)) === 1, 'the query to be running');
      await terminate(name);
      expect(String(await running)).toMatch(/terminat/);
      client.release(true);
      expect((await pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('hearPoolErrors is idempotent', () => {
    const pool = new pg.Pool({ connectionString: serverUrl() });
    hearPoolErrors(pool);
    hearPoolErrors(pool);
    expect(pool.listenerCount('error')).toBe(1);
    expect(pool.listenerCount('connect')).toBe(1);
    return pool.end();
  });
});

describe('withTransaction options', () => {
  /** What the transaction's session says of itself, from inside it. */
  const settings = async (client: pg.PoolClient) => {
    const isolation = await client.query<{ transaction_isolation: string }>('show transaction_isolation');
    const workMem = await client.query<{ work_mem: string }>('show work_mem');
    return { isolation: isolation.rows[0]!.transaction_isolation, workMem: workMem.rows[0]!.work_mem };
  };

  it('begins at the isolation level asked for, with work_mem set for the transaction only', async () => {
    // One connection, so the session after the transaction is the one the settings were made in.
    const pool = createPool(serverUrl(), { max: 1 });
    try {
      const defaults = await withTransaction(pool, settings);
      expect(defaults.isolation).toBe('read committed');
      expect(defaults.workMem).not.toBe('64MB');
      expect(
        await withTransaction(pool, { isolation: 'repeatable read', workMem: '64MB' }, settings),
      ).toEqual({
        isolation: 'repeatable read',
        workMem: '64MB',
      });
      expect(await withTransaction(pool, { isolation: 'serializable' }, settings)).toEqual({
        isolation: 'serializable',
        workMem: defaults.workMem,
      });
      expect(await withTransaction(pool, { workMem: '512kB' }, settings)).toEqual({
        isolation: 'read committed',
        workMem: '512kB',
      });
      // `set local` ends with the transaction, committed or rolled back.
      await expect(
        withTransaction(pool, { workMem: '1GB' }, async () => {
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      const after = await pool.query<{ work_mem: string }>('show work_mem');
      expect(after.rows[0]!.work_mem).toBe(defaults.workMem);
      expect(pool.totalCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('refuses a workMem or isolation that is not one, before taking a connection', async () => {
    const pool = createPool(serverUrl(), { max: 1 });
    try {
      let ran = false;
      const work = async () => {
        ran = true;
      };
      for (const workMem of ['64', '64mb', '64 MB', "64MB'; drop table tenants; --", ''])
        await expect(withTransaction(pool, { workMem }, work)).rejects.toThrow(/workMem .* is not a size/);
      // What a JavaScript caller (or a value read from outside) could pass despite the type.
      const notALevel = {
        isolation: 'read uncommitted; drop table tenants',
      } as unknown as TransactionOptions;
      await expect(withTransaction(pool, notALevel, work)).rejects.toThrow(/isolation .* is not a level/);
      expect(ran).toBe(false);
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
