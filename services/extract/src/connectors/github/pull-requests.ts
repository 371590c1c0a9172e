import { timestampMs, type EntityType } from '@tributary/contracts';
import { HttpError } from '@tributary/resilience';
import type { SourceClient } from '../../http/source-client.ts';
import { isRecord, laterOf, MAX_PAGE_RECORDS, sinceMs, withCheckpoint } from '../shared.ts';
import { readWalk, walkCursor } from './walk.ts';
import type { Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { collectList, githubRecord, listPages, PER_PAGE, repoPath } from './shared.ts';

export interface PullRequestsStreamOptions {
  client: SourceClient;
  repositories: readonly string[];
  overlapMs: number;
  /** Pull requests whose details are fetched at once (the governor still caps requests in flight). Default 4. */
  concurrency?: number;
  /** Accumulated pages are yielded after this many pull requests. Default 50. */
  flushEvery?: number;
}

/** The order pages are flushed in: a pull request before the things that hang off it. */
const ENTITY_ORDER: readonly EntityType[] = [
  'github_pull_requests',
  'github_reviews',
  'github_review_comments',
  'github_commits',
];

/**
 * Records waiting to be yielded, per entity type, keyed by external id: a commit shared by two
 * pull requests (stacked branches) must not appear twice in one page.
 */
class Batches {
  readonly #buffers = new Map<EntityType, Map<string, SourceRecord>>();

  add(entityType: EntityType, records: SourceRecord[]): void {
    let buffer = this.#buffers.get(entityType);
    if (!buffer) {
      buffer = new Map();
      this.#buffers.set(entityType, buffer);
    }
    for (const record of records) {
      buffer.delete(record.externalId);
      buffer.set(record.externalId, record);
    }
  }

  /** Pages of exactly the maximum size, leaving the remainder buffered. */
  *full(): Generator<Page> {
    yield* this.#drain(false);
  }

  /** Everything buffered. */
  *flush(): Generator<Page> {
    yield* this.#drain(true);
  }

  *#drain(all: boolean): Generator<Page> {
    for (const entityType of ENTITY_ORDER) {
      const buffer = this.#buffers.get(entityType);
      if (!buffer) continue;
      while (buffer.size >= MAX_PAGE_RECORDS || (all && buffer.size > 0)) {
        const records: SourceRecord[] = [];
        for (const [id, record] of buffer) {
          records.push(record);
          buffer.delete(id);
          if (records.length === MAX_PAGE_RECORDS) break;
        }
        yield { entityType, records };
      }
    }
  }
}

interface PullDetails {
  pull: SourceRecord | null;
  reviews: SourceRecord[];
  comments: SourceRecord[];
  commits: SourceRecord[];
}

async function orNullOn404<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    // Gone between the list and the detail call (spam removal, repository moved): nothing to store.
    if (err instanceof HttpError && err.status === 404) return null;
    throw err;
  }
}

async function fetchPull(
  client: SourceClient,
  repository: string,
  number: number,
  signal: AbortSignal,
): Promise<PullDetails> {
  const base = `${repoPath(repository)}/pulls/${number}`;
  const scope = { repository, pull_number: number };
  const [pull, reviews, comments, commits] = await Promise.all([
    orNullOn404(client.get(base, { signal })),
    orNullOn404(collectList(client, `${base}/reviews`, signal)),
    orNullOn404(collectList(client, `${base}/comments`, signal)),
    orNullOn404(collectList(client, `${base}/commits`, signal)),
  ]);
  return {
    pull:
      pull && isRecord(pull.body) ? githubRecord(pull, pull.body, 'id', 'github pull request', scope) : null,
    reviews: (reviews ?? []).map(({ res, item }) => githubRecord(res, item, 'id', 'github review', scope)),
    comments: (comments ?? []).map(({ res, item }) =>
      githubRecord(res, item, 'id', 'github review comment', scope),
    ),
    // One raw record per (pull request, commit): a commit two PRs list is stored (and associated)
    // for each, not recognised as unchanged content and dropped for the second.
    commits: (commits ?? []).map(({ res, item }) => {
      const record = githubRecord(res, item, 'sha', 'github commit', scope);
      return { ...record, externalId: `${repository}#${number}@${record.externalId}` };
    }),
  };
}

