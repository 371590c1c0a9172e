import type { BurstLimitSettings, RateLimitSettings } from '../config.ts';

export type Api = 'jira' | 'github';

interface Window {
  start: number;
  used: number;
}

export interface QuotaState {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch ms at which the current window ends. */
  resetAt: number;
}

export type Decision =
  | { ok: true; quota: QuotaState | null }
  | { ok: false; reason: 'primary'; quota: QuotaState }
  | { ok: false; reason: 'burst'; quota: QuotaState | null; retryAfter: number; status: 403 | 429 };

/** Fixed-window quotas per (api, token), like GitHub's hourly window that starts on first use. */
export class RateLimiter {
  limits: Record<Api, RateLimitSettings>;
  burst: BurstLimitSettings | null;
  private readonly windows = new Map<string, Window>();
  private readonly bursts = new Map<string, Window>();
  private readonly now: () => number;

  constructor(limits: Record<Api, RateLimitSettings>, burst: BurstLimitSettings | null, now: () => number) {
    this.limits = { ...limits };
    this.burst = burst;
    this.now = now;
  }

  reset(): void {
    this.windows.clear();
    this.bursts.clear();
  }

  private window(map: Map<string, Window>, key: string, seconds: number): Window {
    const now = this.now();
    let w = map.get(key);
    if (!w || now >= w.start + seconds * 1000) {
      w = { start: now, used: 0 };
      map.set(key, w);
    }
    return w;
  }

  /** Current quota without consuming it; null when the API has no limit. */
  peek(api: Api, token: string): QuotaState | null {
    const s = this.limits[api];
    if (s.limit <= 0) return null;
    const w = this.window(this.windows, `${api}:${token}`, s.windowSeconds);
    return {
      limit: s.limit,
      used: w.used,
      remaining: Math.max(0, s.limit - w.used),
      resetAt: w.start + s.windowSeconds * 1000,
    };
  }

  consume(api: Api, token: string): Decision {
    const before = this.peek(api, token);
    if (before && before.remaining <= 0) return { ok: false, reason: 'primary', quota: before };
    if (this.burst) {
      const b = this.window(this.bursts, `${api}:${token}`, this.burst.windowSeconds);
      if (b.used >= this.burst.limit) {
        const retryAfter = Math.max(
          1,
          Math.ceil((b.start + this.burst.windowSeconds * 1000 - this.now()) / 1000),
        );
        return {
          ok: false,
          reason: 'burst',
          quota: before,
          retryAfter: Math.max(retryAfter, this.burst.retryAfter),
          status: api === 'jira' ? 429 : this.burst.status,
        };
      }
      b.used++;
    }
    if (!before) return { ok: true, quota: null };
    const w = this.window(this.windows, `${api}:${token}`, this.limits[api].windowSeconds);
    w.used++;
    return { ok: true, quota: this.peek(api, token) };
  }

  /** Gives back one request, e.g. for a 304 (GitHub does not charge conditional hits). */
  refund(api: Api, token: string): QuotaState | null {
    const w = this.windows.get(`${api}:${token}`);
    if (w && w.used > 0) w.used--;
    const b = this.bursts.get(`${api}:${token}`);
    if (b && b.used > 0) b.used--;
    return this.peek(api, token);
  }
}
