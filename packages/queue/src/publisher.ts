import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '@tributary/observability';
import { backoffDelay, sleep } from '@tributary/resilience';
import { ConnectionClosedError, type QueueConnection } from './connection.ts';
import { Semaphore } from './semaphore.ts';

/** Header naming the tenant of a message (DESIGN §5a). */
export const TENANT_HEADER = 'x-tenant-id';
/** Header carrying the message schema version (the body's `v`). */
export const SCHEMA_VERSION_HEADER = 'x-schema-version';

export type Headers = Record<string, unknown>;

export interface PublishOptions {
  /** Defaults to a random UUID. Keep it on replays so consumers can de-duplicate. */
  readonly messageId?: string;
  /** The job id; defaults to the body's `job_id` when it has one. */
  readonly correlationId?: string;
  /** Extra headers; `x-tenant-id` / `x-schema-version` default to the body's `tenant_id` / `v`. */
  readonly headers?: Headers;
  /** Deadline for the broker's confirm, waits included; default the publisher's `publishTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** How long a publish may take, from the call to the broker's confirm, unless told otherwise. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 15_000;

export interface PublisherOptions {
  /** Most unconfirmed publishes at once; further publishes wait (default 1000). */
  readonly maxInFlight?: number;
  /**
   * How many times a publish whose channel was lost before the broker confirmed
   * it is re-sent transparently after reconnecting (default 5). Past that it
   * rejects with a {@link PublishError} whose `retryable` is true.
   */
  readonly maxRepublishes?: number;
  /**
   * Every publish has a deadline (default {@link DEFAULT_PUBLISH_TIMEOUT_MS}): waiting for a
   * window slot, a connection, `drain`, an unblocked connection and the confirm all count.
   * Past it the publish rejects with {@link PublishTimeoutError}; it may still arrive
   * (at-least-once), so callers treat it as "not known to be sent".
   */
  readonly publishTimeoutMs?: number;
  readonly logger?: Logger;
}

/** A publish the broker did not take. `retryable` says whether sending it again may succeed. */
export class PublishError extends Error {
  override name = 'PublishError';
  readonly exchange: string;
  readonly routingKey: string;
  readonly retryable: boolean;
  constructor(
    message: string,
    exchange: string,
    routingKey: string,
    retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.retryable = retryable;
  }
}

/** The broker returned a mandatory publish: no queue is bound for its routing key. */
export class UnroutableError extends PublishError {
  override name = 'UnroutableError';
  constructor(exchange: string, routingKey: string, replyText: string) {
    super(
      `unroutable message: no queue bound to routing key "${routingKey}" on exchange "${exchange}" (${replyText})`,
      exchange,
      routingKey,
      false,
    );
  }
}

/** The broker did not confirm a publish before its deadline (down, unreachable, blocked or slow). Retryable. */
export class PublishTimeoutError extends PublishError {
  override name = 'PublishTimeoutError';
  constructor(exchange: string, routingKey: string, timeoutMs: number, options?: ErrorOptions) {
    super(
      `publish to "${exchange}" with routing key "${routingKey}" not confirmed within ${timeoutMs} ms: message broker unavailable or slow`,
      exchange,
      routingKey,
      true,
      options,
    );
  }
}

/**
 * Waits for `promise` until `deadline` (epoch ms); past it rejects with `timeout()`. If the
 * promise settles later with a value, `late` gets it (to give back a permit taken too late).
 */
