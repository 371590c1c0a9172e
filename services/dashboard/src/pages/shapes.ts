// Reading the analytics API's answers without trusting every detail of their shape: a list may
// come as an array or under a named key, and a field may have one of a few names.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function list(data: unknown, ...keys: string[]): Record<string, unknown>[] {
  if (Array.isArray(data)) return data.filter(isRecord);
  if (!isRecord(data)) return [];
  for (const key of [...keys, 'items', 'data']) {
    const value = data[key];
    if (Array.isArray(value)) return value.filter(isRecord);
  }
  return [];
}

/** A value as display text (objects as JSON). */
export function text(value: unknown, fallback = ''): string {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function pick(record: Record<string, unknown>, keys: string[]): unknown {
  for (const key of keys) if (record[key] !== undefined) return record[key];
  return undefined;
}

/** A metric answer `{ value, unit, count, band?, items_url }`. */
export interface Metric {
  value: number | null;
  unit: string;
  count: number;
  band: string | null;
  items_url: string | null;
}

export function asMetric(value: unknown): Metric | null {
  if (!isRecord(value) || !('value' in value)) return null;
  return {
    value: typeof value.value === 'number' ? value.value : null,
    unit: typeof value.unit === 'string' ? value.unit : '',
    count: typeof value.count === 'number' ? value.count : 0,
    band: typeof value.band === 'string' ? value.band : null,
    items_url: typeof value.items_url === 'string' ? value.items_url : null,
  };
}

/** The way every tile writes a number: at most two decimals, no locale grouping (tests compare it). */
export function metricNumber(value: number | null): string {
  return value === null ? '—' : String(Number(value.toFixed(2)));
}
