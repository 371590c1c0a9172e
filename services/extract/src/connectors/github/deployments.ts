import type { SourceClient } from '../../http/source-client.ts';
import { pagesOf, sinceMs, withCheckpoint } from '../shared.ts';
import type { Page, StreamContext, StreamReader } from '../types.ts';
import { deploymentsStatusRecords, STATUS_SETTLE_MS } from './deployment-statuses.ts';
import { createdSincePage, listPages, PER_PAGE, repoPath } from './shared.ts';
import { readWalk, walkCursor } from './walk.ts';

/**
 * Deployments per repository (scope `owner/repo`), newest first, down to the cursor less the
 * overlap (at least the time statuses take to settle), each with its statuses. Newest-first means
 * the cursor (latest `created_at` seen) advances only at the end of a repository's walk; after
 * each stored list page the walk saves its place (the next page's URL), so a killed run goes on there.
 */
export function deploymentsStream(
  client: SourceClient,
  repositories: readonly string[],
  overlapMs: number,
  /** Deployments of a page whose statuses are fetched at once (see `STATUS_CONCURRENCY`). */
  statusConcurrency?: number,
): StreamReader {
  const lookbackMs = Math.max(overlapMs, STATUS_SETTLE_MS);
  return async function* deployments(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const start = readWalk(ctx.position(repository)?.cursor);
      const since = sinceMs(start.since, lookbackMs);
      let cursor = start.cursor;
      const path = `${repoPath(repository)}/deployments`;
      for await (const { res, items, next } of listPages(
        client,
        path,
        { per_page: PER_PAGE },
        ctx.signal,
        start.walk?.after,
      )) {
        const page = createdSincePage(res, items, since, cursor, 'github deployment', repository);
        const { records, reachedCursor } = page;
        cursor = page.cursor;
        const pages: Page[] = [];
        if (records.length > 0) {
          pages.push({ entityType: 'github_deployments', records });
          // After their deployments, so a status never lands before the deployment it belongs to;
          // the page (and its checkpoint) is yielded only once every status of it is in.
          const statuses = await deploymentsStatusRecords(
            client,
            repository,
            records.map((deployment) => deployment.externalId),
            ctx.signal,
            statusConcurrency,
          );
          pages.push(...pagesOf('github_deployment_statuses', statuses));
        }
        if (reachedCursor || next === null) {
          yield* pages;
          break;
        }
        yield* withCheckpoint(pages, 'github_deployments', {
          scope: repository,
          cursor: walkCursor({ since: start.since, reached: cursor, after: next, skip: 0, pending: [] }),
        });
      }
      yield { entityType: 'github_deployments', records: [], checkpoint: { scope: repository, cursor } };
    }
  };
}
