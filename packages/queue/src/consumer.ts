import type { Channel, ConsumeMessage } from 'amqplib';
import type { ZodType } from 'zod';
import { errorMessage, formatIssues } from '@tributary/contracts';
import type { Logger } from '@tributary/observability';
import { backoffDelay, sleepOrWake } from '@tributary/resilience';
import { ConnectionClosedError, type QueueConnection } from './connection.ts';
import { Publisher, type Headers } from './publisher.ts';
import { RETRY_TIER_HEADER, type RetryTier } from './topology.ts';

/** Attempt number of a delivery (1 for the first); incremented on each retry. */
export const ATTEMPT_HEADER = 'x-attempt';
/** Dead-letter headers added by the consumer on its copy in `etl.dead`. */
export const DEATH_HEADERS = {
  reason: 'x-death-reason',
  stack: 'x-death-stack',
  attempts: 'x-attempts',
  originalRoutingKey: 'x-original-routing-key',
  originalExchange: 'x-original-exchange',
  originalQueue: 'x-original-queue',
  firstFailedAt: 'x-first-failed-at',
  deadLetteredAt: 'x-dead-lettered-at',
} as const;
/** Last transient error, carried on a retried message (informational). */
export const LAST_ERROR_HEADER = 'x-last-error';

const MAX_HEADER_TEXT = 4_000;

/** Throw it from a handler to dead-letter the message at once, without retries. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** What a handler learns about a delivery besides its validated body. */
export interface MessageContext {
  readonly messageId: string | undefined;
  readonly correlationId: string | undefined;
  readonly headers: Headers;
  /** 1 on the first delivery, 2 after the first retry, … */
  readonly attempt: number;
  readonly routingKey: string;
  readonly raw: ConsumeMessage;
}

export type MessageHandler<T> = (message: T, context: MessageContext) => Promise<void>;

/** One message of a batch. */
export interface BatchItem<T> {
  readonly message: T;
  readonly context: MessageContext;
}

/** A batch handler's verdict on one message: acked, or failed like a thrown error (retry or dead letter). */
export type BatchItemResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/**
 * Handles several messages at once (e.g. in one database transaction). Resolve
 * with nothing to ack them all, with one result per message (same order) to
 * decide each, or throw to fail them all.
 */
// A handler that decides nothing item by item returns nothing: void is meant.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type BatchHandler<T> = (items: readonly BatchItem<T>[]) => Promise<void | readonly BatchItemResult[]>;

export interface BaseConsumeOptions<T> {
  readonly connection: QueueConnection;
  /** Used for retries and dead letters; by default the consumer makes (and closes) its own. */
  readonly publisher?: Publisher;
  /** Full queue name, e.g. `connection.names.transform`. */
  readonly queue: string;
  /** Each body is parsed as JSON and validated with it before a handler sees it. */
  readonly schema: ZodType<T>;
  /** Most unacked messages on this consumer (default 10; batch: 2 × batchSize). */
  readonly prefetch?: number;
  /** Attempts before a transiently failing message is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** Delay tiers to retry through; default the connection's (must be declared). */
  readonly retryTiers?: readonly RetryTier[];
  readonly logger?: Logger;
  /** How long {@link Consumer.stop} waits for in-flight handlers (default 30 s). */
  readonly stopTimeoutMs?: number;
}

export interface ConsumeOptions<T> extends BaseConsumeOptions<T> {
  readonly handler: MessageHandler<T>;
}

export interface ConsumeBatchOptions<T> extends BaseConsumeOptions<T> {
  /** A batch is handed over when it has this many messages… */
  readonly batchSize: number;
  /** …or this long after its first message arrived. */
  readonly maxWaitMs: number;
  readonly handler: BatchHandler<T>;
}

type Mode<T> =
  | { readonly kind: 'single'; readonly handler: MessageHandler<T> }
  | {
      readonly kind: 'batch';
      readonly handler: BatchHandler<T>;
      readonly batchSize: number;
      readonly maxWaitMs: number;
    };

type Decoded<T> =
  | { readonly ok: true; readonly message: T; readonly context: MessageContext }
  | { readonly ok: false; readonly reason: string; readonly context: MessageContext };

interface Buffered<T> {
  readonly channel: Channel;
  readonly raw: ConsumeMessage;
  readonly message: T;
  readonly context: MessageContext;
}

