import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';

export type Database = NodePgDatabase<typeof schema>;
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint columns (counts, sums) come back as JS numbers; ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// bigint[] (e.g. array_agg of ids) the same way, so ids never arrive as strings.
const parseTextArray = pg.types.getTypeParser(1016 as number) as (value: string) => string[];
pg.types.setTypeParser(1016 as number, (value: string) => parseTextArray(value).map(Number));
// numeric too (story points): a float is what every consumer wants.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export interface PoolOptions {
  max?: number;
  /** Bounds every statement so a hung database surfaces as an error, not a stuck request. */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  applicationName?: string;
}

/** A pg pool with bounded statement and connect timeouts. */
export function createPool(connectionString: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // The server enforces statement_timeout only while it runs; a hung server
    // process (stopped, swapped out, network gone quiet) never answers at all.
    // This client-side bound turns that into an error, and the pool then drops
    // the connection instead of reusing it.
    query_timeout: (options.statementTimeoutMs ?? 30_000) + 5_000,
    keepAlive: true,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'tributary',
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query gets a fresh one.
  pool.on('error', () => undefined);
  // A client checked out when the server goes away emits 'error' on itself, not on the
  // pool; unheard, that crashes the process. Its running query rejects anyway.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** Drizzle over a pool, with the full schema for typed queries. */
export function createDatabase(pool: pg.Pool): Database {
  return drizzle(pool, { schema });
}

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection whose ROLLBACK fails (timed out, gone) is not given back to
    // the pool for the next caller: release(err) destroys it.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
