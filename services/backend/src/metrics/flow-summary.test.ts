import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hearPoolErrors } from '@tributary/db';
import { createLogger } from '@tributary/observability';
import { bearer, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { refreshAllFlowSummaries, startFlowSummaryJob } from '../workers/flow-summary-job.ts';
import { foldOnRequest, REQUEST_FOLD_LIMIT } from './flow-summary.ts';

// The flow metrics read summaries kept on read (flow-summary.ts). These tests change the data
// after a first answer — the way the loader does, with upserts — and check the next answer moves
// as defined, the items still add up to it, and it equals a rebuild from scratch.

let backend: TestBackend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(async () => backend.close());

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 0, d, h));
const range = 'from=2026-01-01&to=2026-01-15';

interface FlowAnswer {
  count: number;
  cycle_time: { median_hours: number | null; count: number };
  lead_time: { median_hours: number | null };
  flow_efficiency: { value: number | null };
  time_in_step: Array<{ step: string; total_hours: number; issues: number }>;
  wip: Array<{ day: string; count: number }>;
  throughput: Array<{ week: string; count: number }>;
}
interface FlowItem {
  key: string;
  cycle_hours: number;
  lead_hours: number;
  active_hours: number;
  intervals: Array<{ status: string; step: string | null; hours: number }>;
}