type State = 'running' | 'paused' | 'stopped';

/**
 * A queue consumer with manual acks and bounded prefetch. Outcomes: handler
 * resolves → ack; transient error → confirmed republish to the next delay tier
 * with `x-attempt` + 1, then ack; last attempt, {@link PermanentError}, bad
 * JSON or schema failure → confirmed copy into `etl.dead` with `x-death-*`
 * headers, then ack. Re-subscribes after a reconnect.
 */
export class Consumer<T = unknown> {
  readonly queue: string;
  readonly #connection: QueueConnection;
  readonly #publisher: Publisher;
  readonly #ownPublisher: boolean;
  readonly #schema: ZodType<T>;
  readonly #mode: Mode<T>;
  readonly #prefetch: number;
  readonly #maxAttempts: number;
  readonly #tiers: readonly RetryTier[];
  readonly #logger: Logger;
  readonly #stopTimeoutMs: number;
  readonly #abort = new AbortController();
  #state: State = 'running';
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  #subscribing: Promise<void> | undefined;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];
  #buffer: Buffered<T>[] = [];
  #batchTimer: NodeJS.Timeout | undefined;
  /** Cuts short the backoff of a subscribe attempt that failed while the connection was down. */
  #wake: AbortController | undefined;
  readonly #onConnected = (): void => {
    this.#wake?.abort();
    void this.#subscribe();
  };

  constructor(options: BaseConsumeOptions<T>, mode: Mode<T>) {
    this.queue = options.queue;
    this.#connection = options.connection;
    this.#ownPublisher = options.publisher === undefined;
    this.#publisher = options.publisher ?? new Publisher(options.connection, { logger: options.logger });
    this.#schema = options.schema;
    this.#mode = mode;
    this.#prefetch = options.prefetch ?? (mode.kind === 'batch' ? mode.batchSize * 2 : 10);
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#tiers = options.retryTiers ?? options.connection.retryTiers;
    this.#logger = (options.logger ?? options.connection.logger).child({ queue: options.queue });
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
    if (this.#tiers.length === 0) throw new Error('consumer needs at least one retry tier');
    if (!Number.isInteger(this.#prefetch) || this.#prefetch < 1)
      throw new Error('prefetch must be a positive integer');
    if (mode.kind === 'batch' && this.#prefetch < mode.batchSize) {
      throw new Error(`prefetch (${this.#prefetch}) must be at least batchSize (${mode.batchSize})`);
    }
  }

  /** Deliveries being handled, retried or dead-lettered right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get state(): State {
    return this.#state;
  }

  /** Whether the broker is delivering to this consumer right now. */
  get isSubscribed(): boolean {
    return this.#consumerTag !== undefined;
  }

  /** Subscribes; resolves once the broker delivers to this consumer. */
  async start(): Promise<this> {
    this.#connection.on('connected', this.#onConnected);
    await this.#subscribe();
    return this;
  }

  /** Stops taking new deliveries (cancels the subscription); in-flight handlers finish and ack. */
  async pause(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    await this.#subscribing;
    await this.#cancel();
  }

  /** Takes deliveries again after {@link pause}. */
  async resume(): Promise<void> {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    await this.#subscribe();
  }

  /**
   * Cancels the subscription, waits up to `timeoutMs` for in-flight handlers
   * (they still ack), then closes the channel: whatever is unacked (including
   * a batch not yet handed over) goes back to the queue.
   */
  async stop(timeoutMs = this.#stopTimeoutMs): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.#abort.abort();
    this.#connection.off('connected', this.#onConnected);
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    await this.#subscribing;
    await this.#cancel();
    this.#buffer = [];
    await Promise.race([this.#idle(), sleepOrWake(timeoutMs)]);
    if (this.#inFlight > 0) {
      this.#logger.warn({ inFlight: this.#inFlight }, 'stop timed out; closing with handlers still running');
    }
    const channel = this.#channel;
    this.#channel = undefined;
    if (channel) await channel.close().catch(() => undefined);
    if (this.#ownPublisher) await this.#publisher.close();
  }

  async #cancel(): Promise<void> {
    const channel = this.#channel;
    const tag = this.#consumerTag;
    this.#consumerTag = undefined;
    if (channel && tag !== undefined) {
      try {
        await channel.cancel(tag);
      } catch (error) {
        this.#logger.debug({ err: error }, 'cancel failed (channel already closed)');
      }
    }
  }

  #idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #subscribe(): Promise<void> {
    this.#subscribing ??= this.#doSubscribe().finally(() => {
      this.#subscribing = undefined;
    });
    return this.#subscribing;
  }

  async #doSubscribe(): Promise<void> {
    for (let attempt = 0; this.#state === 'running' && this.#consumerTag === undefined; attempt++) {
      try {
        const channel = this.#channel ?? (await this.#openChannel());
        if (this.#state !== 'running') return;
        const { consumerTag } = await channel.consume(this.queue, (raw) => this.#onDelivery(channel, raw), {
          noAck: false,
        });
        if (this.#channel !== channel) continue; // closed meanwhile
        this.#consumerTag = consumerTag;
        this.#logger.debug({ consumerTag }, 'subscribed');
        return;
      } catch (error) {
        if (error instanceof ConnectionClosedError) return;
        // While the connection is down this is expected; `connected` wakes us up.
        const level = this.#connection.isConnected ? 'warn' : 'debug';
        this.#logger[level]({ err: error, attempt }, 'subscribing failed; retrying');
        const wake = new AbortController();
        this.#wake = wake;
        await sleepOrWake(
          backoffDelay(attempt, { baseMs: 100, capMs: 10_000 }),
          AbortSignal.any([this.#abort.signal, wake.signal]),
        );
        this.#wake = undefined;
      }
    }
  }

  async #openChannel(): Promise<Channel> {
    const model = await this.#connection.ready();
    const channel = await model.createChannel();
    channel.on('error', (error: unknown) => {
      this.#logger.warn({ err: error }, 'consumer channel error');
    });
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      this.#consumerTag = undefined;
      // Unacked deliveries of this channel go back to the queue; forget the buffered ones.
      this.#buffer = this.#buffer.filter((item) => item.channel !== channel);
      if (this.#state === 'running') void this.#subscribe();
    });
    await channel.prefetch(this.#prefetch);
    this.#channel = channel;
    return channel;
  }

  #onDelivery(channel: Channel, raw: ConsumeMessage | null): void {
    if (raw === null) {
      // The broker cancelled us (queue deleted?): try again with backoff while running.
      this.#logger.warn('subscription cancelled by the broker');
      if (channel === this.#channel) this.#consumerTag = undefined;
      if (this.#state === 'running') void this.#subscribe();
      return;
    }
    const decoded = this.#decode(raw);
    if (!decoded.ok) {
      this.#track(this.#deadLetter(channel, raw, decoded.context, decoded.reason, ''));
      return;
    }
    if (this.#mode.kind === 'single') {
      this.#track(this.#handleOne(this.#mode.handler, channel, raw, decoded.message, decoded.context));
      return;
    }
    const mode = this.#mode;
    this.#buffer.push({ channel, raw, message: decoded.message, context: decoded.context });
    if (this.#buffer.length >= mode.batchSize) this.#flush();
    else this.#batchTimer ??= setTimeout(() => this.#flush(), mode.maxWaitMs);
  }

  #track(work: Promise<void>): void {
    this.#inFlight += 1;
    void work
      .catch((error: unknown) => this.#logger.error({ err: error }, 'unexpected error handling a delivery'))
      .finally(() => {
        this.#inFlight -= 1;
        if (this.#inFlight === 0) {
          const waiters = this.#idleWaiters;
          this.#idleWaiters = [];
          for (const resolve of waiters) resolve();
        }
      });
  }

  #decode(raw: ConsumeMessage): Decoded<T> {
    const headers: Headers = raw.properties.headers ?? {};
    const context: MessageContext = {
      messageId: asString(raw.properties.messageId),
      correlationId: asString(raw.properties.correlationId),
      headers,
      attempt: parseAttempt(headers[ATTEMPT_HEADER]),
      routingKey: raw.fields.routingKey,
      raw,
    };
    let body: unknown;
    try {
      body = JSON.parse(raw.content.toString('utf8'));
    } catch (error) {
      return { ok: false, reason: `invalid JSON: ${errorMessage(error)}`, context };
    }
    const parsed = this.#schema.safeParse(body);
    if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error.issues), context };
    return { ok: true, message: parsed.data, context };
  }

  async #handleOne(
    handler: MessageHandler<T>,
    channel: Channel,
    raw: ConsumeMessage,
    message: T,
    context: MessageContext,
  ): Promise<void> {
    try {
      await handler(message, context);
    } catch (error) {
      await this.#fail(channel, raw, context, error);
      return;
    }
    this.#ack(channel, raw);
  }

  #flush(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#mode.kind !== 'batch' || this.#buffer.length === 0) return;
    const mode = this.#mode;
    const items = this.#buffer.splice(0, mode.batchSize);
    if (this.#buffer.length > 0) this.#batchTimer = setTimeout(() => this.#flush(), mode.maxWaitMs);
    this.#track(this.#handleBatch(mode.handler, items));
  }

  async #handleBatch(handler: BatchHandler<T>, items: readonly Buffered<T>[]): Promise<void> {
    let results: Awaited<ReturnType<BatchHandler<T>>>;
    try {
      results = await handler(items.map(({ message, context }) => ({ message, context })));
    } catch (error) {
      await Promise.all(items.map((item) => this.#fail(item.channel, item.raw, item.context, error)));
      return;
    }
    if (results !== undefined && results.length !== items.length) {
      const error = new Error(
        `batch handler returned ${results.length} results for ${items.length} messages`,
      );
      await Promise.all(items.map((item) => this.#fail(item.channel, item.raw, item.context, error)));
      return;
    }
    await Promise.all(
      items.map(async (item, index) => {
        const result = results?.[index];
        if (result === undefined || result.ok) this.#ack(item.channel, item.raw);
        else await this.#fail(item.channel, item.raw, item.context, result.error);
      }),
    );
  }

  /** A handler failed: retry through the next delay tier, or dead-letter when out of attempts. */
  async #fail(channel: Channel, raw: ConsumeMessage, context: MessageContext, error: unknown): Promise<void> {
    const log = logFieldsOf(context);
    if (error instanceof PermanentError || context.attempt >= this.#maxAttempts) {
      await this.#deadLetter(channel, raw, context, errorMessage(error), firstStackLine(error));
      return;
    }
    const tierIndex = Math.min(context.attempt - 1, this.#tiers.length - 1);
    const tier = this.#tiers[tierIndex] ?? this.#tiers[this.#tiers.length - 1];
    if (!tier) throw new Error('no retry tier');
    const headers: Headers = {
      ...cleanHeaders(context.headers),
      [ATTEMPT_HEADER]: context.attempt + 1,
      [RETRY_TIER_HEADER]: tier.label,
      [DEATH_HEADERS.firstFailedAt]: firstFailedAt(context.headers),
      [LAST_ERROR_HEADER]: truncate(errorMessage(error)),
    };
    const copied = await this.#copyTo(
      this.#connection.names.retryExchange,
      channel,
      raw,
      context,
      headers,
      'republishing to a delay tier failed; requeueing',
    );
    if (!copied) return;
    this.#logger.warn(
      { ...log, err: error, tier: tier.label },
      'handler failed; retrying through a delay tier',
    );
    this.#ack(channel, raw);
  }

  /** Confirmed copy into `etl.dead` with the reason in headers, then ack the original. */
  async #deadLetter(
    channel: Channel,
    raw: ConsumeMessage,
    context: MessageContext,
    reason: string,
    stack: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const headers: Headers = {
      ...cleanHeaders(context.headers),
      [DEATH_HEADERS.reason]: truncate(reason),
      [DEATH_HEADERS.stack]: truncate(stack),
      [DEATH_HEADERS.attempts]: context.attempt,
      [DEATH_HEADERS.originalRoutingKey]: raw.fields.routingKey,
      [DEATH_HEADERS.originalExchange]: raw.fields.exchange,
      [DEATH_HEADERS.originalQueue]: this.queue,
      [DEATH_HEADERS.firstFailedAt]: firstFailedAt(context.headers, now),
      [DEATH_HEADERS.deadLetteredAt]: now,
    };
    delete headers[RETRY_TIER_HEADER];
    const copied = await this.#copyTo(
      this.#connection.names.deadLetterExchange,
      channel,
      raw,
      context,
      headers,
      'dead-lettering failed; requeueing',
    );
    if (!copied) return;
    this.#logger.error({ ...logFieldsOf(context), reason }, 'message dead-lettered');
    this.#ack(channel, raw);
  }

  /**
   * A confirmed copy of `raw` (its properties, these headers) into `exchange`, before the original
   * is acked. False when the publish failed: the original is then requeued, so nothing is lost.
   */
  async #copyTo(
    exchange: string,
    channel: Channel,
    raw: ConsumeMessage,
    context: MessageContext,
    headers: Headers,
    failure: string,
  ): Promise<boolean> {
    try {
      await this.#publisher.publishRaw(exchange, raw.fields.routingKey, raw.content, {
        ...copiedProperties(raw),
        headers,
      });
      return true;
    } catch (publishError) {
      this.#logger.error({ ...logFieldsOf(context), err: publishError }, failure);
      this.#nack(channel, raw);
      return false;
    }
  }

  #ack(channel: Channel, raw: ConsumeMessage): void {
    try {
      channel.ack(raw);
    } catch (error) {
      // The channel is gone: the broker redelivers the message (at-least-once).
      this.#logger.debug({ err: error }, 'ack failed: channel closed');
    }
  }

  #nack(channel: Channel, raw: ConsumeMessage): void {
    try {
      channel.nack(raw, false, true);
    } catch (error) {
      this.#logger.debug({ err: error }, 'nack failed: channel closed');
    }
  }
}