async function withDeadline<T>(
  promise: Promise<T>,
  deadline: number,
  timeout: () => Error,
  late?: (value: T) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        expired = true;
        reject(timeout());
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([
      promise.then((value) => {
        if (expired) late?.(value);
        return value;
      }),
      expiry,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Internal: the channel closed before the broker confirmed; the publish is re-sent. */
class ChannelLost extends Error {}

interface Entry {
  readonly key: string;
  returned: string | undefined;
}

/** A confirm channel with what is in flight on it. */
class PublishChannel {
  readonly channel: ConfirmChannel;
  readonly pending: Entry[] = [];
  drain: Promise<void> | undefined;
  closed = false;
  constructor(channel: ConfirmChannel) {
    this.channel = channel;
  }
}

function entryKey(exchange: string, routingKey: string, messageId: unknown): string {
  return `${exchange}\u0000${routingKey}\u0000${typeof messageId === 'string' ? messageId : ''}`;
}

/**
 * Publishes through a confirm channel: every publish resolves only once the
 * broker has acked it, and rejects on nack or when the message is unroutable
 * (always `mandatory`). At most `maxInFlight` publishes are unconfirmed at a
 * time; publishing waits for `drain` and while the connection is blocked.
 *
 * On connection loss, unconfirmed publishes are re-sent transparently on the
 * next connection (at most `maxRepublishes` times), keeping their messageId:
 * delivery is at-least-once, a message may arrive twice, never zero times
 * without its publish rejecting.
 */
export class Publisher {
  readonly connection: QueueConnection;
  readonly #window: Semaphore;
  readonly #maxRepublishes: number;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  #channel: Promise<PublishChannel> | undefined;
  #closed = false;

  constructor(connection: QueueConnection, options: PublisherOptions = {}) {
    this.connection = connection;
    this.#window = new Semaphore(options.maxInFlight ?? 1000);
    this.#maxRepublishes = options.maxRepublishes ?? 5;
    this.#timeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    this.#logger = options.logger ?? connection.logger;
  }

  /** Publishes not yet confirmed (or waiting for a slot in the window). */
  get inFlight(): number {
    return this.#window.inUse;
  }

  /**
   * Publishes a JSON message to exchange `etl` with `routingKey` (persistent,
   * mandatory) and resolves with its messageId once the broker has confirmed it.
   */
  async publish(routingKey: string, message: unknown, options: PublishOptions = {}): Promise<string> {
    const body = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
    const headers: Headers = {};
    if (body.tenant_id !== undefined) headers[TENANT_HEADER] = body.tenant_id;
    if (body.v !== undefined) headers[SCHEMA_VERSION_HEADER] = body.v;
    Object.assign(headers, options.headers);
    const jobId = body.job_id;
    const correlationId =
      options.correlationId ??
      (typeof jobId === 'number' || typeof jobId === 'string' ? String(jobId) : undefined);
    const messageId = options.messageId ?? randomUUID();
    await this.publishRaw(
      this.connection.names.exchange,
      routingKey,
      Buffer.from(JSON.stringify(message)),
      {
        messageId,
        correlationId,
        headers,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
      },
      options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
    );
    return messageId;
  }

  /**
   * Publishes raw bytes to any exchange (used for retry tiers and dead letters):
   * persistent, mandatory, confirmed. Prefer {@link publish}.
   */
  async publishRaw(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish = {},
    limits: { readonly timeoutMs?: number } = {},
  ): Promise<void> {
    if (this.#closed) throw new PublishError('publisher is closed', exchange, routingKey, true);
    const timeoutMs = limits.timeoutMs ?? this.#timeoutMs;
    const deadline = Date.now() + timeoutMs;
    const timeout = (cause?: unknown) =>
      new PublishTimeoutError(exchange, routingKey, timeoutMs, cause === undefined ? undefined : { cause });
    await withDeadline(this.#window.acquire(), deadline, timeout, () => this.#window.release());
    try {
      let lost = 0;
      for (;;) {
        try {
          await this.#publishOnce(exchange, routingKey, content, properties, deadline, timeout);
          return;
        } catch (error) {
          if (!(error instanceof ChannelLost)) throw error;
          lost += 1;
          if (lost > this.#maxRepublishes) {
            throw new PublishError(
              `publish to "${exchange}" with routing key "${routingKey}" not confirmed: channel lost ${lost} times`,
              exchange,
              routingKey,
              true,
            );
          }
          this.#logger.debug({ exchange, routingKey, lost }, 'channel lost before confirm; re-sending');
        }
      }
    } finally {
      this.#window.release();
    }
  }

  /** Stops taking publishes, waits (up to `timeoutMs`) for unconfirmed ones, closes the channel. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closed = true;
    await Promise.race([this.#window.idle(), sleep(timeoutMs)]);
    const current = this.#channel;
    this.#channel = undefined;
    if (current) {
      const pc = await current.catch(() => undefined);
      if (pc && !pc.closed) await pc.channel.close().catch(() => undefined);
    }
  }

  async #publishOnce(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
    timeout: (cause?: unknown) => PublishTimeoutError,
  ): Promise<void> {
    const pc = await this.#getChannel(exchange, routingKey, deadline, timeout);
    await this.connection.waitUnblocked(Math.max(0, deadline - Date.now())).catch((error: unknown) => {
      throw timeout(error);
    });
    while (pc.drain) await withDeadline(pc.drain, deadline, timeout);
    if (pc.closed) throw new ChannelLost();
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = { key: entryKey(exchange, routingKey, properties.messageId), returned: undefined };
      let settled = false;
      // The confirm may never come (a broker that stopped answering): the deadline ends the wait.
      const timer = setTimeout(() => settle(timeout()), Math.max(0, deadline - Date.now()));
      const settle = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const index = pc.pending.indexOf(entry);
        if (index >= 0) pc.pending.splice(index, 1);
        if (error) reject(error);
        else resolve();
      };
      pc.pending.push(entry);
      let written: boolean;
      try {
        written = pc.channel.publish(
          exchange,
          routingKey,
          content,
          { ...properties, persistent: true, mandatory: true },
          (error: unknown) => {
            if (error === null || error === undefined) {
              settle(
                entry.returned === undefined
                  ? undefined
                  : new UnroutableError(exchange, routingKey, entry.returned),
              );
            } else if (error instanceof Error && error.message === 'message nacked') {
              settle(
                new PublishError(
                  `broker nacked the publish to "${exchange}" with routing key "${routingKey}" (queue full or unavailable)`,
                  exchange,
                  routingKey,
                  true,
                ),
              );
            } else {
              settle(new ChannelLost());
            }
          },
        );
      } catch {
        // amqplib throws synchronously on a channel that has just closed.
        settle(new ChannelLost());
        return;
      }
      if (!written && !pc.drain) {
        pc.drain = new Promise<void>((done) => {
          const finish = (): void => {
            pc.channel.off('drain', finish);
            pc.channel.off('close', finish);
            pc.drain = undefined;
            done();
          };
          pc.channel.on('drain', finish);
          pc.channel.on('close', finish);
        });
      }
    });
  }

  async #getChannel(
    exchange: string,
    routingKey: string,
    deadline: number,
    timeout: (cause?: unknown) => PublishTimeoutError,
  ): Promise<PublishChannel> {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() >= deadline) throw timeout();
      const current = (this.#channel ??= this.#openChannel());
      try {
        // The channel being opened is shared; this publish only waits for it until its own deadline.
        const pc = await withDeadline(current, deadline, timeout);
        if (!pc.closed) return pc;
      } catch (error) {
        if (error instanceof PublishTimeoutError) throw error;
        if (error instanceof ConnectionClosedError) {
          throw new PublishError(
            `cannot publish to "${exchange}" with routing key "${routingKey}": connection closed`,
            exchange,
            routingKey,
            true,
            { cause: error },
          );
        }
        this.#logger[this.connection.isConnected ? 'warn' : 'debug'](
          { err: error },
          'opening a confirm channel failed; retrying',
        );
        const pause = Math.min(backoffDelay(attempt, { baseMs: 50, capMs: 2_000 }), deadline - Date.now());
        if (pause <= 0) throw timeout(error);
        await sleep(pause);
      }
      if (this.#channel === current) this.#channel = undefined;
    }
  }

  async #openChannel(): Promise<PublishChannel> {
    const model = await this.connection.ready();
    const channel = await model.createConfirmChannel();
    const pc = new PublishChannel(channel);
    channel.on('error', (error: unknown) => {
      this.#logger.warn({ err: error }, 'publisher channel error');
    });
    channel.on('close', () => {
      pc.closed = true;
    });
    channel.on('return', (message: ConsumeMessage) => {
      const key = entryKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId);
      const entry = pc.pending.find((e) => e.key === key && e.returned === undefined);
      const replyText = (message.fields as unknown as { replyText?: string }).replyText ?? 'NO_ROUTE';
      if (entry) entry.returned = replyText;
      else
        this.#logger.warn(
          { routingKey: message.fields.routingKey },
          'returned message matches no pending publish',
        );
    });
    return pc;
  }
}