/** A tenant with a Jira integration, its four statuses and the flow steps auto-map gives them. */
async function newTenant() {
  const tenant = await backend.createTenant();
  const jira = await backend.createIntegration(tenant.token, 'jira');
  await seedStatuses(tenant.id, jira);
  const get = async <T>(url: string) => {
    const response = await backend.app.inject({ method: 'GET', url, headers: bearer(tenant.token) });
    expect(response.statusCode).toBe(200);
    return response.json<T>();
  };
  const post = async (url: string, payload: object) => {
    const response = await backend.app.inject({
      method: 'POST',
      url,
      headers: bearer(tenant.token),
      payload,
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };
  const flow = () => get<FlowAnswer>(`/api/v1/metrics/flow?${range}`);
  const items = async () =>
    (await get<{ items: FlowItem[] }>(`/api/v1/metrics/flow/items?${range}&limit=500`)).items;
  expect((await post('/api/v1/flow/auto-map', {})).status).toBe(200);
  return { tenant, jira, get, post, flow, items };
}
type Tenant = Awaited<ReturnType<typeof newTenant>>;

/** The loader's upsert of an issue row: newer `updated_at` wins, an equal one rewrites the row. */
async function upsertIssue(
  tenantId: number,
  jira: number,
  id: string,
  status: string,
  updatedAt: Date,
  createdAt = day(1),
) {
  await backend.pool.query(
    `insert into jira_issues (tenant_id, integration_id, external_id, raw_id, key, project_key, summary, status_name, issue_type, created_at, updated_at)
     values ($1, $2, $3, 0, 'A-' || $3, 'A', 's', $4, 'Story', $5, $6)
     on conflict (tenant_id, integration_id, external_id) do update
       set status_name = excluded.status_name, updated_at = excluded.updated_at, loaded_at = now()
       where jira_issues.updated_at <= excluded.updated_at`,
    [tenantId, jira, id, status, createdAt, updatedAt],
  );
}

/** The loader's upsert of one changelog entry as a transition. */
async function upsertTransition(
  tenantId: number,
  jira: number,
  issue: string,
  k: number,
  from: string,
  to: string,
  at: Date,
) {
  await backend.pool.query(
    `insert into jira_issue_transitions (tenant_id, integration_id, external_id, raw_id, issue_external_id, issue_key, from_status, to_status, transitioned_at)
     values ($1, $2, $3, 0, $4, 'A-' || $4, $5, $6, $7)
     on conflict (tenant_id, integration_id, external_id) do update
       set from_status = excluded.from_status, to_status = excluded.to_status, transitioned_at = excluded.transitioned_at, loaded_at = now()`,
    [tenantId, jira, `${issue}:${k}`, issue, from, to, at],
  );
}

async function seedStatuses(tenantId: number, jira: number) {
  for (const [id, name, category] of [
    ['1', 'To Do', 'new'],
    ['3', 'In Progress', 'indeterminate'],
    ['4', 'In Review', 'indeterminate'],
    ['5', 'Done', 'done'],
  ]) {
    await backend.pool.query(
      `insert into jira_statuses (tenant_id, integration_id, external_id, raw_id, name, category_key) values ($1, $2, $3, 0, $4, $5)`,
      [tenantId, jira, id, name, category],
    );
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The items add up to the answer: count, median cycle time, efficiency, time in step. */
function expectReconciles(answer: FlowAnswer, items: FlowItem[]) {
  expect(items).toHaveLength(answer.count);
  if (items.length === 0) return;
  expect(answer.cycle_time.median_hours).toBeCloseTo(median(items.map((i) => i.cycle_hours)), 9);
  const active = items.reduce((s, i) => s + i.active_hours, 0);
  const cycle = items.reduce((s, i) => s + i.cycle_hours, 0);
  expect(answer.flow_efficiency.value).toBeCloseTo(active / cycle, 9);
  for (const step of answer.time_in_step) {
    const hours = items.flatMap((i) => i.intervals.filter((v) => v.step === step.step).map((v) => v.hours));
    expect(step.total_hours).toBeCloseTo(
      hours.reduce((s, h) => s + h, 0),
      6,
    );
  }
}

/** The same answer computed from nothing: the tenant's summaries dropped and rebuilt. */
async function rebuiltFromScratch(tenantId: number, flow: () => Promise<FlowAnswer>) {
  await backend.pool.query(`delete from flow_summary_state where tenant_id = $1`, [tenantId]);
  return flow();
}

/** A1 through In Progress (2nd) → In Review (3rd) → Done (6th); auto-map puts In Review on In Progress. */
async function reviewedIssue(tenantId: number, jira: number) {
  await upsertIssue(tenantId, jira, '1', 'Done', day(6));
  await upsertTransition(tenantId, jira, '1', 0, 'To Do', 'In Progress', day(2));
  await upsertTransition(tenantId, jira, '1', 1, 'In Progress', 'In Review', day(3));
  await upsertTransition(tenantId, jira, '1', 2, 'In Review', 'Done', day(6));
}

/**
 * A waiting step Review for In Review (Story), a change of the flow configuration. Done must stay
 * after every in_progress step, so it moves behind the new one first.
 */
async function mapReviewAsWaiting({ tenant, jira, get, post }: Tenant) {
  const { steps } = await get<{ steps: Array<{ id: number; name: string }> }>('/api/v1/flow/steps');
  const done = steps.find((s) => s.name === 'Done')!;
  const moved = await backend.app.inject({
    method: 'PATCH',
    url: `/api/v1/flow/steps/${done.id}`,
    headers: bearer(tenant.token),
    payload: { position: 9 },
  });
  expect(moved.statusCode).toBe(200);
  const review = await post('/api/v1/flow/steps', {
    name: 'Review',
    category: 'in_progress',
    kind: 'waiting',
    position: 5,
  });
  expect(review.status).toBe(201);
  const mapped = await post('/api/v1/flow/mappings', {
    integration_id: jira,
    source_status: 'In Review',
    flow_step_id: review.body.id,
    issue_type: 'Story',
  });
  expect(mapped.status).toBe(201);
}

/** {@link reviewedIssue} after {@link mapReviewAsWaiting}: 72 h of its 96 h cycle waiting in Review, 24 h active. */
function expectReviewWaiting(answer: FlowAnswer) {
  expect(answer).toMatchObject({
    count: 1,
    cycle_time: { median_hours: 96 },
    flow_efficiency: { value: 0.25 },
  });
  expect(answer.time_in_step.find((s) => s.step === 'Review')).toMatchObject({ total_hours: 72, issues: 1 });
}

describe('flow summaries kept on read', () => {
  it('a change after a first answer shows up in the next one; redelivery changes nothing; the items reconcile', async () => {
    const { tenant, jira, flow, items } = await newTenant();
    // In Progress on the 2nd, Done on the 6th (96 h). A-2: In Progress on the 3rd, still there.
    await upsertIssue(tenant.id, jira, '1', 'Done', day(6));
    await upsertTransition(tenant.id, jira, '1', 0, 'To Do', 'In Progress', day(2));
    await upsertTransition(tenant.id, jira, '1', 1, 'In Progress', 'Done', day(6));
    await upsertIssue(tenant.id, jira, '2', 'In Progress', day(3));
    await upsertTransition(tenant.id, jira, '2', 0, 'To Do', 'In Progress', day(3));
    const first = await flow();
    expect(first).toMatchObject({ count: 1, cycle_time: { median_hours: 96 } });
    expect(first.wip.find((w) => w.day === '2026-01-04')).toEqual({ day: '2026-01-04', count: 2 });

    // A-2 moves to Done on the 5th (48 h): the next answer has it, WIP drops from its day.
    await upsertTransition(tenant.id, jira, '2', 1, 'In Progress', 'Done', day(5));
    await upsertIssue(tenant.id, jira, '2', 'Done', day(5));
    const second = await flow();
    expect(second).toMatchObject({ count: 2, cycle_time: { median_hours: 72 } });
    expect(second.wip.find((w) => w.day === '2026-01-05')).toEqual({ day: '2026-01-05', count: 0 });
    expectReconciles(second, await items());

    // The same rows delivered again (at-least-once): the same answer.
    await upsertTransition(tenant.id, jira, '2', 1, 'In Progress', 'Done', day(5));
    await upsertIssue(tenant.id, jira, '2', 'Done', day(5));
    expect(await flow()).toEqual(second);
    expect(await rebuiltFromScratch(tenant.id, flow)).toEqual(second);
  });

  it('out-of-order loads: transitions before their issue, an older history entry after a newer one, a stale issue version', async () => {
    const { tenant, jira, flow, items } = await newTenant();
    await upsertIssue(tenant.id, jira, '1', 'Done', day(6));
    await upsertTransition(tenant.id, jira, '1', 0, 'To Do', 'In Progress', day(2));
    await upsertTransition(tenant.id, jira, '1', 1, 'In Progress', 'Done', day(6));
    expect(await flow()).toMatchObject({ count: 1 });

    // Issue 3's transitions land before the issue row: no issue, nothing counted yet.
    await upsertTransition(tenant.id, jira, '3', 2, 'In Review', 'Done', day(8));
    expect(await flow()).toMatchObject({ count: 1 });
    await upsertIssue(tenant.id, jira, '3', 'Done', day(8));
    // Its first history entry arrives last: In Progress from the 4th, so 96 h, not from creation.
    await upsertTransition(tenant.id, jira, '3', 0, 'To Do', 'In Progress', day(4));
    await upsertTransition(tenant.id, jira, '3', 1, 'In Progress', 'In Review', day(6));
    // An older version of issue 3 (updated on the 5th) is redelivered: the newer row stays.
    await upsertIssue(tenant.id, jira, '3', 'In Progress', day(5));
    const answer = await flow();
    expect(answer).toMatchObject({ count: 2, cycle_time: { median_hours: 96 } });
    const listed = await items();
    expect(listed.map((i) => [i.key, i.cycle_hours])).toEqual([
      ['A-1', 96],
      ['A-3', 96],
    ]);
    expect(listed[1]!.intervals.map((v) => v.status)).toEqual(['To Do', 'In Progress', 'In Review']);
    expectReconciles(answer, listed);
    expect(await rebuiltFromScratch(tenant.id, flow)).toEqual(answer);
  });

  it('a mapping change recomputes every issue that depends on it', async () => {
    const t = await newTenant();
    const { tenant, jira, flow, items } = t;
    await reviewedIssue(tenant.id, jira);
    const before = await flow();
    expect(before).toMatchObject({ count: 1, flow_efficiency: { value: 1 } });

    await mapReviewAsWaiting(t);
    const after = await flow();
    expectReviewWaiting(after);
    expectReconciles(after, await items());
    expect(await rebuiltFromScratch(tenant.id, flow)).toEqual(after);
  });

  it('two requests refreshing at once both answer the change', async () => {
    const { tenant, jira, flow } = await newTenant();
    await upsertIssue(tenant.id, jira, '1', 'In Progress', day(2));
    await upsertTransition(tenant.id, jira, '1', 0, 'To Do', 'In Progress', day(2));
    expect(await flow()).toMatchObject({ count: 0 });
    await upsertTransition(tenant.id, jira, '1', 1, 'In Progress', 'Done', day(4));
    await upsertIssue(tenant.id, jira, '1', 'Done', day(4));
    const [a, b] = await Promise.all([flow(), flow()]);
    expect(a).toMatchObject({ count: 1, cycle_time: { median_hours: 48 } });
    expect(b).toEqual(a);
  });
});

/** The tenant's kept state: built for the current configuration or not, and marks not yet folded. */
async function summaryState(tenantId: number) {
  const { rows } = await backend.pool.query<{ current: boolean; marks: number }>(
    `select coalesce((select built_version = config_version from flow_summary_state where tenant_id = $1), false) as current,
            (select count(*)::int from flow_summary_changes where tenant_id = $1) as marks`,
    [tenantId],
  );
  return rows[0]!;
}

/** The kept per-issue rows, to compare a fold with a rebuild from scratch row by row. */
async function keptRows(tenantId: number) {
  const { rows } = await backend.pool.query<{ key: string; cycle_hours: number | null }>(
    `select s.*, (select json_agg(v order by v.seq) from flow_issue_intervals v
                  where v.tenant_id = s.tenant_id and v.integration_id = s.integration_id and v.issue_external_id = s.issue_external_id) as intervals
     from flow_issue_summaries s where s.tenant_id = $1 order by s.integration_id, s.issue_external_id`,
    [tenantId],
  );
  return rows;
}

/** What a rebuild from scratch keeps: the tenant's summaries forgotten and rebuilt by a background pass. */
async function rebuiltRows(tenantId: number) {
  await backend.pool.query(`delete from flow_summary_state where tenant_id = $1`, [tenantId]);
  await refreshAllFlowSummaries(backend.pool);
  expect(await summaryState(tenantId)).toEqual({ current: true, marks: 0 });
  return keptRows(tenantId);
}

describe('flow summaries refreshed in the background', () => {
  it('a mapping change answered at once, while the rebuild cannot run, has the new mapping and equals a rebuild', async () => {
    const t = await newTenant();
    const { tenant, jira, flow, items } = t;
    await reviewedIssue(tenant.id, jira);
    await refreshAllFlowSummaries(backend.pool);
    expect(await flow()).toMatchObject({ count: 1, flow_efficiency: { value: 1 } });

    // A background rebuild of this tenant is running (its lock held here): the API's kicks queue
    // behind it, and the request must answer without waiting for it.
    const rebuilding = await backend.pool.connect();
    try {
      await rebuilding.query('begin');
      await rebuilding.query(`select pg_advisory_xact_lock(hashtext('flow_summaries_build'), $1::int)`, [
        tenant.id,
      ]);
      await mapReviewAsWaiting(t);

      // The new mapping's numbers, by the direct path.
      const after = await flow();
      expectReviewWaiting(after);
      expectReconciles(after, await items());
      expect(await summaryState(tenant.id)).toMatchObject({ current: false });
      await rebuilding.query('commit');

      // The background rebuild, once it can run: the kept summaries give the same answer.
      await refreshAllFlowSummaries(backend.pool);
      expect(await summaryState(tenant.id)).toEqual({ current: true, marks: 0 });
      expect(await flow()).toEqual(after);
      expectReconciles(after, await items());
    } finally {
      await rebuilding.query('rollback').catch(() => undefined);
      rebuilding.release();
    }
  });

  it('the worker job folds the change log with no request, and its rows equal a rebuild from scratch', async () => {
    const { tenant, jira, flow } = await newTenant();
    await refreshAllFlowSummaries(backend.pool);
    await reviewedIssue(tenant.id, jira);
    await upsertIssue(tenant.id, jira, '2', 'In Progress', day(3));
    await upsertTransition(tenant.id, jira, '2', 0, 'To Do', 'In Progress', day(3));
    expect((await summaryState(tenant.id)).marks).toBeGreaterThan(0);

    const job = startFlowSummaryJob(backend.pool, createLogger('test', { level: 'silent' }), 1);
    try {
      await expect
        .poll(async () => summaryState(tenant.id), { timeout: 20_000 })
        .toEqual({ current: true, marks: 0 });
    } finally {
      await job.stop();
    }
    const folded = await keptRows(tenant.id);
    expect(folded.map((r) => [r.key, r.cycle_hours])).toEqual([
      ['A-1', 96],
      ['A-2', null],
    ]);
    const answer = await flow();
    expect(await rebuiltRows(tenant.id)).toEqual(folded);
    expect(await flow()).toEqual(answer);
  });

  it('two workers folding at once, while the loader goes on writing, end with the rows of a rebuild', async () => {
    const { tenant, jira } = await newTenant();
    await refreshAllFlowSummaries(backend.pool);
    const workers = [0, 1].map(() =>
      hearPoolErrors(new pg.Pool({ connectionString: backend.database.url, max: 2 })),
    );
    try {
      const load = async () => {
        for (let n = 1; n <= 20; n++) {
          await upsertIssue(tenant.id, jira, String(n), 'In Progress', day(2));
          await upsertTransition(tenant.id, jira, String(n), 0, 'To Do', 'In Progress', day(2));
          await upsertTransition(tenant.id, jira, String(n), 1, 'In Progress', 'Done', day(2 + (n % 5)));
          await upsertIssue(tenant.id, jira, String(n), 'Done', day(2 + (n % 5)));
        }
      };
      const fold = async (pool: pg.Pool) => {
        for (let k = 0; k < 10; k++) await refreshAllFlowSummaries(pool);
      };
      await Promise.all([load(), fold(workers[0]!), fold(workers[1]!)]);
      // Whatever the interleaving, one more pass leaves nothing behind.
      await refreshAllFlowSummaries(workers[0]!);
      expect(await summaryState(tenant.id)).toEqual({ current: true, marks: 0 });
      const folded = await keptRows(tenant.id);
      expect(folded).toHaveLength(20);
      expect(await rebuiltRows(tenant.id)).toEqual(folded);
    } finally {
      await Promise.all(workers.map((w) => w.end()));
    }
  });

  it('a change log too long for a request is left to the background; the answer is right meanwhile', async () => {
    const { tenant, jira, flow, items } = await newTenant();
    await refreshAllFlowSummaries(backend.pool);
    // One loading statement writing more issues than a request folds: each In Progress since the 2nd.
    const many = REQUEST_FOLD_LIMIT.issues + 1;
    await backend.pool.query(
      `insert into jira_issues (tenant_id, integration_id, external_id, raw_id, key, project_key, summary, status_name, issue_type, created_at, updated_at)
       select $1, $2, n::text, 0, 'A-' || n, 'A', 's', 'In Progress', 'Story', $3, $4 from generate_series(2, $5::int + 1) n`,
      [tenant.id, jira, day(1), day(2), many],
    );
    await backend.pool.query(
      `insert into jira_issue_transitions (tenant_id, integration_id, external_id, raw_id, issue_external_id, issue_key, from_status, to_status, transitioned_at)
       select $1, $2, n || ':0', 0, n::text, 'A-' || n, 'To Do', 'In Progress', $3 from generate_series(2, $4::int + 1) n`,
      [tenant.id, jira, day(2), many],
    );
    await reviewedIssue(tenant.id, jira);
    expect(await foldOnRequest(backend.pool, tenant.id)).toBe(false);
    expect((await summaryState(tenant.id)).marks).toBeGreaterThan(0);
    const answer = await flow();
    expect(answer).toMatchObject({ count: 1, cycle_time: { median_hours: 96 } });
    expect(answer.wip.find((w) => w.day === '2026-01-04')).toEqual({ day: '2026-01-04', count: many + 1 });
    expectReconciles(answer, await items());

    await refreshAllFlowSummaries(backend.pool);
    expect(await summaryState(tenant.id)).toEqual({ current: true, marks: 0 });
    expect(await flow()).toEqual(answer);
  });
});
