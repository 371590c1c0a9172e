import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';

export type Database = NodePgDatabase<typeof schema>;
export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint columns (counts, sums) come back as JS numbers; ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// bigint[] (e.g. array_agg of ids) the same way, so ids never arrive as strings.
// pg-types' TypeId enum has no array types; 1016 is int8[]'s oid.
const INT8_ARRAY = 1016 as unknown as typeof pg.types.builtins.INT8;
const parseTextArray = pg.types.getTypeParser(INT8_ARRAY) as (value: string) => string[];
pg.types.setTypeParser(INT8_ARRAY, (value: string) => parseTextArray(value).map(Number));
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
  return hearPoolErrors(pool);
}

const ignore = () => undefined;

/**
 * Gives a pool the 'error' listeners pg needs, so a lost connection is an error of the query
 * that used it, never an unhandled 'error' event that crashes the process (or fails a test run):
 * - an idle client losing its connection (a database restart, `drop database … with (force)`,
 *   57P01 "terminating connection due to administrator command") emits 'error' on the pool,
 *   which then drops that client; the next query gets a fresh one;
 * - a client checked out when the server goes away emits 'error' on itself, not on the pool;
 *   its running query rejects anyway.
 * Every pool is made through {@link createPool}, or passed through this when a test or a script
 * makes its own.
 */
export function hearPoolErrors(pool: pg.Pool): pg.Pool {
  if (!pool.listeners('error').includes(ignore)) {
    pool.on('error', ignore);
    pool.on('connect', (client) => hearClientErrors(client));
  }
  return pool;
}

/** The same for a single pg client (migrations, admin connections): its queries reject instead. */
export function hearClientErrors<T extends pg.ClientBase>(client: T): T {
  if (!client.listeners('error').includes(ignore)) client.on('error', ignore);
  return client;
}

/** Drizzle over a pool, with the full schema for typed queries. */
export function createDatabase(pool: pg.Pool): Database {
  return drizzle(pool, { schema });
}

export interface TransactionOptions {
  /** The transaction's isolation level (`begin isolation level …`); the session's default (READ COMMITTED) when absent. */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  /** `set local work_mem` for the transaction, e.g. '64MB', for queries that would otherwise sort or hash on disk. */
  workMem?: string;
}

const ISOLATION_LEVELS: ReadonlySet<string> = new Set(['read committed', 'repeatable read', 'serializable']);
/** A size as Postgres reads work_mem: only these reach the (unparameterisable) `set local`. */
const WORK_MEM = /^\d+(kB|MB|GB)$/;

/** Runs `work` in one transaction on one client; rolls back on any error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T>;
export async function withTransaction<T>(
  pool: pg.Pool,
  options: TransactionOptions,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T>;
export async function withTransaction<T>(
  pool: pg.Pool,
  optionsOrWork: TransactionOptions | ((client: pg.PoolClient) => Promise<T>),
  maybeWork?: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const options: TransactionOptions = typeof optionsOrWork === 'function' ? {} : optionsOrWork;
  const work = typeof optionsOrWork === 'function' ? optionsOrWork : maybeWork;
  if (!work) throw new TypeError('withTransaction: no work given');
  const { isolation, workMem } = options;
  // Both end up in SQL text (neither `begin` nor `set` takes parameters): refused before a connection is taken.
  if (isolation !== undefined && !ISOLATION_LEVELS.has(isolation))
    throw new RangeError(`withTransaction: isolation ${JSON.stringify(isolation)} is not a level`);
  if (workMem !== undefined && !WORK_MEM.test(workMem))
    throw new RangeError(`withTransaction: workMem ${JSON.stringify(workMem)} is not a size like '64MB'`);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(isolation === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${isolation}`);
    if (workMem !== undefined) await client.query(`SET LOCAL work_mem = '${workMem}'`);
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
