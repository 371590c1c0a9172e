import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { hearClientErrors } from './client.ts';

/** The repository's migrations folder (SQL from drizzle-kit, never edited once landed). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url));

// Any constant works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK_KEY = 7_311_642_001;

/**
 * Applies pending migrations. Several processes may start at once (backend,
 * workers, a one-shot migrate step): a session advisory lock makes them take
 * turns, and the ones that come second find nothing left to do.
 */
export async function runMigrations(connectionString: string, folder = MIGRATIONS_FOLDER): Promise<void> {
  const client = hearClientErrors(new pg.Client({ connectionString, application_name: 'tributary-migrate' }));
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
