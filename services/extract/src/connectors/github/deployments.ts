import type { SourceClient } from '../../http/source-client.ts';
import { laterOf, pagesOf, parseTimestamp, sinceMs } from '../shared.ts';
import type { Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { deploymentStatusRecords, STATUS_SETTLE_MS } from './deployment-statuses.ts';
import { githubRecord, listPages, PER_PAGE, repoPath } from './shared.ts';

/**
 * Deployments per repository (scope `owner/repo`), newest first, down to the cursor less the
 * overlap (at least the time statuses take to settle), each with its statuses. Newest-first means
 * the cursor (latest `created_at` seen) advances only at the end of a repository's walk, on a
 * closing page without records.
 */
export function deploymentsStream(
  client: SourceClient,
  repositories: readonly string[],
  overlapMs: number,
): StreamReader {
  const lookbackMs = Math.max(overlapMs, STATUS_SETTLE_MS);
  return async function* deployments(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const saved = ctx.position(repository)?.cursor ?? null;
      const since = sinceMs(saved, lookbackMs);
      let cursor = saved;
      const path = `${repoPath(repository)}/deployments`;
      for await (const { res, items } of listPages(client, path, { per_page: PER_PAGE }, ctx.signal)) {
        const records: SourceRecord[] = [];
        let reachedCursor = false;
        for (const item of items) {
          const created = parseTimestamp(item.created_at);
          if (since !== null && created !== null && created < since) {
            reachedCursor = true;
            break;
          }
          records.push(githubRecord(res, item, 'id', 'github deployment', { repository }));
          if (created !== null) cursor = laterOf(cursor, new Date(created).toISOString());
        }
        if (records.length > 0) {
          yield { entityType: 'github_deployments', records };
          // After their deployments, so a status never lands before the deployment it belongs to.
          const statuses: SourceRecord[] = [];
          for (const deployment of records) {
            statuses.push(...(await deploymentStatusRecords(client, repository, deployment.externalId, ctx.signal)));
          }
          yield* pagesOf('github_deployment_statuses', statuses);
        }
        if (reachedCursor) break;
      }
      yield { entityType: 'github_deployments', records: [], checkpoint: { scope: repository, cursor } };
    }
  };
}
