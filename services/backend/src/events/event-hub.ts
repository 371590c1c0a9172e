import type { LiveEvent, Viewer } from './event-types.ts';

export interface Subscriber {
  viewer: Viewer;
  send: (event: LiveEvent) => void;
}

/**
 * Who an event is for: the tenant whose row changed, and the admin only when the
 * admin's own views show that kind of row (all dead letters, including those with
 * no readable tenant). A tenant never receives a row of another tenant.
 */
export interface Audience {
  tenantId: number | null;
  admin: boolean;
}

/** The connected sockets of one backend instance, and the one rule that decides who hears what. */
export class EventHub {
  readonly #subscribers = new Set<Subscriber>();
  readonly #listeners = new Set<(count: number) => void>();

  /** Adds a subscriber; the returned function removes it. */
  add(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    this.#changed();
    return () => {
      if (this.#subscribers.delete(subscriber)) this.#changed();
    };
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Called with the subscriber count whenever it changes (the listener starts on the first, stops after the last). */
  onCountChange(listener: (count: number) => void): void {
    this.#listeners.add(listener);
  }

  /** The tenants with at least one socket here (whose health snapshots are worth computing). */
  viewers(): Viewer[] {
    const seen = new Map<string, Viewer>();
    for (const { viewer } of this.#subscribers)
      seen.set(viewer.kind === 'admin' ? 'admin' : `t${viewer.tenantId}`, viewer);
    return [...seen.values()];
  }

  publish(audience: Audience, event: LiveEvent): number {
    let delivered = 0;
    for (const subscriber of this.#subscribers) {
      if (!admits(audience, subscriber.viewer)) continue;
      subscriber.send(event);
      delivered += 1;
    }
    return delivered;
  }

  /** Sends to subscribers matching exactly this viewer (a per-tenant health snapshot). */
  sendTo(viewer: Viewer, event: LiveEvent): void {
    for (const subscriber of this.#subscribers)
      if (sameViewer(subscriber.viewer, viewer)) subscriber.send(event);
  }

  /** To everyone (carries no tenant data). */
  broadcast(event: LiveEvent): void {
    for (const subscriber of this.#subscribers) subscriber.send(event);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener(this.#subscribers.size);
  }
}

export function admits(audience: Audience, viewer: Viewer): boolean {
  if (viewer.kind === 'admin') return audience.admin;
  return audience.tenantId !== null && audience.tenantId === viewer.tenantId;
}

function sameViewer(a: Viewer, b: Viewer): boolean {
  return a.kind === 'admin' ? b.kind === 'admin' : b.kind === 'tenant' && a.tenantId === b.tenantId;
}
