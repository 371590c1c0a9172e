import { GITHUB_REPOSITORY_PATTERN, timestampMs } from '@tributary/contracts';
import { nextLink } from '../../http/link.ts';
import type { Query, SourceClient, SourceResponse } from '../../http/source-client.ts';
import { metadataFor } from '../../http/source-client.ts';
import { externalIdOf, isRecord, laterOf } from '../shared.ts';
import type { SourceRecord } from '../types.ts';

/** GitHub's largest page. */
export const PER_PAGE = 100;

/** `owner/repo` checked against GitHub's allowed characters (so `../..` cannot leave `/repos/`) and encoded for a path. */
export function repoPath(repository: string): string {
  const [owner, repo] = repository.split('/');
  if (!GITHUB_REPOSITORY_PATTERN.test(repository) || !owner || !repo) {
    throw new Error(
      `github repository must be owner/repo with the characters GitHub allows, got "${repository}"`,
    );
  }
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

/**
 * Every page of a list endpoint, following `Link: rel="next"`; each response's body is an array.
 * `from` (a page URL given by an earlier walk) starts there instead of at `path`; `ifNoneMatch`
 * makes the first request conditional, and a 304 ends the list with no items.
 */
export async function* listPages(
  client: SourceClient,
  path: string,
  query: Query,
  signal: AbortSignal,
  from?: string,
  ifNoneMatch?: string | null,
): AsyncGenerator<
  { res: SourceResponse; items: Record<string, unknown>[]; next: string | null },
  void,
  undefined
> {
  let next: string | null = from ?? path;
  let first = from === undefined;
  let conditional = ifNoneMatch ?? null;
  while (next !== null) {
    // The next link already carries the query (and the page number).
    const res: SourceResponse = await client.get(next, {
      query: first ? query : undefined,
      headers: conditional ? { 'if-none-match': conditional } : {},
      signal,
    });
    first = false;
    conditional = null;
    if (res.status === 304) {
      yield { res, items: [], next: null };
      return;
    }
    if (!Array.isArray(res.body)) throw new Error(`github list is not an array (${res.url})`);
    const following = nextLink(res.headers.link);
    yield { res, items: res.body.filter(isRecord), next: following };
    next = following;
  }
}

/** Every item of a list endpoint, with the response it came on. */
export async function collectList(
  client: SourceClient,
  path: string,
  signal: AbortSignal,
): Promise<{ res: SourceResponse; item: Record<string, unknown> }[]> {
  const out: { res: SourceResponse; item: Record<string, unknown> }[] = [];
  for await (const { res, items } of listPages(client, path, { per_page: PER_PAGE }, signal)) {
    for (const item of items) out.push({ res, item });
  }
  return out;
}

/** A GitHub record: the source JSON, its id, and the scope transformers fall back on. */
export function githubRecord(
  res: SourceResponse,
  raw: Record<string, unknown>,
  idKey: string,
  what: string,
  scope: { repository: string; pull_number?: number; deployment_id?: number },
): SourceRecord {
  return {
    externalId: externalIdOf(raw, idKey, what),
    rawData: raw,
    metadata: { ...metadataFor(res), ...scope },
  };
}

/**
 * One page of a newest-first list (by `created_at`) of a repository, down to `since`: the records
 * created at or after it, whether the page reached `since` (the walk ends there), and `cursor`
 * moved on to the latest `created_at` among them.
 */
export function createdSincePage(
  res: SourceResponse,
  items: readonly Record<string, unknown>[],
  since: number | null,
  cursor: string | null,
  what: string,
  repository: string,
): { records: SourceRecord[]; reachedCursor: boolean; cursor: string | null } {
  const records: SourceRecord[] = [];
  let latest = cursor;
  for (const item of items) {
    const created = timestampMs(item.created_at);
    if (since !== null && created !== null && created < since)
      return { records, reachedCursor: true, cursor: latest };
    records.push(githubRecord(res, item, 'id', what, { repository }));
    if (created !== null) latest = laterOf(latest, new Date(created).toISOString());
  }
  return { records, reachedCursor: false, cursor: latest };
}
