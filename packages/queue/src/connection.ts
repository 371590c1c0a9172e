import { EventEmitter } from 'node:events';
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { createLogger, type Logger } from '@tributary/observability';
import { backoffDelay, sleepOrWake } from '@tributary/resilience';
import {
  DEFAULT_RETRY_TIERS,
  declareTopology,
  names,
  validateRetryTiers,
  type RetryTier,
  type TopologyNames,
  type TopologyOptions,
} from './topology.ts';

const CLOSE_TIMEOUT_MS = 5_000;

/** Used when neither `url` nor env `AMQP_URL` is given. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface ConnectionOptions extends TopologyOptions {
  /**
   * Broker URL, or several separated by commas (the nodes of a cluster); default
   * env `AMQP_URL`, else {@link DEFAULT_AMQP_URL}. The first is tried first (give
   * each replica its own order to spread them); when a node is lost or refuses,
   * the next attempt takes the next URL, so the client fails over around the cluster.
   */
  readonly url?: string;
  /** Shown by `rabbitmqctl list_connections name` (client property `connection_name`). */
  readonly name?: string;
  readonly logger?: Logger;
  /** Reconnect backoff: full jitter over `baseMs * 2^attempt`, capped at `capMs` (defaults 100 ms, 10 s). */
  readonly backoff?: { readonly baseMs?: number; readonly capMs?: number };
  /** AMQP heartbeat in seconds (default 15). */
  readonly heartbeatSeconds?: number;
}

/** Events of {@link QueueConnection}. */
export interface ConnectionEvents {
  /** A new broker connection is up and the topology is declared on it. */
  connected: [model: ChannelModel];
  /** The broker connection was lost (not emitted for {@link QueueConnection.close}). */
  disconnected: [error: Error | undefined];
  /** The broker stopped reading from us (memory or disk alarm); publishes wait. */
  blocked: [reason: string];
  unblocked: [];
}

/** Thrown by {@link QueueConnection.ready} (and so by publishes) once the connection is closed for good. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  constructor() {
    super('queue connection closed');
  }
}

/** How long {@link QueueConnection.ready} waits for a broker by default before giving up. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;

/** No broker connection came up within a wait's deadline (the broker is down or unreachable). */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
  readonly code = 'BROKER_UNAVAILABLE';
  constructor(waitedMs: number, what = 'broker connection') {
    super(`message broker unavailable: no ${what} within ${waitedMs} ms`);
  }
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * A managed AMQP connection: connects with exponential backoff and full jitter,
 * declares the topology on every (re)connect, reconnects when the broker
 * connection is lost, and tracks `blocked`. Publishers and consumers built on
 * it re-create their channels on `connected`.
 */
export class QueueConnection extends EventEmitter<ConnectionEvents> {
  /** Every broker URL this connection may use, in the order given. */
  readonly urls: readonly string[];
  readonly prefix: string;
  readonly retryTiers: readonly RetryTier[];
  readonly names: TopologyNames;
  readonly logger: Logger;
  readonly #options: ConnectionOptions;
  readonly #abort = new AbortController();
  #model: ChannelModel | undefined;
  /** Index into {@link urls} of the URL the next connect attempt uses. */
  #next = 0;
  #blocked = false;
  #closed = false;
  #loop: Promise<void> | undefined;
  #readyWaiters: Waiter<ChannelModel>[] = [];
  #unblockWaiters: (() => void)[] = [];

  constructor(options: ConnectionOptions = {}) {
    super();
    this.#options = options;
    this.urls = parseUrlList(options.url ?? process.env.AMQP_URL ?? DEFAULT_AMQP_URL);
    this.prefix = options.prefix ?? '';
    this.retryTiers = options.retryTiers ?? DEFAULT_RETRY_TIERS;
    validateRetryTiers(this.retryTiers);
    this.names = names(this.prefix);
    this.logger = options.logger ?? createLogger('queue');
  }

