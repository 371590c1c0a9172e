import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPool } from '@tributary/db';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/database.ts';
import { pruneRawHistory } from './raw-retention.ts';

// What the pruner deletes and what it never touches, on the partitioned table itself.
let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url, { max: 3 });
  await pool.query(`
    insert into tenants (id, name) values (1, 'a'), (2, 'b');
    insert into integrations (id, tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config)
      values (11, 1, 'jira', 'a', 'https://a.example', 'c', 'k', '{}'), (12, 2, 'jira', 'b', 'https://b.example', 'c', 'k', '{}');
  `);
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/** Stores `versions` versions of entity `key` (oldest first), with the given status and age in days. */
async function store(
  tenant: number,
  key: string,
  versions: { status?: string; daysOld?: number; outbox?: boolean }[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, v] of versions.entries()) {
    const { rows } = await pool.query<{ id: number }>(
      `insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, content_hash, status, created_at)
       values ($1, $2, 'jira_issues', $3, '{}', $4, $5, now() - make_interval(days => $6)) returning id`,
      [tenant, 10 + tenant, key, `${key}-${i}`, v.status ?? 'completed', v.daysOld ?? 0],
    );
    ids.push(rows[0]!.id);
    if (v.outbox) {
      await pool.query(
        `insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type) values ($1, $2, $3, 'jira_issues')`,
        [rows[0]!.id, tenant, 10 + tenant],
      );
    }
  }
  return ids;
}

const left = async (ids: number[]) =>
  (
    await pool.query<{ id: number }>(
      'select id from raw_extraction_data where id = any($1::bigint[]) order by id',
      [ids],
    )
  ).rows.map((r) => r.id);

describe('raw retention', () => {
  it('keeps the newest N versions of each entity, and never pending, outboxed, failed or locked rows', async () => {
    const plain = await store(1, 'A-1', [{}, {}, {}, {}, {}]);
    const otherTenant = await store(2, 'B-1', [{}, {}, {}]);
    const guarded = await store(1, 'A-2', [
      { status: 'failed' },
      { status: 'pending' },
      { outbox: true },
      {},
      {},
      {},
    ]);
    const single = await store(1, 'A-3', [{}]);
    const locked = await store(1, 'A-4', [{}, {}, {}]);

    // A load holding the oldest version of A-4 (a redelivered message): not waited for, left for later.
    const holder = await pool.connect();
    await holder.query('begin');
    await holder.query('select 1 from raw_extraction_data where tenant_id = 1 and id = $1 for update', [
      locked[0],
    ]);
    const deleted = await pruneRawHistory(pool, { keepVersions: 2, keepDays: 0, batchSize: 2 });
    await holder.query('rollback');
    holder.release();

    expect(await left(plain)).toEqual(plain.slice(3));
    expect(await left(otherTenant)).toEqual(otherTenant.slice(1));
    expect(await left(guarded)).toEqual(guarded.slice(0, 3).concat(guarded.slice(4)));
    expect(await left(single)).toEqual(single);
    expect(await left(locked)).toEqual(locked);
    expect(deleted).toBe(3 + 1 + 1);

    // The next pass, the lock gone, takes it.
    expect(await pruneRawHistory(pool, { keepVersions: 2, keepDays: 0, batchSize: 2 })).toBe(1);
    expect(await left(locked)).toEqual(locked.slice(1));
  });

  it('with RAW_KEEP_DAYS also keeps versions younger than that; 0 versions keeps everything', async () => {
    const ids = await store(1, 'A-9', [{ daysOld: 40 }, { daysOld: 20 }, { daysOld: 10 }, { daysOld: 1 }]);
    expect(await pruneRawHistory(pool, { keepVersions: 0, keepDays: 0, batchSize: 10 })).toBe(0);
    expect(await left(ids)).toEqual(ids);
    await pruneRawHistory(pool, { keepVersions: 1, keepDays: 15, batchSize: 10 });
    expect(await left(ids)).toEqual(ids.slice(2));
  });
});
