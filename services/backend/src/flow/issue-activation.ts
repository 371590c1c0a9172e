import type { z } from 'zod';
import type { issueActiveViewSchema } from '@tributary/contracts';
import { NotFoundError } from '../errors.ts';
import type { Queryable } from './transaction.ts';

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
  const { rows } = await db.query<{ key: string; external_id: string }>(
    `select key, external_id from jira_issues where tenant_id = $1 and integration_id = $2 and (key = $3 or external_id = $3) limit 1`,
    [tenantId, integrationId, keyOrId],
  );
  const issue = rows[0];
  if (!issue) throw new NotFoundError(`issue ${keyOrId} of integration ${integrationId}`);
  if (active) {
    await db.query(`delete from issue_deactivations where tenant_id = $1 and integration_id = $2 and issue_external_id = $3`, [
      tenantId,
      integrationId,
      issue.external_id,
    ]);
  } else {
    await db.query(
      `insert into issue_deactivations (tenant_id, integration_id, issue_external_id, reason)
       values ($1, $2, $3, 'user')
       on conflict (tenant_id, integration_id, issue_external_id) do update set reason = 'user', deactivated_at = now(), job_id = null`,
      [tenantId, integrationId, issue.external_id],
    );
  }
  return { integration_id: integrationId, key: issue.key, external_id: issue.external_id, active, reason: active ? null : 'user' };
}
