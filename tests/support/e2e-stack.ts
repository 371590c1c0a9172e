import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { hearPoolErrors } from '@tributary/db';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { ApiClient } from './api-client.ts';
import { deleteQueues } from './backend.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/** Short delay tiers and source retries, so a retried message or request does not hold a test up. */
const TIERS = '200,400,800';

export interface E2eStackOptions {
  /** Name of the tenant created for the test; `api` speaks as it. */
  tenant: string;
  /** The simulator's seed and data sizes. */
  simulator: Record<string, string>;
  /** Settings a test adds to (or changes in) a process's defaults. */
  backend?: Record<string, string>;
  worker?: Record<string, string>;
  extract?: Record<string, string>;
}

export interface E2eStack {
  stack: Stack;
  /** The test's queue-name prefix. */
  prefix: string;
  /** On the test's own database, for asserting rows. */
  pool: pg.Pool;
  /** The test tenant's client of the backend API. */
  api: ApiClient;
  /** The simulator's truth and control endpoints. */
  sim: ApiClient;
  /** Stops the processes, drops the database and deletes the test's queues. */
  stop: () => Promise<void>;
}

/**
 * The whole stack as processes (simulator, backend, worker, extract) on a fresh database and its
 * own queue prefix, with one tenant: what an end-to-end test starts in its `beforeAll`.
 */
export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  const amqpUrl = inject('amqpUrl');
  const prefix = `t_${randomBytes(4).toString('hex')}.`;
  const database: TestDatabase = await createTestDatabase();
  const common = { RETRY_TIERS_MS: TIERS, LOG_LEVEL: 'warn' };
  let stack: Stack | undefined;
  let pool: pg.Pool | undefined;
  const stop = async (): Promise<void> => {
    await stack?.stop();
    await pool?.end();
    await database.drop();
    await deleteQueues(amqpUrl, prefix, TIERS);
  };
  try {
    stack = await startStack({
      databaseUrl: database.url,
      amqpUrl,
      queuePrefix: prefix,
      env: {
        backend: { ...common, ...options.backend },
        worker: { ...common, ...options.worker },
        extract: { ...common, SOURCE_RETRY_BASE_MS: '100', SOURCE_RETRY_CAP_MS: '500', ...options.extract },
        simulator: options.simulator,
      },
    });
    pool = hearPoolErrors(new pg.Pool({ connectionString: database.url, max: 2 }));
    const admin = new ApiClient(stack.urls.backend, stack.adminToken);
    const tenant = await admin.ok<{ token: string }>('POST', '/api/v1/tenants', { name: options.tenant });
    return {
      stack,
      prefix,
      pool,
      api: new ApiClient(stack.urls.backend, tenant.token),
      sim: new ApiClient(stack.urls.simulator, 'unused'),
      stop,
    };
  } catch (error) {
    // A stack that failed half-way up must not leave processes, a database or queues behind.
    await stop().catch(() => undefined);
    throw error;
  }
}
