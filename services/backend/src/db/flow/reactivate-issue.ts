import type pg from 'pg';

/** Switches an issue back on for metrics, whoever switched it off. */
export async function reactivateIssue(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number,
  issueExternalId: string,
): Promise<void> {
  await db.query(
    'delete from issue_deactivations where tenant_id = $1 and integration_id = $2 and issue_external_id = $3',
    [tenantId, integrationId, issueExternalId],
  );
}
