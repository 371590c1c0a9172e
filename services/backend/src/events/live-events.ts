import type { Logger } from '@tributary/observability';
import { ChangeReader } from './change-reader.ts';
import { EventHub } from './event-hub.ts';
import { PgListener } from './pg-listener.ts';
import { healthFor, integrationsOf, probeSystem, type HealthDeps } from './system-health.ts';
import type { SystemHealth } from '@tributary/contracts';
import type { Viewer } from './event-types.ts';

export interface LiveEventsOptions extends HealthDeps {
  databaseUrl: string;
  logger: Logger;
  /** How often connected clients get a system_health snapshot. */
  healthIntervalMs: number;
}

/**
 * The live channel of one backend instance: the hub of its sockets, the LISTEN
 * connection that hears every change in the database (made by any instance or
 * worker), and the health ticker. The LISTEN connection opens with the first socket
 * (an instance nobody watches holds no extra database connection) and stays until
 * the app closes; the ticker runs only while sockets are connected.
 */
export class LiveEvents {
  readonly hub = new EventHub();
  readonly #options: LiveEventsOptions;
  readonly #listener: PgListener;
  readonly #reader: ChangeReader;
  #ticker: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: LiveEventsOptions) {
    this.#options = options;
    this.#reader = new ChangeReader(options.pool, this.hub, options.logger);
    this.#listener = new PgListener({
      databaseUrl: options.databaseUrl,
      logger: options.logger,
      onChange: (change) => this.#reader.add(change),
      onResync: () => this.hub.broadcast({ type: 'resync' }),
    });
    this.hub.onCountChange((count) => {
      if (this.#closed) return;
      if (count > 0 && !this.#ticker) this.#startTicker();
      if (count === 0) this.#stopTicker();
    });
  }

  /** Resolves once LISTEN is active: a socket that has been told `hello` misses no later change. */
  async ready(): Promise<void> {
    await this.#listener.start();
  }

  /** The health as this viewer may see it (also the REST answer used while polling). */
  async healthFor(viewer: Viewer): Promise<SystemHealth> {
    const raw = await probeSystem(this.#options);
    const own =
      viewer.kind === 'tenant'
        ? ((await integrationsOf(this.#options.pool, [viewer.tenantId])).get(viewer.tenantId) ??
          new Set<number>())
        : new Set<number>();
    return healthFor(raw, viewer, own);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopTicker();
    this.#reader.stop();
    await this.#tick;
    await this.#reader.idle();
    await this.#listener.stop();
  }

  #startTicker(): void {
    this.#ticker = setInterval(() => {
      this.#tick = this.#tick
        .then(() => this.#pushHealth())
        .catch((error: unknown) => {
          this.#options.logger.warn({ err: error }, 'system health snapshot failed');
        });
    }, this.#options.healthIntervalMs);
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** One probe for all viewers, cut per viewer. */
  async #pushHealth(): Promise<void> {
    const viewers = this.hub.viewers();
    if (viewers.length === 0) return;
    const raw = await probeSystem(this.#options);
    const tenantIds = viewers.flatMap((v) => (v.kind === 'tenant' ? [v.tenantId] : []));
    const own = await integrationsOf(this.#options.pool, tenantIds);
    for (const viewer of viewers) {
      const mine =
        viewer.kind === 'tenant' ? (own.get(viewer.tenantId) ?? new Set<number>()) : new Set<number>();
      this.hub.sendTo(viewer, { type: 'system_health', health: healthFor(raw, viewer, mine) });
    }
  }
}
