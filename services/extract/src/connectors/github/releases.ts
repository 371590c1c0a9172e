import type { SourceClient } from '../../http/source-client.ts';
import { sinceMs } from '../shared.ts';
import type { Page, StreamContext, StreamReader } from '../types.ts';
import { createdSincePage, listPages, PER_PAGE, repoPath } from './shared.ts';

/**
 * Releases per repository (scope `owner/repo`), newest first (`GET /repos/{o}/{r}/releases`),
 * down to the cursor (latest `created_at` seen) less the overlap; the cursor is saved at the end
 * of a repository's walk, as for deployments. A draft published later keeps its `created_at`, so a
 * full run is what picks up a publication of an old draft.
 */
export function releasesStream(
  client: SourceClient,
  repositories: readonly string[],
  overlapMs: number,
): StreamReader {
  return async function* releases(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const saved = ctx.mode === 'full' ? null : (ctx.position(repository)?.cursor ?? null);
      const since = sinceMs(saved, overlapMs);
      let cursor = saved;
      const path = `${repoPath(repository)}/releases`;
      for await (const { res, items } of listPages(client, path, { per_page: PER_PAGE }, ctx.signal)) {
        const page = createdSincePage(res, items, since, cursor, 'github release', repository);
        cursor = page.cursor;
        if (page.records.length > 0) yield { entityType: 'github_releases', records: page.records };
        if (page.reachedCursor) break;
      }
      yield { entityType: 'github_releases', records: [], checkpoint: { scope: repository, cursor } };
    }
  };
}