/** Starts a consumer that hands each message to `handler`; resolves once subscribed. */
export async function consume<T>(options: ConsumeOptions<T>): Promise<Consumer<T>> {
  return new Consumer<T>(options, { kind: 'single', handler: options.handler }).start();
}

/** Starts a consumer that hands messages over in batches; resolves once subscribed. */
export async function consumeBatch<T>(options: ConsumeBatchOptions<T>): Promise<Consumer<T>> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
    throw new Error('batchSize must be a positive integer');
  return new Consumer<T>(options, {
    kind: 'batch',
    handler: options.handler,
    batchSize: options.batchSize,
    maxWaitMs: options.maxWaitMs,
  }).start();
}

/** What every log line about a message names. */
function logFieldsOf(
  context: MessageContext,
): Pick<MessageContext, 'messageId' | 'correlationId' | 'attempt'> {
  return { messageId: context.messageId, correlationId: context.correlationId, attempt: context.attempt };
}

/** Headers the broker sets on dead-lettering/redelivery; never copied into a republished message. */
function cleanHeaders(headers: Headers): Headers {
  const copy: Headers = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key === 'x-death' || key.startsWith('x-first-death-') || key.startsWith('x-last-death-')) continue;
    if (key === 'x-delivery-count') continue;
    copy[key] = value;
  }
  return copy;
}

