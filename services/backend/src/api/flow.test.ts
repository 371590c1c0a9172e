import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, service, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { finishJobIfDone } from '../jobs/job-state.ts';
import { upsertNormalized } from '../workers/upsert-normalized.ts';

let backend: TestBackend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(async () => backend.close());

interface Step {
  id: number;
  name: string;
  position: number;
  category: string;
  kind: string | null;
  active: boolean;
}

async function newTenant() {
  const tenant = await backend.createTenant();
  const jira = await backend.createIntegration(tenant.token, 'jira');
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, payload?: object) => {
    const response = await backend.app.inject({ method, url, headers: bearer(tenant.token), payload });
    return {
      status: response.statusCode,
      body: response.body ? response.json<Record<string, unknown>>() : {},
    };
  };
  return { tenant, jira, call };
}

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 0, d, h));

/** Normalized Jira rows as the loader writes them (statuses, issues, transitions). */
async function seedJira(tenantId: number, integrationId: number) {
  const q = (sql: string, params: unknown[]) => backend.pool.query(sql, params);
  for (const [id, name, category] of [
    ['1', 'To Do', 'new'],
    ['3', 'In Progress', 'indeterminate'],
    ['4', 'Ready for Review', 'indeterminate'],
    ['5', 'Done', 'done'],
  ]) {
    await q(
      `insert into jira_statuses (tenant_id, integration_id, external_id, raw_id, name, category_key) values ($1, $2, $3, 0, $4, $5)`,
      [tenantId, integrationId, id, name, category],
    );
  }
  // To Do → In Progress (2nd) → Ready for Review (3rd) → In Progress (4th) → Done (6th).
  // To Do → In Progress (2nd) → Legacy QA (3rd, a status only the history knows) → Done (5th).
  const issues: Array<[string, string, string, Array<[string, string, Date]>]> = [
    [
      '101',
      'A-1',
      'Story',
      [
        ['To Do', 'In Progress', day(2)],
        ['In Progress', 'Ready for Review', day(3)],
        ['Ready for Review', 'In Progress', day(4)],
        ['In Progress', 'Done', day(6)],
      ],
    ],
    [
      '102',
      'A-2',
      'Bug',
      [
        ['To Do', 'In Progress', day(2)],
        ['In Progress', 'Legacy QA', day(3)],
        ['Legacy QA', 'Done', day(5)],
      ],
    ],
  ];
  for (const [id, key, type, transitions] of issues) {
    await q(
      `insert into jira_issues (tenant_id, integration_id, external_id, raw_id, key, project_key, summary, status_name, issue_type, created_at, updated_at)
       values ($1, $2, $3, 0, $4, 'A', 's', 'Done', $5, $6, $7)`,
      [tenantId, integrationId, id, key, type, day(1), transitions.at(-1)![2]],
    );
    for (const [k, [from, to, at]] of transitions.entries()) {
      await q(
        `insert into jira_issue_transitions (tenant_id, integration_id, external_id, raw_id, issue_external_id, issue_key, from_status, to_status, transitioned_at)
         values ($1, $2, $3, 0, $4, $5, $6, $7, $8)`,
        [tenantId, integrationId, `${id}:${k}`, id, key, from, to, at],
      );
    }
  }
}

