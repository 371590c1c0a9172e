import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, runMigrations } from './migrate.ts';
import { hearClientErrors } from './client.ts';

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
  entries: unknown[];
};
const MIGRATION_COUNT = journal.entries.length;

const serverUrl = () => inject('databaseUrl');

async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tributary_mig_${randomBytes(4).toString('hex')}`;
  const admin = hearClientErrors(new pg.Client({ connectionString: serverUrl() }));
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = hearClientErrors(new pg.Client({ connectionString: serverUrl() }));
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Migrations 0012–0014: raw_data is json, lz4-compressed, on the table and every partition; the partitions keep room for HOT updates and raw_data out of the heap rows. */
async function expectRawStorage(client: pg.Client): Promise<void> {
  const rawData = await client.query<{ type: string; compression: string }>(
    `select format_type(a.atttypid, a.atttypmod) as type, a.attcompression as compression
     from pg_attribute a
     where a.attname = 'raw_data' and (a.attrelid = 'raw_extraction_data'::regclass
       or a.attrelid in (select inhrelid from pg_inherits where inhparent = 'raw_extraction_data'::regclass))`,
  );
  const partitions = await client.query<{ options: string[] }>(
    `select reloptions as options from pg_class
     where oid in (select inhrelid from pg_inherits where inhparent = 'raw_extraction_data'::regclass)`,
  );
  expect(partitions.rows).toHaveLength(8);
  for (const { options } of partitions.rows)
    expect([...options].sort()).toEqual(['fillfactor=50', 'toast_tuple_target=128']);
  expect(rawData.rows).toHaveLength(9);
  expect(new Set(rawData.rows.map((r) => `${r.type} ${r.compression}`))).toEqual(new Set(['json l']));
}

describe('migrations', () => {
  it('create every table on an empty database, and re-running changes nothing', async () => {
    const db = await emptyDatabase();
    try {
      await runMigrations(db.url);
      await runMigrations(db.url);
      const client = hearClientErrors(new pg.Client({ connectionString: db.url }));
      await client.connect();
      const { rows } = await client.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      await expectRawStorage(client);
      await client.end();
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'tenants',
          'api_tokens',
          'integrations',
          'etl_jobs',
          'sync_state',
          'raw_extraction_data',
          'dead_letters',
          'jira_projects',
          'jira_statuses',
          'jira_issue_types',
          'jira_issues',
          'jira_issue_transitions',
          'github_repositories',
          'github_pull_requests',
          'github_reviews',
          'github_review_comments',
          'github_commits',
          'github_deployments',
          'flow_steps',
          'status_mappings',
        ]),
      );
      expect(applied.rows[0]).toEqual({ n: MIGRATION_COUNT });
    } finally {
      await db.drop();
    }
  });

  it('are safe when several processes start at once', async () => {
    const db = await emptyDatabase();
    try {
      await Promise.all([runMigrations(db.url), runMigrations(db.url), runMigrations(db.url)]);
      const client = hearClientErrors(new pg.Client({ connectionString: db.url }));
      await client.connect();
      const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      await expectRawStorage(client);
      await client.end();
      expect(applied.rows[0]).toEqual({ n: MIGRATION_COUNT });
    } finally {
      await db.drop();
    }
  });
});