/**
 * Pull requests per repository (scope `owner/repo`), most recently updated first, down to the
 * cursor less the overlap; each changed pull request brings its reviews, review comments and
 * commits. The list is newest first, so the cursor (latest `updated_at` listed) can only be saved
 * at the end of a repository's walk; before that, every flush saves the walk (list page URL and
 * how much of it is stored), so a killed run goes on there. The first list page's ETag is kept
 * with the cursor: a run that gets 304 for it (free of quota) knows nothing changed, since any
 * pull request updated since would head that page.
 */
export function pullRequestsStream(options: PullRequestsStreamOptions): StreamReader {
  const { client, repositories, overlapMs } = options;
  const concurrency = options.concurrency ?? 4;
  const flushEvery = options.flushEvery ?? 50;
  return async function* pullRequests(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const position = ctx.position(repository);
      const start = readWalk(position?.cursor);
      // Only a walk from the top, with a cursor to keep, can trust a 304 for its first page.
      const etag = start.walk === null && start.since !== null ? (position?.etag ?? null) : null;
      let firstPageEtag: string | null = null;
      let onFirstPage = start.walk === null;
      const since = sinceMs(start.since, overlapMs);
      let cursor = start.cursor;
      // Page-number paging shifts when a pull request is updated mid-walk; one may be listed twice.
      const seen = new Set<number>();
      const batches = new Batches();
      let sinceFlush = 0;
      let skip = start.walk?.skip ?? 0;
      const list = listPages(
        client,
        `${repoPath(repository)}/pulls`,
        { state: 'all', sort: 'updated', direction: 'desc', per_page: PER_PAGE },
        ctx.signal,
        start.walk?.after,
        etag,
      );
      const walkAt = (after: string, stored: number) =>
        walkCursor({ since: start.since, reached: cursor, after, skip: stored, pending: [] });
      let reachedCursor = false;
      for await (const { res, items, next } of list) {
        if (res.status === 304) {
          firstPageEtag = etag;
          break;
        }
        if (onFirstPage) firstPageEtag = res.headers.etag ?? null;
        onFirstPage = false;
        // Index in `items` of each pull request to fetch; items before `skip` were stored before a restart.
        const changed: { number: number; index: number }[] = [];
        for (let index = skip; index < items.length; index++) {
          const item = items[index] ?? {};
          const updated = timestampMs(item.updated_at);
          if (since !== null && updated !== null && updated < since) {
            reachedCursor = true;
            break;
          }
          const number = item.number;
          if (typeof number !== 'number' || seen.has(number)) continue;
          seen.add(number);
          changed.push({ number, index });
          // From the list, not the detail call: a detail fetched later may be newer than PRs not yet listed.
          if (updated !== null) cursor = laterOf(cursor, new Date(updated).toISOString());
        }
        skip = 0;
        for (let i = 0; i < changed.length; i += concurrency) {
          const group = changed.slice(i, i + concurrency);
          const details = await Promise.all(
            group.map((c) => fetchPull(client, repository, c.number, ctx.signal)),
          );
          for (const d of details) {
            if (d.pull) batches.add('github_pull_requests', [d.pull]);
            batches.add('github_reviews', d.reviews);
            batches.add('github_review_comments', d.comments);
            batches.add('github_commits', d.commits);
          }
          sinceFlush += group.length;
          yield* batches.full();
          const last = group[group.length - 1];
          if (sinceFlush >= flushEvery && last && i + concurrency < changed.length) {
            yield* withCheckpoint(batches.flush(), 'github_pull_requests', {
              scope: repository,
              cursor: walkAt(res.url, last.index + 1),
            });
            sinceFlush = 0;
          }
        }
        if (reachedCursor || next === null) break;
        // The list page is stored in full: a restart goes on at the next one.
        yield* withCheckpoint(batches.flush(), 'github_pull_requests', {
          scope: repository,
          cursor: walkAt(next, 0),
        });
        sinceFlush = 0;
      }
      yield* withCheckpoint(batches.flush(), 'github_pull_requests', {
        scope: repository,
        cursor,
        etag: firstPageEtag,
      });
    }
  };
}