describe('flow steps', () => {
  it('a new tenant has no steps and no mappings until it creates them', async () => {
    const { call } = await newTenant();
    expect(await call('GET', '/api/v1/flow/steps')).toEqual({ status: 200, body: { steps: [] } });
    expect(await call('GET', '/api/v1/flow/mappings')).toEqual({ status: 200, body: { mappings: [] } });
  });

  it('creates steps in order; in_progress steps get a kind, others may not have one', async () => {
    const { call } = await newTenant();
    const todo = await call('POST', '/api/v1/flow/steps', { name: 'Backlog', category: 'todo' });
    expect(todo).toMatchObject({
      status: 201,
      body: { name: 'Backlog', position: 0, category: 'todo', kind: null, active: true },
    });
    const wip = await call('POST', '/api/v1/flow/steps', { name: 'Doing', category: 'in_progress' });
    expect(wip.body).toMatchObject({ position: 1, kind: 'active' });
    const wait = await call('POST', '/api/v1/flow/steps', {
      name: 'Ready for review',
      category: 'in_progress',
      kind: 'waiting',
    });
    expect(wait.body).toMatchObject({ position: 2, kind: 'waiting' });
    const bad = await call('POST', '/api/v1/flow/steps', {
      name: 'Shipped',
      category: 'done',
      kind: 'active',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ path: 'kind' }] } });
    const unknown = await call('POST', '/api/v1/flow/steps', { name: 'Limbo', category: 'someday' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { details: [{ path: 'category' }] } });
  });

  it('refuses an invalid order with a 400 naming the step, and changes nothing', async () => {
    const { call } = await newTenant();
    await call('POST', '/api/v1/flow/steps', { name: 'To Do', category: 'todo', position: 0 });
    const done = await call('POST', '/api/v1/flow/steps', { name: 'Done', category: 'done', position: 5 });
    const early = await call('POST', '/api/v1/flow/steps', {
      name: 'Doing',
      category: 'in_progress',
      position: 9,
    });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'position' }] },
    });
    expect(String((early.body.error as { message: string }).message)).toContain(
      'step "Doing" (in_progress, position 9) comes after done step "Done"',
    );

    const moved = await call('PATCH', `/api/v1/flow/steps/${String(done.body.id)}`, { position: -1 });
    expect(moved.status).toBe(400);
    const swapped = await call('PATCH', `/api/v1/flow/steps/${String(done.body.id)}`, { category: 'todo' });
    expect(swapped.status).toBe(200);
    const backwards = await call('PATCH', `/api/v1/flow/steps/${String(done.body.id)}`, {
      category: 'in_progress',
      position: 0,
    });
    expect(backwards.status).toBe(400);
    const steps = (await call('GET', '/api/v1/flow/steps')).body.steps as Step[];
    expect(steps.map((s) => [s.name, s.position, s.category])).toEqual([
      ['To Do', 0, 'todo'],
      ['Done', 5, 'todo'],
    ]);
  });

  it('refuses a position that is taken', async () => {
    const { call } = await newTenant();
    await call('POST', '/api/v1/flow/steps', { name: 'To Do', category: 'todo', position: 3 });
    const taken = await call('POST', '/api/v1/flow/steps', { name: 'Triage', category: 'todo', position: 3 });
    expect(taken.status).toBe(400);
    expect(taken.body).toMatchObject({
      error: { details: [{ path: 'position', message: 'positions are unique' }] },
    });
  });
});

describe('status mappings', () => {
  it('match statuses ignoring case, once per integration and issue type; refuse inactive steps', async () => {
    const { call, jira } = await newTenant();
    const doing = await call('POST', '/api/v1/flow/steps', { name: 'Doing', category: 'in_progress' });
    const parked = await call('POST', '/api/v1/flow/steps', {
      name: 'Parked',
      category: 'in_progress',
      active: false,
    });
    const base = { integration_id: jira, flow_step_id: doing.body.id };
    expect(
      (await call('POST', '/api/v1/flow/mappings', { ...base, source_status: 'In Progress' })).status,
    ).toBe(201);
    const dup = await call('POST', '/api/v1/flow/mappings', { ...base, source_status: 'in progress' });
    expect(dup.status).toBe(409);
    expect(String((dup.body.error as { message: string }).message)).toContain('already mapped');
    expect(
      (
        await call('POST', '/api/v1/flow/mappings', {
          ...base,
          source_status: 'IN PROGRESS',
          issue_type: 'Bug',
        })
      ).status,
    ).toBe(201);
    const inactive = await call('POST', '/api/v1/flow/mappings', {
      ...base,
      flow_step_id: parked.body.id,
      source_status: 'Blocked',
    });
    expect(inactive.status).toBe(400);
    expect(inactive.body).toMatchObject({
      error: { details: [{ path: 'flow_step_id', message: 'the step is inactive' }] },
    });
    const noIntegration = await call('POST', '/api/v1/flow/mappings', {
      ...base,
      integration_id: 999_999,
      source_status: 'Blocked',
    });
    expect(noIntegration.body).toMatchObject({ error: { details: [{ path: 'integration_id' }] } });
  });
});

