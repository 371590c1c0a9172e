// Helpers for this package's tests (real RabbitMQ, one prefix per test).
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import amqp from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { createLogger } from '@tributary/observability';
import { QueueConnection } from './connection.ts';
import { deleteTopology, type RetryTier } from './topology.ts';

/** Short tiers so a test walks through all of them quickly. */
export const TEST_TIERS: readonly RetryTier[] = [
  { label: 'a', ttlMs: 200 },
  { label: 'b', ttlMs: 400 },
  { label: 'c', ttlMs: 800 },
];

const logger = createLogger('queue-test', { level: process.env.LOG_LEVEL ?? 'silent' });

/** A fresh prefix like `t_1a2b3c4d.` so test files never share queues. */
export function testPrefix(): string {
  return `t_${randomBytes(4).toString('hex')}.`;
}

/** A test topology: a started connection on its own prefix, a spare raw channel, and cleanup. */
export interface TestBroker {
  readonly prefix: string;
  readonly connection: QueueConnection;
  /** A plain amqplib connection for inspecting queues (get, checkQueue). */
  readonly admin: ChannelModel;
  readonly channel: Channel;
  /** Closes everything and deletes this prefix's queues and exchanges. */
  cleanup(): Promise<void>;
}

export async function startTestBroker(
  url: string,
  retryTiers: readonly RetryTier[] = TEST_TIERS,
): Promise<TestBroker> {
  const prefix = testPrefix();
  const connection = await new QueueConnection({
    url,
    prefix,
    retryTiers,
    logger,
    name: `queue-test-${prefix}`,
    backoff: { baseMs: 50, capMs: 1_000 },
  }).start();
  const admin = await amqp.connect(url);
  const channel = await admin.createChannel();
  return {
    prefix,
    connection,
    admin,
    channel,
    async cleanup() {
      await connection.close();
      const ch = await admin.createChannel();
      await deleteTopology(ch, { prefix, retryTiers });
      await admin.close();
    },
  };
}

/**
 * Kills the TCP socket under the connection, as a network failure (ECONNRESET)
 * would. (A bare `destroy()` without an error is not noticed by amqplib until
 * the heartbeat times out.)
 */
export function killSocket(connection: QueueConnection): void {
  const model = connection.current;
  if (!model) throw new Error('not connected');
  (model.connection as unknown as { stream: Socket }).stream.destroy(new Error('simulated network failure'));
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls `probe` until it returns a value; fails after `limitMs` (a bound, not a timing assertion). */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits for the next message in `queue` and acks it. */
export async function getOne(channel: Channel, queue: string, limitMs?: number): Promise<GetMessage> {
  const message = await eventually(
    async () => (await channel.get(queue, { noAck: false })) || undefined,
    `a message in ${queue}`,
    limitMs,
  );
  channel.ack(message);
  return message;
}
