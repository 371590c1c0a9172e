import type { FaultKind } from '../config.ts';

export interface StatsSnapshot {
  since: string;
  total_requests: number;
  requests: Record<string, { total: number; by_status: Record<string, number> }>;
  not_modified: number;
  /** Requests charged to each token since the last reset (`api:token`). */
  quota_used: Record<string, number>;
  /** GraphQL points charged since the last reset, all tokens together. */
  graphql_points: number;
  faults: Partial<Record<FaultKind, number>>;
  rate_limited: { primary: number; burst: number };
  /**
   * Most requests of each route that were in flight at once since the last reset (counted from
   * arrival, before any injected latency, to the end of the response): lets a test see a client's
   * concurrency on the server's side instead of inferring it from timing.
   */
  peak_in_flight: Record<string, number>;
}

export class Stats {
  private snap: StatsSnapshot;
  private readonly now: () => number;
  // Live counts survive a reset (those requests are still running); only the peaks start again.
  private readonly inFlight = new Map<string, number>();

  constructor(now: () => number) {
    this.now = now;
    this.snap = this.empty();
  }

  private empty(): StatsSnapshot {
    return {
      since: new Date(this.now()).toISOString(),
      total_requests: 0,
      requests: {},
      not_modified: 0,
      quota_used: {},
      graphql_points: 0,
      faults: {},
      rate_limited: { primary: 0, burst: 0 },
      peak_in_flight: {},
    };
  }

  reset(): void {
    this.snap = this.empty();
  }

  /** A request of `route` arrived; call the returned function once when it is over. */
  started(route: string): () => void {
    const running = (this.inFlight.get(route) ?? 0) + 1;
    this.inFlight.set(route, running);
    this.snap.peak_in_flight[route] = Math.max(this.snap.peak_in_flight[route] ?? 0, running);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight.set(route, (this.inFlight.get(route) ?? 1) - 1);
    };
  }

  request(route: string, status: number | 'no-response'): void {
    this.snap.total_requests++;
    const r = (this.snap.requests[route] ??= { total: 0, by_status: {} });
    r.total++;
    r.by_status[String(status)] = (r.by_status[String(status)] ?? 0) + 1;
    if (status === 304) this.snap.not_modified++;
  }

  quota(key: string, delta: number): void {
    this.snap.quota_used[key] = (this.snap.quota_used[key] ?? 0) + delta;
  }

  graphqlPoints(points: number): void {
    this.snap.graphql_points += points;
  }

  fault(kind: FaultKind): void {
    this.snap.faults[kind] = (this.snap.faults[kind] ?? 0) + 1;
  }

  rateLimited(kind: 'primary' | 'burst'): void {
    this.snap.rate_limited[kind]++;
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.snap);
  }
}
