import type pg from 'pg';

/** A Jira issue of the integration by key (`PROJ-12`) or external id (`10042`). */
export async function findJiraIssue(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  integrationId: number,
  keyOrId: string,
): Promise<{ key: string; external_id: string } | undefined> {
  const { rows } = await db.query<{ key: string; external_id: string }>(
    `select key, external_id from jira_issues
     where tenant_id = $1 and integration_id = $2 and (key = $3 or external_id = $3) limit 1`,
    [tenantId, integrationId, keyOrId],
  );
  return rows[0];
}
