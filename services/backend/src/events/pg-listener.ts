import pg from 'pg';
import type { Logger } from '@tributary/observability';
import { changeNotificationSchema, EVENTS_CHANNEL, type ChangeNotification } from './event-types.ts';

export interface PgListenerOptions {
  databaseUrl: string;
  logger: Logger;
  onChange: (change: ChangeNotification) => void;
  /** After a reconnect: notifications sent while we were away are lost, so whoever shows state re-reads it. */
  onResync: () => void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000];

/**
 * One dedicated connection per backend instance running `LISTEN tributary_events`.
 * A pooled connection cannot listen (it is handed to other queries), so this one is
 * its own, opened when the first socket connects and closed after the last.
 */
export class PgListener {
  readonly #options: PgListenerOptions;
  #client: pg.Client | undefined;
  #stopped = true;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #connecting: Promise<void> | undefined;

  constructor(options: PgListenerOptions) {
    this.#options = options;
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Resolves once LISTEN is in place (or after the first failure; it keeps retrying in the background). */
  async start(): Promise<void> {
    if (!this.#stopped) return this.#connecting;
    this.#stopped = false;
    this.#connecting = this.#connect(false);
    return this.#connecting;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(isReconnect: boolean): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.databaseUrl,
      application_name: 'tributary-events',
    });
    client.on('notification', (message) => this.#notified(message));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.#options.logger.warn({ err: error }, 'events listener could not connect; retrying');
      this.#schedule();
      return;
    }
    if (this.#stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
    if (isReconnect) this.#options.onResync();
  }

  #notified(message: pg.Notification): void {
    if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
    let json: unknown;
    try {
      json = JSON.parse(message.payload);
    } catch {
      this.#options.logger.warn(
        { payload: message.payload.slice(0, 200) },
        'events notification is not JSON',
      );
      return;
    }
    const parsed = changeNotificationSchema.safeParse(json);
    if (!parsed.success) {
      this.#options.logger.warn(
        { payload: message.payload.slice(0, 200) },
        'events notification of unknown shape',
      );
      return;
    }
    this.#options.onChange(parsed.data);
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.#stopped) return;
    this.#options.logger.warn({ err: error }, 'events listener lost its connection; reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)]!;
    this.#attempt += 1;
    this.#timer = setTimeout(() => {
      this.#connecting = this.#connect(true);
    }, delay);
  }
}
