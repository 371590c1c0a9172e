import type { FastifyRequest } from 'fastify';

/** Absolute base URL as the client addressed us, so `self` links and Link headers are followable. */
export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Query values may arrive repeated (`?fields=a&fields=b`); Jira treats that like a comma list. */
function scalar(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

export function queryList(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(scalar);
  return [scalar(v)];
}

export function queryString(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? scalar(v[v.length - 1]) : undefined;
  return scalar(v);
}

/** Parses an integer query parameter; returns `fallback` when absent and null when malformed. */
export function queryInt(v: unknown, fallback: number): number | null {
  const s = queryString(v);
  if (s === undefined || s === '') return fallback;
  if (!/^-?\d+$/.test(s)) return null;
  return Number(s);
}

export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
