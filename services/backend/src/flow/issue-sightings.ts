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

/**
 * When a full run of the issues stream finishes, every issue of the integration it did not see is
 * switched off for metrics (reason missing_from_full_run), and one switched off that way but seen
 * again is switched back on; a person's switch is never touched. A run that saw no issue at all
 * changes nothing (a scope that matches nothing is more likely a mistake than an empty project).
 */
export async function deactivateUnseenIssues(db: pg.Pool | pg.PoolClient, tenantId: number, jobId: number): Promise<number> {
  const { rows } = await db.query<{ deactivated: number }>(
    `with job as (
       select j.id, j.integration_id from etl_jobs j
       where j.id = $1 and j.tenant_id = $2 and j.status = 'FINISHED' and j.mode = 'full' and j.streams ? 'issues'
         and exists (select 1 from job_seen_issues s where s.job_id = j.id)
     ),
     back as (
       delete from issue_deactivations d using job
       where d.tenant_id = $2 and d.integration_id = job.integration_id and d.reason = 'missing_from_full_run'
         and exists (select 1 from job_seen_issues s where s.job_id = job.id and s.issue_external_id = d.issue_external_id)
     ),
     gone as (
       insert into issue_deactivations (tenant_id, integration_id, issue_external_id, reason, job_id)
       select $2, i.integration_id, i.external_id, 'missing_from_full_run', job.id
       from jira_issues i join job on i.integration_id = job.integration_id
       where i.tenant_id = $2
         and not exists (select 1 from job_seen_issues s where s.job_id = job.id and s.issue_external_id = i.external_id)
       on conflict do nothing
       returning 1
     ),
     cleared as (delete from job_seen_issues where job_id = $1)
     select (select count(*) from gone)::int as deactivated`,
    [jobId, tenantId],
  );
  return rows[0]?.deactivated ?? 0;
}
