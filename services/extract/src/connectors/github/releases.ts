import { timestampMs } from '@tributary/contracts';
import type { SourceClient } from '../../http/source-client.ts';
import { laterOf, sinceMs } from '../shared.ts';
import type { Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { githubRecord, listPages, PER_PAGE, repoPath } from './shared.ts';

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
        const records: SourceRecord[] = [];
        let reachedCursor = false;
        for (const item of items) {
          const created = timestampMs(item.created_at);
          if (since !== null && created !== null && created < since) {
            reachedCursor = true;
            break;
          }
          records.push(githubRecord(res, item, 'id', 'github release', { repository }));
          if (created !== null) cursor = laterOf(cursor, new Date(created).toISOString());
        }
        if (records.length > 0) yield { entityType: 'github_releases', records };
        if (reachedCursor) break;
      }
      yield { entityType: 'github_releases', records: [], checkpoint: { scope: repository, cursor } };
    }
  };
}