describe('unmapped statuses and auto-map', () => {
  it('lists statuses with no active mapping; auto-map creates To Do / In Progress / Done from Jira categories', async () => {
    const { tenant, call, jira } = await newTenant();
    await seedJira(tenant.id, jira);
    const unmapped = (await call('GET', '/api/v1/flow/unmapped')).body.statuses as Array<{
      status: string;
      seen_in: string[];
    }>;
    expect(unmapped.map((s) => [s.status, s.seen_in])).toEqual([
      ['Done', ['jira_statuses', 'transitions']],
      ['In Progress', ['jira_statuses', 'transitions']],
      ['Legacy QA', ['transitions']],
      ['Ready for Review', ['jira_statuses', 'transitions']],
      ['To Do', ['jira_statuses', 'transitions']],
    ]);
    const auto = await call('POST', '/api/v1/flow/auto-map', {});
    expect(auto.status).toBe(200);
    const created = auto.body.created_steps as Step[];
    expect(created.map((s) => [s.name, s.category, s.kind])).toEqual([
      ['To Do', 'todo', null],
      ['In Progress', 'in_progress', 'active'],
      ['Done', 'done', null],
    ]);
    const byName = Object.fromEntries(created.map((s) => [s.name, s.id]));
    const mappings = auto.body.created_mappings as Array<{ source_status: string; flow_step_id: number }>;
    expect(Object.fromEntries(mappings.map((m) => [m.source_status, m.flow_step_id]))).toEqual({
      Done: byName.Done,
      'In Progress': byName['In Progress'],
      'Ready for Review': byName['In Progress'],
      'To Do': byName['To Do'],
    });
    expect((auto.body.left_unmapped as Array<{ status: string }>).map((s) => s.status)).toEqual([
      'Legacy QA',
    ]);
    const after = (await call('GET', '/api/v1/flow/unmapped')).body.statuses as Array<{ status: string }>;
    expect(after.map((s) => s.status)).toEqual(['Legacy QA']);
  });
});

describe('deleting a step', () => {
  it('needs reassign_to; a dry run answers the impact and changes nothing; the delete moves mappings in one go', async () => {
    const { tenant, call, jira } = await newTenant();
    await seedJira(tenant.id, jira);
    await call('POST', '/api/v1/flow/auto-map', {});
    const review = await call('POST', '/api/v1/flow/steps', {
      name: 'Review',
      category: 'in_progress',
      kind: 'waiting',
      position: 3,
    });
    expect(review.status).toBe(400); // position 3 would sit after Done (2)
    const steps = (await call('GET', '/api/v1/flow/steps')).body.steps as Step[];
    const [todo, doing, done] = steps;
    await call('PATCH', `/api/v1/flow/steps/${done!.id}`, { position: 10 });
    const waiting = await call('POST', '/api/v1/flow/steps', {
      name: 'Review',
      category: 'in_progress',
      kind: 'waiting',
      position: 5,
    });
    const mappings = (await call('GET', '/api/v1/flow/mappings')).body.mappings as Array<{
      id: number;
      source_status: string;
    }>;
    const rfr = mappings.find((m) => m.source_status === 'Ready for Review')!;
    await call('PATCH', `/api/v1/flow/mappings/${rfr.id}`, { flow_step_id: waiting.body.id });

    const missing = await call('DELETE', `/api/v1/flow/steps/${doing!.id}`);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      error: { details: [{ path: 'query.reassign_to', message: 'required' }] },
    });

    const dry = await call('DELETE', `/api/v1/flow/steps/${done!.id}?reassign_to=${todo!.id}&dry_run=true`);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dry_run: true,
      step: { id: done!.id, name: 'Done' },
      reassign_to: { id: todo!.id },
      mappings_affected: 1,
      issues_affected: 2,
    });
    expect(((await call('GET', '/api/v1/flow/steps')).body.steps as Step[]).map((s) => s.name)).toEqual([
      'To Do',
      'In Progress',
      'Review',
      'Done',
    ]);

    const gone = await call(
      'DELETE',
      `/api/v1/flow/steps/${doing!.id}?reassign_to=${String(waiting.body.id)}`,
    );
    expect(gone.body).toMatchObject({ dry_run: false, mappings_affected: 1, issues_affected: 0 });
    expect(((await call('GET', '/api/v1/flow/steps')).body.steps as Step[]).map((s) => s.name)).toEqual([
      'To Do',
      'Review',
      'Done',
    ]);
    const moved = (await call('GET', '/api/v1/flow/mappings')).body.mappings as Array<{
      source_status: string;
      flow_step_id: number;
    }>;
    expect(moved.find((m) => m.source_status === 'In Progress')?.flow_step_id).toBe(waiting.body.id);
  });
});

