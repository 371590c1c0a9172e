import type { RateLimitSettings } from '../../config.ts';

export interface PointsState {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch ms at which the window ends. */
  resetAt: number;
}

/**
 * GraphQL points per token: GitHub's `graphql` resource is a budget of its own (5 000 points an
 * hour for a user), separate from the REST `core` requests, in a window that starts on first use.
 */
export class PointsQuota {
  readonly #windows = new Map<string, { start: number; used: number }>();
  readonly #settings: () => RateLimitSettings;
  readonly #now: () => number;

  constructor(settings: () => RateLimitSettings, now: () => number) {
    this.#settings = settings;
    this.#now = now;
  }

  reset(): void {
    this.#windows.clear();
  }

  peek(token: string): PointsState {
    const { limit, windowSeconds } = this.#settings();
    const now = this.#now();
    let w = this.#windows.get(token);
    if (!w || now >= w.start + windowSeconds * 1000) {
      w = { start: now, used: 0 };
      this.#windows.set(token, w);
    }
    const cap = limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
    return {
      limit: cap,
      used: w.used,
      remaining: Math.max(0, cap - w.used),
      resetAt: w.start + windowSeconds * 1000,
    };
  }

  /** Charges `points` when they fit; otherwise charges nothing and says so. */
  charge(token: string, points: number): { ok: boolean; state: PointsState } {
    const before = this.peek(token);
    if (before.remaining < points) return { ok: false, state: before };
    const w = this.#windows.get(token);
    if (w) w.used += points;
    return { ok: true, state: this.peek(token) };
  }
}
