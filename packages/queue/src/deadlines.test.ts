import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createLogger } from '@tributary/observability';
import { BrokerUnavailableError, QueueConnection } from './connection.ts';
import { Publisher, PublishTimeoutError } from './publisher.ts';

/** A loopback port with nothing listening: a broker that is down. */
async function deadBrokerUrl(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  return `amqp://guest:guest@127.0.0.1:${port}`;
}

const quiet = createLogger('queue', { level: 'silent' });
const open: QueueConnection[] = [];
afterEach(async () => {
  for (const connection of open.splice(0)) await connection.close();
});

async function downConnection(): Promise<QueueConnection> {
  const connection = new QueueConnection({
    url: await deadBrokerUrl(),
    backoff: { baseMs: 20, capMs: 100 },
    logger: quiet,
  });
  open.push(connection);
  return connection;
}

describe('waits on the broker have deadlines', () => {
  it('ready() gives up with BrokerUnavailableError when no broker answers', async () => {
    const connection = await downConnection();
    await expect(connection.ready(300)).rejects.toThrow(BrokerUnavailableError);
    await expect(connection.ready(300)).rejects.toThrow(
      'message broker unavailable: no broker connection within 300 ms',
    );
  });

  it('a publish to a broker that is down rejects with a retryable PublishTimeoutError at its deadline', async () => {
    const connection = await downConnection();
    const publisher = new Publisher(connection, { publishTimeoutMs: 400 });
    const error = await publisher.publish('extract.jira', { v: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect(error).toMatchObject({ retryable: true, routingKey: 'extract.jira' });
    expect((error as Error).message).toContain('not confirmed within 400 ms');
    // A per-call deadline wins over the publisher's.
    await expect(publisher.publish('extract.jira', { v: 1 }, { timeoutMs: 100 })).rejects.toThrow(
      'within 100 ms',
    );
    // Timed-out publishes give their window slot back.
    expect(publisher.inFlight).toBe(0);
  });

  it('publishes waiting for a window slot are bounded by the same deadline', async () => {
    const connection = await downConnection();
    const publisher = new Publisher(connection, { publishTimeoutMs: 300, maxInFlight: 1 });
    const results = await Promise.allSettled([
      publisher.publish('a', {}),
      publisher.publish('b', {}),
      publisher.publish('c', {}),
    ]);
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof PublishTimeoutError)).toEqual([
      true,
      true,
      true,
    ]);
    expect(publisher.inFlight).toBe(0);
  });
});
