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

/**
 * Deployments of one list page whose statuses are fetched at once. One request per deployment is
 * what the REST API offers, and at 100+ ms a request these dominate the stream's time; every
 * request still goes through the integration's governor, which caps what is in flight overall.
 */
export const STATUS_CONCURRENCY = 8;

/**
 * The statuses of every deployment in `deploymentIds`, at most `concurrency` deployments at a
 * time, in the order of `deploymentIds` (each deployment's own statuses as GitHub lists them), so
 * the records are the same as one deployment after the other would give. The first failure
 * stops the rest (their requests are aborted) and is the one thrown.
 */
export async function deploymentsStatusRecords(
  client: SourceClient,
  repository: string,
  deploymentIds: readonly string[],
  signal: AbortSignal,
  concurrency = STATUS_CONCURRENCY,
): Promise<SourceRecord[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`deployment status concurrency must be a positive integer, got ${concurrency}`);
  }
  const results: SourceRecord[][] = deploymentIds.map(() => []);
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  // At most one: the first failure; the others fail because of the abort below, not on their own.
  const failures: unknown[] = [];
  let nextIndex = 0;
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && nextIndex < deploymentIds.length) {
      const index = nextIndex++;
      const id = deploymentIds[index];
      if (id === undefined) return;
      try {
        results[index] = await deploymentStatusRecords(client, repository, id, both);
      } catch (error) {
        if (failures.length === 0) {
          failures.push(error);
          stop.abort();
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, deploymentIds.length) }, lane));
  if (failures.length > 0) throw failures[0];
  return results.flat();
}

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
