import type { FastifyReply, FastifyRequest } from 'fastify';
import { baseUrl, queryInt } from '../http.ts';

/**
 * Page-number pagination as GitHub does it: per_page (default 30, max 100), 1-based page, and a
 * Link header with absolute URLs (prev, next, last, first — whichever apply).
 */
export function paginate(
  request: FastifyRequest,
  reply: FastifyReply,
  total: number,
): { start: number; end: number } {
  const q = request.query as Record<string, unknown>;
  let perPage = queryInt(q.per_page, 30) ?? 30;
  if (perPage < 1) perPage = 30;
  perPage = Math.min(perPage, 100);
  let page = queryInt(q.page, 1) ?? 1;
  if (page < 1) page = 1;
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const url = new URL(request.url, baseUrl(request));
  const link = (n: number, rel: string): string => {
    url.searchParams.set('page', String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) parts.push(link(page + 1, 'next'), link(lastPage, 'last'));
  if (page > 1) parts.push(link(1, 'first'));
  if (parts.length > 0) reply.header('link', parts.join(', '));
  const start = (page - 1) * perPage;
  return { start: Math.min(start, total), end: Math.min(start + perPage, total) };
}
