import type pg from 'pg';

export interface MetricsDataSize {
  issues: number;
  prs: number;
  deployments: number;
  repositories: number;
}

/**
 * Fills a fresh database with normalized rows for one tenant — Jira issues with a
 * To Do → In Progress → In Review → (back to In Progress) → Done history, incidents, PRs with
 * commits, reviews and review comments, production deployments with queued / in_progress /
 * outcome statuses — straight with `generate_series`. Loading the same volume through the
 * pipeline takes minutes on two cores (see end-to-end); the metric queries only read these
 * tables, so the shortcut measures them alone. Deterministic: `setseed` fixes `random()`.
 */
export async function fillMetricsData(
  client: pg.Client,
  tenantId: number,
  size: MetricsDataSize,
): Promise<{ jiraId: number; githubId: number }> {
  const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
  await q(`select setseed(0.42)`);
  const integration = async (type: string) => {
    const { rows } = await q(
      `insert into integrations (tenant_id, type, name, base_url, credentials_encrypted, credentials_key_id, config)
       values ($1, $2, $2, 'http://127.0.0.1:1', 'x', 'k', '{}') returning id`,
      [tenantId, type],
    );
    return Number((rows[0] as { id: string }).id);
  };
  const jiraId = await integration('jira');
  const githubId = await integration('github');
  const span = `interval '730 days'`;
  const start = `(timestamptz '2026-12-01' - ${span})`;

  await q(
    `insert into jira_statuses (tenant_id, integration_id, external_id, raw_id, name, category_key)
     values ($1, $2, '1', 0, 'To Do', 'new'), ($1, $2, '3', 0, 'In Progress', 'indeterminate'),
            ($1, $2, '4', 0, 'In Review', 'indeterminate'), ($1, $2, '5', 0, 'Done', 'done')`,
    [tenantId, jiraId],
  );
  // Each issue: created, then 4 moves a few hours to days apart; 85 % reach Done; one in 500 is an incident (resolved in 1–30 h).
  await q(
    `insert into jira_issues (tenant_id, integration_id, external_id, raw_id, key, project_key, summary, status_name, issue_type,
                              labels, created_at, updated_at, resolved_at)
     select $1, $2, g::text, 0, 'P' || (g % 4) || '-' || g, 'P' || (g % 4), 'issue ' || g,
            case when g % 20 < 17 then 'Done' else 'In Progress' end,
            case when g % 500 = 0 then 'Incident' when g % 3 = 0 then 'Bug' else 'Story' end,
            '{}', ${start} + (g::float8 / $3) * ${span},
            ${start} + (g::float8 / $3) * ${span} + interval '20 days',
            case when g % 500 = 0 then ${start} + (g::float8 / $3) * ${span} + (1 + g % 30) * interval '1 hour'
                 when g % 20 < 17 then ${start} + (g::float8 / $3) * ${span} + interval '12 days' end
     from generate_series(1, $3) g`,
    [tenantId, jiraId, size.issues],
  );
  await q(
    `insert into jira_issue_transitions (tenant_id, integration_id, external_id, raw_id, issue_external_id, issue_key, from_status, to_status, transitioned_at)
     select $1, $2, i.external_id || ':' || k, 0, i.external_id, i.key,
            (array['To Do', 'In Progress', 'In Review', 'In Progress'])[k],
            (array['In Progress', 'In Review', 'In Progress', 'Done'])[k],
            i.created_at + (k * interval '2 days') + (random() * interval '2 days')
     from jira_issues i cross join generate_series(1, 4) k
     where i.tenant_id = $1 and (k < 4 or i.status_name = 'Done')`,
    [tenantId, jiraId],
  );
  await q(
    `insert into github_pull_requests (tenant_id, integration_id, external_id, raw_id, repository, number, title, state, merged, merged_at,
                                       author_login, created_at, updated_at)
     select $1, $2, g::text, 0, 'org/repo-' || (g % $4), g, 'pr ' || g, 'closed', true,
            ${start} + (g::float8 / $3) * ${span} + interval '1 day' + random() * interval '3 days',
            'dev' || (g % 40), ${start} + (g::float8 / $3) * ${span}, ${start} + (g::float8 / $3) * ${span} + interval '5 days'
     from generate_series(1, $3) g`,
    [tenantId, githubId, size.prs, size.repositories],
  );
  await q(
    `insert into github_commits (tenant_id, integration_id, external_id, raw_id, repository, sha, authored_at, committed_at)
     select $1, $2, md5(p.number || ':' || k), 0, p.repository, md5(p.number || ':' || k),
            p.created_at - (k * interval '5 hours'), p.created_at - (k * interval '4 hours')
     from github_pull_requests p cross join generate_series(1, 3) k where p.tenant_id = $1`,
    [tenantId, githubId],
  );
  await q(
    `insert into github_pull_request_commits (tenant_id, integration_id, external_id, raw_id, repository, pull_number, sha)
     select $1, $2, p.repository || '#' || p.number || '@' || md5(p.number || ':' || k), 0, p.repository, p.number, md5(p.number || ':' || k)
     from github_pull_requests p cross join generate_series(1, 3) k where p.tenant_id = $1`,
    [tenantId, githubId],
  );
  await q(
    `insert into github_reviews (tenant_id, integration_id, external_id, raw_id, repository, pull_number, state, author_login, submitted_at)
     select $1, $2, p.number || '-' || k, 0, p.repository, p.number, 'APPROVED', 'dev' || ((p.number + k) % 40),
            p.created_at + (k * interval '6 hours')
     from github_pull_requests p cross join generate_series(1, 2) k where p.tenant_id = $1`,
    [tenantId, githubId],
  );
  await q(
    `insert into github_review_comments (tenant_id, integration_id, external_id, raw_id, repository, pull_number, author_login, created_at, updated_at)
     select $1, $2, p.number::text, 0, p.repository, p.number, 'dev' || ((p.number + 3) % 40), p.created_at + interval '3 hours', p.created_at + interval '3 hours'
     from github_pull_requests p where p.tenant_id = $1 and p.number % 2 = 0`,
    [tenantId, githubId],
  );
  await q(
    `insert into github_deployments (tenant_id, integration_id, external_id, raw_id, repository, environment, created_at, updated_at)
     select $1, $2, g::text, 0, 'org/repo-' || (g % $4), case when g % 10 = 0 then 'staging' else 'production' end,
            ${start} + (g::float8 / $3) * ${span}, ${start} + (g::float8 / $3) * ${span}
     from generate_series(1, $3) g`,
    [tenantId, githubId, size.deployments, size.repositories],
  );
  // queued, in_progress, then success (80 %), failure (14 %) or error (6 %).
  await q(
    `insert into github_deployment_statuses (tenant_id, integration_id, external_id, raw_id, repository, deployment_external_id, state, environment, created_at)
     select $1, $2, d.external_id || '-' || k, 0, d.repository, d.external_id,
            case when k = 1 then 'queued' when k = 2 then 'in_progress'
                 when d.external_id::int % 50 < 40 then 'success' when d.external_id::int % 50 < 47 then 'failure' else 'error' end,
            d.environment, d.created_at + (k * interval '3 minutes')
     from github_deployments d cross join generate_series(1, 3) k where d.tenant_id = $1`,
    [tenantId, githubId],
  );
  const step = async (name: string, position: number, category: string, kind: string | null) => {
    const { rows } = await q(
      `insert into flow_steps (tenant_id, name, position, category, kind) values ($1, $2, $3, $4, $5) returning id`,
      [tenantId, name, position, category, kind],
    );
    return Number((rows[0] as { id: string }).id);
  };
  const steps = {
    'To Do': await step('To Do', 0, 'todo', null),
    'In Progress': await step('In Progress', 1, 'in_progress', 'active'),
    'In Review': await step('In Review', 2, 'in_progress', 'waiting'),
    Done: await step('Done', 3, 'done', null),
  };
  for (const [status, id] of Object.entries(steps)) {
    await q(
      `insert into status_mappings (tenant_id, integration_id, source_status, flow_step_id) values ($1, $2, $3, $4)`,
      [tenantId, jiraId, status, id],
    );
  }
  await q('analyze');
  return { jiraId, githubId };
}