describe('exclusion from flow metrics', () => {
  const range = 'from=2026-01-01&to=2026-01-15';

  it('inactive issues, mappings and steps drop out; a later load does not bring a deactivated issue back', async () => {
    const { tenant, call, jira } = await newTenant();
    await seedJira(tenant.id, jira);
    await call('POST', '/api/v1/flow/auto-map', {});
    const flow = async () =>
      (await call('GET', `/api/v1/metrics/flow?${range}`)).body as {
        count: number;
        cycle_time: { median_hours: number };
      };
    // In Progress on the 2nd → Done on the 6th = 96 h; A-2: 2nd → 5th = 72 h.
    expect(await flow()).toMatchObject({ count: 2, cycle_time: { median_hours: 84 } });

    const off = await call('PATCH', `/api/v1/flow/issues/${jira}/A-2`, { active: false });
    expect(off).toEqual({
      status: 200,
      body: { integration_id: jira, key: 'A-2', external_id: '102', active: false, reason: 'user' },
    });
    expect(await flow()).toMatchObject({ count: 1, cycle_time: { median_hours: 96 } });

    // The loader upserts the issue again (a new sync); it stays off.
    const client = await backend.pool.connect();
    try {
      await upsertNormalized(
        client,
        tenant.id,
        jira,
        'jira_issues',
        [
          {
            table: 'jira_issues',
            externalId: '102',
            rawId: 7,
            columns: {
              key: 'A-2',
              summary: 'again',
              status_name: 'Done',
              created_at: day(1),
              updated_at: day(7),
            },
          },
        ],
        'updated_at',
      );
    } finally {
      client.release();
    }
    expect(await flow()).toMatchObject({ count: 1 });
    await call('PATCH', `/api/v1/flow/issues/${jira}/A-2`, { active: true });
    expect(await flow()).toMatchObject({ count: 2 });

    // An inactive mapping: In Progress no longer maps, so A-1's first in_progress entry is
    // Ready for Review (3rd) → 72 h, and A-2 has no in_progress entry at all.
    const mappings = (await call('GET', '/api/v1/flow/mappings')).body.mappings as Array<{
      id: number;
      source_status: string;
      flow_step_id: number;
    }>;
    const inProgress = mappings.find((m) => m.source_status === 'In Progress')!;
    await call('PATCH', `/api/v1/flow/mappings/${inProgress.id}`, { active: false });
    expect(await flow()).toMatchObject({ count: 1, cycle_time: { median_hours: 72 } });

    // An inactive step: Done's mapping is moved off first (a step with active mappings cannot be switched off).
    const steps = (await call('GET', '/api/v1/flow/steps')).body.steps as Step[];
    const done = steps.find((s) => s.name === 'Done')!;
    const refused = await call('PATCH', `/api/v1/flow/steps/${done.id}`, { active: false });
    expect(refused.status).toBe(409);
    await backend.pool.query(`update flow_steps set active = false where id = $1`, [done.id]);
    expect(await flow()).toMatchObject({ count: 0, cycle_time: { median_hours: null } });
  });

  it('answers 404 for an unknown issue', async () => {
    const { call, jira } = await newTenant();
    const missing = await call('PATCH', `/api/v1/flow/issues/${jira}/NOPE-1`, { active: false });
    expect(missing.status).toBe(404);
  });
});

describe('automatic deactivation', () => {
  it('a finished full run switches off the issues it did not see, and on again those it sees later; a person’s switch stays', async () => {
    const { tenant, call, jira } = await newTenant();
    await seedJira(tenant.id, jira);
    await backend.pool.query(
      `insert into jira_issues (tenant_id, integration_id, external_id, raw_id, key, project_key, summary, status_name, issue_type, created_at, updated_at)
       values ($1, $2, '103', 0, 'A-3', 'A', 's', 'To Do', 'Task', $3, $3)`,
      [tenant.id, jira, day(1)],
    );
    await call('PATCH', `/api/v1/flow/issues/${jira}/A-3`, { active: false });
    const fullRun = async (seen: string[]) => {
      const { rows } = await backend.pool.query<{ id: string }>(
        `insert into etl_jobs (tenant_id, integration_id, status, mode, streams) values ($1, $2, 'RUNNING', 'full', '["issues"]') returning id`,
        [tenant.id, jira],
      );
      const jobId = Number(rows[0]!.id);
      const stored = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/etl/raw-data/batch',
        headers: service(tenant.id),
        payload: {
          records: seen.map((id) => ({
            integration_id: jira,
            entity_type: 'jira_issues',
            external_id: id,
            raw_data: { id, seen: jobId },
            job_id: jobId,
          })),
        },
      });
      expect(stored.statusCode).toBe(200);
      // The pipeline would load these rows; here only the run's end matters.
      await backend.pool.query(`delete from raw_outbox where job_id = $1`, [jobId]);
      await backend.pool.query(`update etl_jobs set extraction_finished_at = now() where id = $1`, [jobId]);
      expect(await finishJobIfDone(backend.pool, tenant.id, jobId)).toBe(true);
    };
    const state = async () =>
      (
        await backend.pool.query<{ issue_external_id: string; reason: string }>(
          `select issue_external_id, reason from issue_deactivations where tenant_id = $1 order by 1`,
          [tenant.id],
        )
      ).rows;

    await fullRun(['101']);
    expect(await state()).toEqual([
      { issue_external_id: '102', reason: 'missing_from_full_run' },
      { issue_external_id: '103', reason: 'user' },
    ]);
    await fullRun(['101', '102', '103']);
    expect(await state()).toEqual([{ issue_external_id: '103', reason: 'user' }]);
    expect((await backend.pool.query(`select count(*)::int as n from job_seen_issues`)).rows[0]).toEqual({
      n: 0,
    });
  });
});

