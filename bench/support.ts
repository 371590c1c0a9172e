import os from 'node:os';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import amqp from 'amqplib';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { deleteTopology, retryTiersFromMs } from '@tributary/queue';
import { startStack, type ServiceName, type Stack, type StackOptions } from '../scripts/stack.ts';
import { runMigrations } from '@tributary/db';

export const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated database for one benchmark, dropped afterwards. */
export async function benchDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tributary_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function runConcurrently(tasks: (() => Promise<unknown>)[], concurrency: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}`;
}

export interface BenchResult {
  name: string;
  lines: string[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A JSON call to one of the stack's processes; a non-2xx answer throws with its body. */
export async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** Production delay tiers: a benchmark should not retry faster than the product does. */
export const BENCH_TIERS = '5000,30000,300000';

export interface BenchStack {
  stack: Stack;
  prefix: string;
  /** Stops the processes and deletes the benchmark's queues and exchanges. */
  close: () => Promise<void>;
}

/** Tributary as real processes on a fresh queue prefix, quiet logs, production tiers. */
export async function benchStack(
  databaseUrl: string,
  env: StackOptions['env'] = {},
  services?: readonly ServiceName[],
): Promise<BenchStack> {
  const prefix = `bench_${randomBytes(3).toString('hex')}.`;
  const quiet = { RETRY_TIERS_MS: BENCH_TIERS, LOG_LEVEL: 'warn' };
  const stack = await startStack({
    databaseUrl,
    amqpUrl: AMQP_URL,
    queuePrefix: prefix,
    ...(services ? { services } : {}),
    env: {
      backend: { ...quiet, ...env.backend },
      worker: { ...quiet, ...env.worker },
      extract: { ...quiet, ...env.extract },
      simulator: { ...env.simulator },
    },
  });
  return {
    stack,
    prefix,
    close: async () => {
      await stack.stop();
      const connection = await amqp.connect(AMQP_URL);
      await deleteTopology(await connection.createChannel(), {
        prefix,
        retryTiers: retryTiersFromMs(BENCH_TIERS),
      });
      await connection.close();
    },
  };
}

/** Worker concurrency for benchmarks (BENCH_WORKERS, default 4). */
export const benchWorkers = () => process.env.BENCH_WORKERS ?? '4';

/** Kernel clock ticks per second (`getconf CLK_TCK`): 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat; NaN when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing paren).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of the Postgres processes working for one database: its backends and autovacuum
 * workers (listed by pg_stat_activity), sampled while the work runs, so a backend that exits
 * (a pool closing an idle connection) keeps what it used up to its last sample. Shared
 * processes (WAL writer, checkpointer, background writer) also serve other databases on this
 * server and are left out.
 */
export class PostgresCpu {
  readonly #pool: pg.Pool;
  readonly #database: string;
  readonly #first = new Map<number, number>();
  readonly #last = new Map<number, number>();
  #started = false;

  constructor(pool: pg.Pool, database: string) {
    this.#pool = pool;
    this.#database = database;
  }

  /** Reads every backend of the database; the first call sets the baseline of the ones alive then. */
  async sample(): Promise<void> {
    const { rows } = await this.#pool.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1',
      [this.#database],
    );
    for (const { pid } of rows) {
      const seconds = cpuSeconds(pid);
      if (Number.isNaN(seconds)) continue;
      if (!this.#first.has(pid)) this.#first.set(pid, this.#started ? 0 : seconds);
      this.#last.set(pid, seconds);
    }
    this.#started = true;
  }

  /** CPU seconds used since the first sample. */
  total(): number {
    let sum = 0;
    for (const [pid, last] of this.#last) sum += last - (this.#first.get(pid) ?? 0);
    return sum;
  }
}

/** Streams a `COPY … TO STDOUT` of one connection into a file (binary format keeps the bytes as Postgres has them). */
export async function copyToFile(pool: pg.Pool, sql: string, file: string): Promise<void> {
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyTo(sql)), createWriteStream(file));
  } finally {
    client.release();
  }
}

/** Streams a file into a `COPY … FROM STDIN`; resolves with the rows copied. */
export async function copyFromFile(client: pg.PoolClient, sql: string, file: string): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(createReadStream(file), stream);
  return stream.rowCount;
}
