import os from 'node:os';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import amqp from 'amqplib';
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
      await deleteTopology(await connection.createChannel(), { prefix, retryTiers: retryTiersFromMs(BENCH_TIERS) });
      await connection.close();
    },
  };
}

/** Worker concurrency for benchmarks (BENCH_WORKERS, default 4). */
export const benchWorkers = () => process.env.BENCH_WORKERS ?? '4';
