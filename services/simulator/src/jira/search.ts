import type { JiraStore } from './model.ts';
import type { JqlQuery, OrderItem } from './jql.ts';

/** Position after which the next page starts: the sort values of the last issue served plus its index. */
export interface Cursor {
  v: number[];
  i: number;
}

/**
 * Without ORDER BY the simulator sorts by issue id ascending (Jira's own default is not documented
 * as stable); id order never changes when issues are edited, so walks under mutation stay exact.
 */
export const DEFAULT_ORDER: OrderItem[] = [{ field: 'id', dir: 'ASC' }];

export class SearchIndex {
  private readonly store: JiraStore;
  private readonly cache = new Map<string, { version: number; order: Int32Array }>();
  private readonly keyRank: number[];

  constructor(store: JiraStore) {
    this.store = store;
    const sortedKeys = store.projects.map((p) => p.key).sort();
    this.keyRank = store.projects.map((p) => sortedKeys.indexOf(p.key));
  }

  values(order: OrderItem[], i: number): number[] {
    return order.map((o) => {
      switch (o.field) {
        case 'updated':
          return this.store.updated[i] ?? 0;
        case 'created':
          return this.store.created[i] ?? 0;
        case 'id':
          return i;
        case 'key':
          return (this.keyRank[this.store.projectOf(i)] ?? 0) * 2 ** 32 + this.store.issueNumber(i);
      }
    });
  }

  private compare(order: OrderItem[], a: number[], ai: number, b: number[], bi: number): number {
    for (let k = 0; k < order.length; k++) {
      const d = (a[k] ?? 0) - (b[k] ?? 0);
      if (d !== 0) return order[k]?.dir === 'DESC' ? -d : d;
    }
    return ai - bi;
  }

  private sorted(order: OrderItem[]): Int32Array {
    const cacheKey = order.map((o) => `${o.field}:${o.dir}`).join(',');
    const hit = this.cache.get(cacheKey);
    if (hit && hit.version === this.store.version) return hit.order;
    const n = this.store.issueCount;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const vals = Array.from({ length: n }, (_, i) => this.values(order, i));
    idx.sort((a, b) => this.compare(order, vals[a] ?? [], a, vals[b] ?? [], b));
    this.cache.set(cacheKey, { version: this.store.version, order: idx });
    return idx;
  }

  matches(q: JqlQuery, projects: Set<number> | null, i: number): boolean {
    if (projects && !projects.has(this.store.projectOf(i))) return false;
    for (const d of q.dates) {
      const v = (d.field === 'updated' ? this.store.updated[i] : this.store.created[i]) ?? 0;
      const ok =
        d.op === '>='
          ? v >= d.ms
          : d.op === '>'
            ? v > d.ms
            : d.op === '<='
              ? v <= d.ms
              : d.op === '<'
                ? v < d.ms
                : v === d.ms;
      if (!ok) return false;
    }
    return true;
  }

  /** Returns up to `limit` matching issue indices after `cursor`, and whether more remain. */
  page(
    q: JqlQuery,
    projects: Set<number> | null,
    cursor: Cursor | null,
    limit: number,
  ): { indices: number[]; order: OrderItem[]; more: boolean } {
    const order = q.order.length > 0 ? q.order : DEFAULT_ORDER;
    const sorted = this.sorted(order);
    let pos = 0;
    if (cursor) {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const i = sorted[mid] ?? 0;
        if (this.compare(order, this.values(order, i), i, cursor.v, cursor.i) > 0) hi = mid;
        else lo = mid + 1;
      }
      pos = lo;
    }
    const indices: number[] = [];
    for (; pos < sorted.length; pos++) {
      const i = sorted[pos] ?? 0;
      if (!this.matches(q, projects, i)) continue;
      if (indices.length === limit) return { indices, order, more: true };
      indices.push(i);
    }
    return { indices, order, more: false };
  }
}
