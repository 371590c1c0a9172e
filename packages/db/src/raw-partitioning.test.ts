import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { MIGRATIONS_FOLDER, runMigrations } from './migrate.ts';

interface Journal {
  entries: { idx: number; tag: string }[];
}

// Migration 0008 converts a table other branches' migrations may have changed
// first. This test plays such a branch: it migrates up to just before 0008, adds a
// column, an index, a trigger and a second referencing table, stores rows, then
// applies 0008 and checks that nothing was lost and every key still works.
describe('migration 0008: raw_extraction_data partitioned by tenant', () => {
  it('keeps rows, added columns, indexes, triggers, references and the id sequence', async () => {
    const journal = JSON.parse(
      readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'),
    ) as Journal;
    const before = mkdtempSync(join(tmpdir(), 'trib-mig-'));
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const cut = journal.entries.findIndex((e) => e.tag === '0008_raw_partitioning');
    writeFileSync(
      join(before, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }),
    );

    const name = `tributary_part_${randomBytes(4).toString('hex')}`;
    const server = inject('databaseUrl');
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await runMigrations(url.toString(), before);
      await client.connect();
      // What another branch might have added before 0008.
      await client.query(`
        alter table raw_extraction_data add column source_note text default 'n/a';
        create index raw_extraction_data_note_idx on raw_extraction_data (tenant_id, source_note);
        create table raw_annotations (id serial primary key, tenant_id bigint not null,
          raw_id bigint not null references raw_extraction_data(id) on delete cascade, note text);
        create table raw_audit (raw_id bigint);
        create function raw_audit_insert() returns trigger language plpgsql as $$
          begin insert into raw_audit values (new.id); return new; end $$;
        create trigger raw_audit_insert after insert on raw_extraction_data for each row execute function raw_audit_insert();
        insert into tenants (id, name) values (1, 'a'), (2, 'b');
        insert into integrations (id, tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config)
          select 10 + t, t, 'jira', 'x', 'https://x.example', 'c', 'k1', '{}' from generate_series(1, 2) t;
      `);
      await client.query(`
        insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, content_hash, status, source_note)
        select 1 + (n % 2), 11 + (n % 2), 'jira_issues', 'K-' || n, jsonb_build_object('n', n), 'h' || n,
               case when n % 3 = 0 then 'completed' else 'pending' end, 'note ' || n
        from generate_series(1, 40) n;
        insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type)
          select id, tenant_id, integration_id, entity_type from raw_extraction_data where status = 'pending';
        insert into raw_annotations (tenant_id, raw_id, note) select tenant_id, id, 'a' from raw_extraction_data;
      `);
      const rowsBefore = (
        await client.query<{ id: string; tenant_id: string; status: string }>(
          'select * from raw_extraction_data order by id',
        )
      ).rows;
      const maxId = Number(rowsBefore.at(-1)!.id);

      await runMigrations(url.toString());

      const { rows: kind } = await client.query<{ relkind: string; partitions: number }>(
        `select relkind, (select count(*)::int from pg_inherits where inhparent = 'raw_extraction_data'::regclass) as partitions
         from pg_class where oid = 'raw_extraction_data'::regclass`,
      );
      expect(kind).toEqual([{ relkind: 'p', partitions: 8 }]);
      // Every row, every column (the added one included) as it was.
      expect((await client.query('select * from raw_extraction_data order by id')).rows).toEqual(rowsBefore);
      const indexes = (
        await client.query<{ indexname: string }>(
          `select indexname from pg_indexes where tablename = 'raw_extraction_data' order by 1`,
        )
      ).rows.map((r) => r.indexname);
      expect(indexes).toEqual(
        expect.arrayContaining([
          'raw_extraction_data_content_key',
          'raw_extraction_data_note_idx',
          'raw_extraction_data_pkey',
          'raw_extraction_data_id_idx',
        ]),
      );

      // The dedupe upsert still conflicts on the content key; a new row takes the next id; the trigger fires.
      const inserted = await client.query<{ id: number }>(
        `insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, content_hash)
         values (1, 11, 'jira_issues', 'K-2', '{}', 'h2'), (1, 11, 'jira_issues', 'K-new', '{}', 'hnew')
         on conflict (tenant_id, integration_id, entity_type, external_id, content_hash) do nothing returning id`,
      );
      expect(inserted.rows).toHaveLength(1);
      const newId = Number(inserted.rows[0]!.id);
      expect(newId).toBeGreaterThan(maxId);
      expect(
        (await client.query('select count(*)::int as n from raw_audit where raw_id = $1', [newId])).rows,
      ).toEqual([{ n: 1 }]);

      // References now go through (tenant_id, id): a wrong tenant is refused, deletes cascade.
      await expect(
        client.query(
          `insert into raw_outbox (raw_id, tenant_id, integration_id, entity_type) values ($1, 2, 12, 'jira_issues')`,
          [newId],
        ),
      ).rejects.toThrow(/foreign key/);
      const victim = rowsBefore.find((r) => r.status === 'pending')!;
      await client.query('delete from raw_extraction_data where tenant_id = $1 and id = $2', [
        victim.tenant_id,
        victim.id,
      ]);
      const left = await client.query<{ outbox: number; annotations: number }>(
        `select (select count(*)::int from raw_outbox where raw_id = $1) as outbox,
                (select count(*)::int from raw_annotations where raw_id = $1) as annotations`,
        [victim.id],
      );
      expect(left.rows).toEqual([{ outbox: 0, annotations: 0 }]);

      // Applying again changes nothing: the migrator skips it, and the file itself is a no-op on a partitioned table.
      await runMigrations(url.toString());
      const text = readFileSync(join(MIGRATIONS_FOLDER, '0008_raw_partitioning.sql'), 'utf8');
      for (const statement of text.split('--> statement-breakpoint')) await client.query(statement);
      expect((await client.query('select count(*)::int as n from raw_extraction_data')).rows).toEqual([
        { n: 40 },
      ]);
    } finally {
      await client.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
      rmSync(before, { recursive: true, force: true });
    }
  });
});
