import { inject } from 'vitest';
import pg from 'pg';
import { hearClientErrors } from '@tributary/db';
import { randomBytes } from 'node:crypto';
import { withDatabase } from './global-setup.ts';

export interface TestDatabase {
  url: string;
  name: string;
  drop: () => Promise<void>;
}

/**
 * A fresh database cloned from the migrated template, for one test file.
 * Dropped by `drop()`; kept when KEEP_TEST_DB is set, for looking at after a failure.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseUrl');
  const name = `tributary_test_${randomBytes(5).toString('hex')}`;
  const admin = hearClientErrors(new pg.Client({ connectionString: serverUrl }));
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl, name),
    name,
    drop: async () => {
      if (process.env.KEEP_TEST_DB) return;
      const client = hearClientErrors(new pg.Client({ connectionString: serverUrl }));
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
