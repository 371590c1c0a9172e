import type { SourceClient } from '../../http/source-client.ts';
import type { SourceRecord } from '../types.ts';
import { githubRecord, listPages, PER_PAGE, repoPath } from './shared.ts';

/**
 * A deployment's statuses settle after the deployment is created (queued → in_progress → success
 * or failure, minutes to hours later), so an incremental walk re-reads the statuses of deployments
 * created up to this long before its cursor. Later `inactive` marks on old deployments do not
 * change any outcome and are picked up by the next full run.
 */
export const STATUS_SETTLE_MS = 24 * 60 * 60_000;

/** Every status of one deployment (`GET /repos/{o}/{r}/deployments/{id}/statuses`), newest first as GitHub lists them. */
export async function deploymentStatusRecords(
  client: SourceClient,
  repository: string,
  deploymentId: string,
  signal: AbortSignal,
): Promise<SourceRecord[]> {
  const path = `${repoPath(repository)}/deployments/${encodeURIComponent(deploymentId)}/statuses`;
  const records: SourceRecord[] = [];
  for await (const { res, items } of listPages(client, path, { per_page: PER_PAGE }, signal)) {
    for (const item of items) {
      records.push(
        githubRecord(res, item, 'id', 'github deployment status', {
          repository,
          deployment_id: Number(deploymentId),
        }),
      );
    }
  }
  return records;
}
