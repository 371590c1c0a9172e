import { createHash } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type pg from 'pg';
import type { QueueConnection } from '@tributary/queue';
import { DEATH_HEADERS } from '@tributary/queue';
import type { Logger } from '@tributary/observability';
import { parseTimestamp } from '@tributary/contracts';

/** Replays carry this header; it tells deaths of the same message apart. */
export const REPLAY_COUNT_HEADER = 'x-replay-count';

/**
 * Moves every message from `etl.dead` into the `dead_letters` table, acking only
 * after the row is committed. It reads raw deliveries (no schema): the messages
 * here are often the ones that were not valid JSON to begin with. Archiving is
 * idempotent — a redelivery after a crash between commit and ack finds its row.
 */
export class DeadLetterDrain {
  readonly #connection: QueueConnection;
  readonly #pool: pg.Pool;
  readonly #logger: Logger;
  #channel: Channel | undefined;
  #stopped = false;
  readonly #onConnected = () => void this.#subscribe();

  constructor(connection: QueueConnection, pool: pg.Pool, logger: Logger) {
    this.#connection = connection;
    this.#pool = pool;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    this.#connection.on('connected', this.#onConnected);
    await this.#subscribe();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#connection.off('connected', this.#onConnected);
    await this.#channel?.close().catch(() => undefined);
  }

  async #subscribe(): Promise<void> {
    if (this.#stopped) return;
    try {
      const model = await this.#connection.ready();
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      await channel.prefetch(50);
      this.#channel = channel;
      await channel.consume(this.#connection.names.dead, (message) => {
        if (message) void this.#archive(channel, message);
      });
    } catch (error) {
      this.#logger.warn({ err: error }, 'dead-letter drain could not subscribe; waiting for reconnect');
    }
  }

  async #archive(channel: Channel, message: ConsumeMessage): Promise<void> {
    try {
      await archiveDeadLetter(this.#pool, message);
      channel.ack(message);
    } catch (error) {
      this.#logger.error({ err: error }, 'could not archive a dead letter; it stays in etl.dead');
      // Hand it back after a pause rather than spinning on a database that is down.
      setTimeout(() => {
        try {
          channel.nack(message, false, true);
        } catch {
          // The channel is gone: the broker requeues it anyway.
        }
      }, 1000).unref();
    }
  }
}

/** One dead message → one `dead_letters` row (insert-or-ignore on message id × death number). */
export async function archiveDeadLetter(pool: pg.Pool, message: ConsumeMessage): Promise<void> {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const bodyText = message.content.toString('utf8');
  const body = parseObject(bodyText);
  const header = (name: string) => {
    const value = headers[name];
    if (value === undefined || value === null) return null;
    if (Buffer.isBuffer(value)) return value.toString();
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
      return value.toString();
    return JSON.stringify(value);
  };
  const messageId =
    (message.properties.messageId as string | undefined) ??
    `sha256:${createHash('sha256').update(message.fields.routingKey).update(message.content).digest('hex')}`;
  const replayCount = Number(header(REPLAY_COUNT_HEADER) ?? 0);
  const tenantId = positiveInt(header('x-tenant-id')) ?? positiveInt(body?.tenant_id);
  await pool.query(
    `insert into dead_letters
       (tenant_id, integration_id, entity_type, message_id, death_number, correlation_id, queue, routing_key,
        headers, body, reason, error_stack, attempts, first_failed_at, replay_count)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15)
     on conflict (message_id, death_number) do nothing`,
    [
      tenantId,
      positiveInt(body?.integration_id),
      typeof body?.entity_type === 'string' ? body.entity_type.slice(0, 100) : null,
      messageId,
      (Number.isInteger(replayCount) ? replayCount : 0) + 1,
      (message.properties.correlationId as string | undefined) ?? null,
      header(DEATH_HEADERS.originalQueue) ?? 'unknown',
      header(DEATH_HEADERS.originalRoutingKey) ?? message.fields.routingKey,
      JSON.stringify(jsonSafe(headers)),
      bodyText,
      header(DEATH_HEADERS.reason) ?? 'no reason recorded',
      header(DEATH_HEADERS.stack),
      Number(header(DEATH_HEADERS.attempts) ?? 0) || 0,
      parseTimestamp(header(DEATH_HEADERS.firstFailedAt)),
      Number.isInteger(replayCount) ? replayCount : 0,
    ],
  );
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function positiveInt(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

// AMQP headers may hold Buffers and other non-JSON values; the archive keeps text.
function jsonSafe(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [
      key,
      Buffer.isBuffer(value) ? value.toString() : typeof value === 'bigint' ? value.toString() : value,
    ]),
  );
}