  /** The URL of the live connection, else the one the next attempt uses. */
  get url(): string {
    return this.urls[this.#next % this.urls.length]!;
  }

  /** The live amqplib connection, if any. */
  get current(): ChannelModel | undefined {
    return this.#model;
  }

  get isConnected(): boolean {
    return this.#model !== undefined;
  }

  get isBlocked(): boolean {
    return this.#blocked;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Starts connecting (once) and resolves at the first successful connection. */
  async start(): Promise<this> {
    if (this.#closed) throw new ConnectionClosedError();
    this.#loop ??= this.#run();
    // A service starting before its broker waits for it: nothing else can happen
    // until then, and the process is not serving requests yet.
    await this.ready(Number.POSITIVE_INFINITY);
    return this;
  }

  /**
   * The live connection, waiting for one if it is down — at most `timeoutMs`
   * (default {@link DEFAULT_READY_TIMEOUT_MS}), then it rejects with
   * {@link BrokerUnavailableError}; rejects after {@link close}.
   */
  ready(timeoutMs: number = DEFAULT_READY_TIMEOUT_MS): Promise<ChannelModel> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError());
    if (this.#model) return Promise.resolve(this.#model);
    this.#loop ??= this.#run();
    return new Promise((resolve, reject) => {
      const waiter: Waiter<ChannelModel> = {
        resolve: (model) => {
          clearTimeout(timer);
          resolve(model);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(
            () => {
              this.#readyWaiters = this.#readyWaiters.filter((w) => w !== waiter);
              reject(new BrokerUnavailableError(timeoutMs));
            },
            Math.max(0, timeoutMs),
          )
        : undefined;
      this.#readyWaiters.push(waiter);
    });
  }

  /**
   * Resolves when the connection is not blocked by the broker (or is lost or closed);
   * rejects with {@link BrokerUnavailableError} after `timeoutMs` when given.
   */
  waitUnblocked(timeoutMs: number = Number.POSITIVE_INFINITY): Promise<void> {
    if (!this.#blocked) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(
            () => {
              this.#unblockWaiters = this.#unblockWaiters.filter((w) => w !== done);
              reject(
                new BrokerUnavailableError(
                  timeoutMs,
                  'unblocked connection (the broker is under a resource alarm)',
                ),
              );
            },
            Math.max(0, timeoutMs),
          )
        : undefined;
      this.#unblockWaiters.push(done);
    });
  }

  /** Stops reconnecting and closes the broker connection (channels close with it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    const model = this.#model;
    if (model) {
      // A half-dead socket never answers Close: give it a few seconds, then cut it.
      const closing = model.close().then(
        () => true,
        (error: unknown) => {
          this.logger.debug({ err: error }, 'closing the AMQP connection failed (already closed)');
          return true;
        },
      );
      const closed = await Promise.race([closing, sleepOrWake(CLOSE_TIMEOUT_MS).then(() => false)]);
      if (!closed) {
        this.logger.warn('AMQP connection did not close in time; destroying its socket');
        (model.connection as unknown as { stream?: { destroy(error?: Error): void } }).stream?.destroy(
          new Error('close timed out'),
        );
      }
    }
    await this.#loop;
    this.#setUnblocked();
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const waiter of waiters) waiter.reject(new ConnectionClosedError());
  }

  async #run(): Promise<void> {
    const baseMs = this.#options.backoff?.baseMs ?? 100;
    const capMs = this.#options.backoff?.capMs ?? 10_000;
    // `attempt` counts full rounds over the URLs that all failed (the backoff
    // exponent); within a round the next node is tried at once, so losing one
    // node of a cluster costs a reconnect, not a backoff.
    let attempt = 0;
    let triedInRound = 0;
    while (!this.#closed) {
      let model: ChannelModel | undefined;
      const url = this.url;
      try {
        model = await amqp.connect(url, {
          heartbeat: this.#options.heartbeatSeconds ?? 15,
          clientProperties: { connection_name: this.#options.name ?? `tributary-queue-${process.pid}` },
        });
      } catch (error) {
        this.logger.warn({ err: error, attempt, url: redactUrl(url) }, 'AMQP connect failed; retrying');
      }
      if (model) {
        const lost = this.#watch(model);
        const connectedOk = await this.#setUp(model);
        if (connectedOk) {
          attempt = 0;
          triedInRound = 0;
        }
        const error = await lost;
        this.#model = undefined;
        this.#setUnblocked();
        if (connectedOk && !this.#closed) {
          this.logger.warn({ err: error, url: redactUrl(url) }, 'AMQP connection lost; reconnecting');
          this.emit('disconnected', error);
        }
      }
      if (this.#closed) break;
      // The node may be gone: the next attempt goes to the next one.
      this.#next = (this.#next + 1) % this.urls.length;
      triedInRound += 1;
      if (triedInRound < this.urls.length) continue;
      triedInRound = 0;
      await sleepOrWake(backoffDelay(attempt, { baseMs, capMs }), this.#abort.signal);
      attempt += 1;
    }
  }

  /** Listens to a fresh connection; resolves with the close error when it closes. */
  #watch(model: ChannelModel): Promise<Error | undefined> {
    model.on('error', (error: unknown) => {
      this.logger.warn({ err: error }, 'AMQP connection error');
    });
    model.on('blocked', (reason: unknown) => {
      if (this.#model !== model) return;
      this.#blocked = true;
      this.logger.warn({ reason }, 'AMQP connection blocked by the broker');
      this.emit('blocked', String(reason));
    });
    model.on('unblocked', () => {
      if (this.#model !== model) return;
      this.logger.info('AMQP connection unblocked');
      this.#setUnblocked();
    });
    return new Promise((resolve) => {
      model.once('close', (error?: Error) => resolve(error));
    });
  }

  /** Declares the topology and announces the connection; closes it again on failure. */
  async #setUp(model: ChannelModel): Promise<boolean> {
    try {
      const channel = await model.createChannel();
      // A channel error (e.g. PRECONDITION_FAILED) is reported through the rejected RPC.
      channel.on('error', () => undefined);
      await declareTopology(channel, this.#options);
      await channel.close();
    } catch (error) {
      this.logger.error({ err: error }, 'declaring the AMQP topology failed; reconnecting');
      await model.close().catch(() => undefined);
      return false;
    }
    if (this.#closed) {
      await model.close().catch(() => undefined);
      return false;
    }
    this.#model = model;
    this.logger.info({ url: redactUrl(this.url) }, 'AMQP connected');
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const waiter of waiters) waiter.resolve(model);
    try {
      this.emit('connected', model);
    } catch (error) {
      this.logger.error({ err: error }, 'a "connected" listener threw');
    }
    return true;
  }

  #setUnblocked(): void {
    const wasBlocked = this.#blocked;
    this.#blocked = false;
    const waiters = this.#unblockWaiters;
    this.#unblockWaiters = [];
    for (const resolve of waiters) resolve();
    if (wasBlocked) this.emit('unblocked');
  }
}

/** `amqp://a,amqp://b` → both URLs; blanks around commas are ignored. */
export function parseUrlList(value: string): string[] {
  const urls = value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  if (urls.length === 0) throw new Error('AMQP_URL: no broker URL given');
  for (const url of urls) {
    if (!/^amqps?:\/\//.test(url))
      throw new Error(`AMQP_URL: ${redactUrl(url)} is not an amqp:// or amqps:// URL`);
  }
  return urls;
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Creates a {@link QueueConnection} and waits for its first connection. */
export async function connect(options: ConnectionOptions = {}): Promise<QueueConnection> {
  return new QueueConnection(options).start();
}
