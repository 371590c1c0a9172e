import type pg from 'pg';

/**
 * A full Jira run sees every issue in its scope. The raw layer stores unchanged issues once, so it
 * cannot say what a run saw; the raw-data API notes each Jira issue a full job sends here instead.
 */
export async function recordSeenIssues(
  db: pg.Pool | pg.PoolClient,
  tenantId: number,
  records: readonly { entity_type: string; external_id: string; job_id?: number | null | undefined }[],
): Promise<void> {
  const seen = records.filter((r) => r.entity_type === 'jira_issues' && r.job_id != null);
  if (seen.length === 0) return;
  await db.query(
    `insert into job_seen_issues (job_id, issue_external_id)
     select x.job_id, x.external_id
     from jsonb_to_recordset($2::jsonb) as x(job_id bigint, external_id text)
     join etl_jobs j on j.id = x.job_id and j.tenant_id = $1 and j.mode = 'full'
     on conflict do nothing`,
    [tenantId, JSON.stringify(seen.map((r) => ({ job_id: r.job_id, external_id: r.external_id })))],
  );
}