describe('OpenAPI', () => {
  it('documents the metric definitions and the flow routes', async () => {
    const response = await backend.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/metrics/dora',
        '/api/v1/metrics/dora/{key}/items',
        '/api/v1/metrics/pull-requests',
        '/api/v1/metrics/flow',
        '/api/v1/flow/steps',
        '/api/v1/flow/steps/{id}',
      ]),
    );
    expect(response.body).toContain(
      'the first succeeded production deployment of the same repository with deployed-at',
    );
    expect(response.body).toContain('Accelerate State of DevOps');
  });
});

describe('metric scope and settings', () => {
  it('refuses a bad range naming the field', async () => {
    const { call } = await newTenant();
    const bad = await call('GET', '/api/v1/metrics/dora?from=yesterday&to=2026-01-01');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: 'query.from' }] },
    });
    const reversed = await call('GET', '/api/v1/metrics/flow?from=2026-02-01&to=2026-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({
      error: { details: [{ path: 'query.to', message: 'to must be after from' }] },
    });
    const repo = await call(
      'GET',
      '/api/v1/metrics/pull-requests?from=2026-01-01&to=2026-02-01&repository=not-a-repo',
    );
    expect(repo.body).toMatchObject({ error: { details: [{ path: 'query.repository.0' }] } });
  });

  it('production environments are the tenant’s: a deployment counts only in one of them (ignoring case)', async () => {
    const { tenant, call } = await newTenant();
    const github = await backend.createIntegration(tenant.token, 'github');
    for (const [id, env] of [
      ['1', 'Production'],
      ['2', 'live'],
      ['3', 'staging'],
    ]) {
      await backend.pool.query(
        `insert into github_deployments (tenant_id, integration_id, external_id, raw_id, repository, environment, created_at, updated_at)
         values ($1, $2, $3, 0, 'a/b', $4, $5, $5)`,
        [tenant.id, github, id, env, day(3)],
      );
      await backend.pool.query(
        `insert into github_deployment_statuses (tenant_id, integration_id, external_id, raw_id, repository, deployment_external_id, state, created_at)
         values ($1, $2, $3 || '-1', 0, 'a/b', $3, 'success', $4)`,
        [tenant.id, github, id, day(3, 1)],
      );
    }
    const frequency = async () => {
      const answer = (await call('GET', '/api/v1/metrics/dora?from=2026-01-01&to=2026-01-11')).body as {
        deployment_frequency: { count: number; value: number; items_url: string };
      };
      const items = (await call('GET', answer.deployment_frequency.items_url)).body as {
        items: Array<{ deployment_id: string }>;
      };
      return {
        count: answer.deployment_frequency.count,
        value: answer.deployment_frequency.value,
        ids: items.items.map((i) => i.deployment_id),
      };
    };
    expect(await call('GET', '/api/v1/metrics/settings')).toEqual({
      status: 200,
      body: {
        production_environments: ['production', 'prod'],
        incident_issue_types: ['Incident'],
        incident_labels: [],
      },
    });
    expect(await frequency()).toEqual({ count: 1, value: 0.1, ids: ['1'] });
    const put = await call('PUT', '/api/v1/metrics/settings', {
      production_environments: ['LIVE', 'production'],
      incident_issue_types: ['Incident'],
      incident_labels: ['sev1'],
    });
    expect(put.status).toBe(200);
    expect(await frequency()).toEqual({ count: 2, value: 0.2, ids: ['1', '2'] });
  });
});
