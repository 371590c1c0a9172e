import type { SourceClient } from '../../http/source-client.ts';
import { isRecord } from '../shared.ts';
import type { Page, StreamContext, StreamReader } from '../types.ts';
import { githubRecord, repoPath } from './shared.ts';

/**
 * One page per repository (scope `owner/repo`): the repository, or, when the saved ETag still
 * matches (304, which costs no quota), no records and a checkpoint keeping that ETag.
 */
export function repositoriesStream(client: SourceClient, repositories: readonly string[]): StreamReader {
  return async function* repositoriesReader(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const saved = ctx.position(repository);
      const etag = saved?.etag ?? null;
      const res = await client.get(repoPath(repository), {
        headers: etag ? { 'if-none-match': etag } : {},
        signal: ctx.signal,
      });
      if (res.status === 304) {
        yield {
          entityType: 'github_repositories',
          records: [],
          checkpoint: { scope: repository, cursor: saved?.cursor ?? null, etag },
        };
        continue;
      }
      if (!isRecord(res.body))
        throw new Error(`github repository ${repository} answered a non-object (${res.url})`);
      yield {
        entityType: 'github_repositories',
        records: [githubRecord(res, res.body, 'id', 'github repository', { repository })],
        checkpoint: { scope: repository, cursor: null, etag: res.headers.etag ?? null },
      };
    }
  };
}
