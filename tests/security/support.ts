import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pg from 'pg';
import type { RunningSimulator, StatsSnapshot } from '@tributary/simulator';
import { createLogger } from '@tributary/observability';
import { QueueConnection } from '@tributary/queue';
import { createBreakerRegistry, createGovernor, type BreakerRegistry } from '@tributary/resilience';
import { buildExtractApp } from '../../services/extract/src/app.ts';
import { BackendClient } from '../../services/extract/src/backend-client.ts';
import { createOutboundGuard, type OutboundGuard, type Resolver } from '@tributary/netguard';
import { ADMIN_TOKEN, bearer, EXTRACT_TOKEN, SERVICE_TOKEN } from '../support/backend.ts';

/** A host name that exists only through an injected resolver (allow-listed where the backend needs it). */
export const TEST_HOST = 'rebind.tributary.test';
/** A public address (TEST-NET would be refused as documentation space; this is example.com's). */
export const PUBLIC_ADDRESS = '93.184.215.14';

/**
 * A resolver for tests: answers `TEST_HOST` from `answers()` (so a test can change the answer
 * between check and run, as a rebinding DNS server does) and refuses every other name.
 */
export function stagedResolver(answers: () => string[]): Resolver {
  return async (hostname) => {
    if (hostname !== TEST_HOST)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers();
  };
}

export interface TestExtract {
  app: FastifyInstance;
  url: string;
  guard: OutboundGuard;
  breakers: BreakerRegistry;
  close: () => Promise<void>;
}

/** The extract service's HTTP side in-process, with the guard policy a test chooses. */
export async function startTestExtract(policy: {
  allowPrivateHosts: boolean;
  resolve?: Resolver;
}): Promise<TestExtract> {
  const logger = createLogger('test', { level: 'silent' });
  const breakers = createBreakerRegistry({ logger });
  // Never started: the connection test and breaker routes do not touch the broker.
  const connection = new QueueConnection({ url: 'amqp://127.0.0.1:1', logger });
  const guard = createOutboundGuard(policy);
  const app = buildExtractApp({
    logger,
    extractToken: EXTRACT_TOKEN,
    adminToken: ADMIN_TOKEN,
    guard,
    breakers,
    backend: new BackendClient({
      baseUrl: 'http://127.0.0.1:1',
      serviceToken: SERVICE_TOKEN,
      breaker: breakers.get('backend'),
    }),
    connection,
    governorFor: () => createGovernor({ concurrency: 2 }),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    url,
    guard,
    breakers,
    close: async () => {
      await app.close();
      await connection.close();
      await guard.close();
      breakers.shutdown();
    },
  };
}

/** Every request the simulator has answered, summed over endpoints. */
export async function simulatorRequests(sim: RunningSimulator): Promise<number> {
  const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
  return Object.values(stats.requests).reduce((sum, entry) => sum + entry.total, 0);
}

/** A plain HTTP server on loopback with a handler of the test's choosing. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a run of the integration as if its connection test had passed back then (marked so in the
 * database: the test itself would reach the source now); answers the POST …/runs response.
 */
export async function runAsTested(
  backend: FastifyInstance,
  pool: pg.Pool,
  token: string,
  integrationId: number,
  body: object,
): Promise<LightMyRequestResponse> {
  await pool.query(
    'update integrations set enabled = true, last_test_ok = true, last_test_at = now() where id = $1',
    [integrationId],
  );
  return backend.inject({
    method: 'POST',
    url: `/api/v1/integrations/${integrationId}/runs`,
    headers: bearer(token),
    payload: body,
  });
}
