import type pg from 'pg';

// A person's switch wins over one a full run made (reason missing_from_full_run), and is never undone by a run.
const DEACTIVATE_ISSUE = `
insert into issue_deactivations (tenant_id, integration_id, issue_external_id, reason)
values ($1, $2, $3, 'user')
on conflict (tenant_id, integration_id, issue_external_id)
do update set reason = 'user', deactivated_at = now(), job_id = null`;

/** Switches an issue off for metrics, by a person. */
export async function deactivateIssue(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number,
  issueExternalId: string,
): Promise<void> {
  await db.query(DEACTIVATE_ISSUE, [tenantId, integrationId, issueExternalId]);
}
