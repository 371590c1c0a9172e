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
}

export class Stats {
  private snap: StatsSnapshot;
  private readonly now: () => number;

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
    };
  }

  reset(): void {
    this.snap = this.empty();
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
