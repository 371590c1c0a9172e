import type { z } from 'zod';
import type { issueActiveViewSchema } from '@tributary/contracts';
import { NotFoundError } from '../errors.ts';
import type { Queryable } from './transaction.ts';
import { findJiraIssue } from '../db/flow/find-jira-issue.ts';
import { reactivateIssue } from '../db/flow/reactivate-issue.ts';
import { deactivateIssue } from '../db/flow/deactivate-issue.ts';

export type IssueActiveView = z.infer<typeof issueActiveViewSchema>;

/**
 * Switches a Jira issue (by key or external id) on or off for metrics. The switch lives in
 * `issue_deactivations`, which the loader never writes, so a later sync cannot undo it.
 */
export async function setIssueActive(
  db: Queryable,
  tenantId: number,
  integrationId: number,
  keyOrId: string,
  active: boolean,
): Promise<IssueActiveView> {
  const issue = await findJiraIssue(db, tenantId, integrationId, keyOrId);
  if (!issue) throw new NotFoundError(`issue ${keyOrId} of integration ${integrationId}`);
  if (active) await reactivateIssue(db, tenantId, integrationId, issue.external_id);
  else await deactivateIssue(db, tenantId, integrationId, issue.external_id);
  return {
    integration_id: integrationId,
    key: issue.key,
    external_id: issue.external_id,
    active,
    reason: active ? null : 'user',
  };
}