function copiedProperties(raw: ConsumeMessage): {
  messageId?: string;
  correlationId?: string;
  contentType?: string;
  timestamp?: number;
  type?: string;
  appId?: string;
} {
  const p = raw.properties;
  const out: ReturnType<typeof copiedProperties> = {};
  const messageId = asString(p.messageId);
  if (messageId !== undefined) out.messageId = messageId;
  const correlationId = asString(p.correlationId);
  if (correlationId !== undefined) out.correlationId = correlationId;
  out.contentType = asString(p.contentType) ?? 'application/json';
  if (typeof p.timestamp === 'number') out.timestamp = p.timestamp;
  const type = asString(p.type);
  if (type !== undefined) out.type = type;
  const appId = asString(p.appId);
  if (appId !== undefined) out.appId = appId;
  return out;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseAttempt(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function firstFailedAt(headers: Headers, now = new Date().toISOString()): string {
  return asString(headers[DEATH_HEADERS.firstFailedAt]) ?? now;
}

/** The first `at …` line of an error's stack (where it was thrown), or ''. */
function firstStackLine(error: unknown): string {
  if (!(error instanceof Error) || !error.stack) return '';
  const lines = error.stack.split('\n').map((line) => line.trim());
  return lines.find((line) => line.startsWith('at ')) ?? lines[0] ?? '';
}

function truncate(text: string): string {
  return text.length > MAX_HEADER_TEXT ? `${text.slice(0, MAX_HEADER_TEXT)}…` : text;
}
