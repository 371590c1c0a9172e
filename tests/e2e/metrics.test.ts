import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../../scripts/stack.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startE2eStack, type E2eStack } from '../support/e2e-stack.ts';
import { registerIntegration, runToEnd } from '../support/runs.ts';
import { simulatorGithub, simulatorJira } from '../support/simulator-integrations.ts';
import {
  dora,
  flow,
  isoWeek,
  percentile,
  prCycle,
  readWorld,
  type Definitions,
} from '../support/metrics-truth.ts';

let e2e: E2eStack | undefined;
let stack: Stack;
let api: ApiClient;
let sim: ApiClient;
let jiraId: number;
let githubId: number;
let repositories: string[];

interface Metric {
  value: number | null;
  unit: string;
  count: number;
  band: string | null;
  band_thresholds: { source: string };
  items_url: string;
}
type Week = { week: string; count: number; value: number | null };
type Dora = Record<
  'change_lead_time' | 'change_fail_rate' | 'failed_deployment_recovery_time' | 'deployment_rework_rate',
  Metric & { per_week: Week[] }
> & {
  deployment_frequency: Metric & { total: number; per_week: Array<{ week: string; count: number }> };
};

/**
 * A weekly trend reconciles with the items: every week of the range once, in order, and each
 * week's count and value are those of the items whose time falls in it.
 */
function expectWeeks<T>(
  weeks: Week[],
  items: T[],
  d: Definitions,
  at: (item: T) => string,
  value: (items: T[]) => number | null,
) {
  const first = isoWeek(d.from).week;
  expect(weeks[0]?.week).toBe(first);
  expect(new Set(weeks.map((w) => w.week)).size).toBe(weeks.length);
  const byWeek = new Map<string, T[]>();
  for (const item of items) {
    const week = isoWeek(Date.parse(at(item))).week;
    byWeek.set(week, [...(byWeek.get(week) ?? []), item]);
  }
  expect([...byWeek.keys()].every((w) => weeks.some((x) => x.week === w))).toBe(true);
  for (const w of weeks) {
    const inWeek = byWeek.get(w.week) ?? [];
    const v = inWeek.length === 0 ? null : value(inWeek);
    expect(w.count, w.week).toBe(v === null ? 0 : inWeek.length);
    close(w.value, v);
  }
}

/** Every item of an items_url, following next_url. */
async function allItems<T>(url: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = `${url}&limit=7`;
  while (next) {
    const page: { items: T[]; total: number; next_url: string | null } = await api.ok('GET', next);
    out.push(...page.items);
    next = page.next_url;
  }
  return out;
}

let defs: Definitions;
const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(a).toBeCloseTo(b, 6);
};

beforeAll(async () => {
  e2e = await startE2eStack({
    tenant: 'metrics',
    backend: { SCHEDULER_TICK_SECONDS: '1' },
    simulator: {
      SIM_SEED: '12',
      SIM_JIRA_PROJECTS: '2',
      SIM_JIRA_ISSUES: '200',
      SIM_GITHUB_REPOS: '2',
      SIM_GITHUB_PRS: '80',
    },
  });
  ({ stack, api, sim } = e2e);
  const summary = await sim.ok<{ jira: { projects: string[] }; github: { repositories: string[] } }>(
    'GET',
    '/_sim/truth/summary',
  );
  repositories = summary.github.repositories;
  jiraId = await registerIntegration(api, simulatorJira(stack.urls.simulator, summary));
  githubId = await registerIntegration(api, simulatorGithub(stack.urls.simulator, summary));
  expect(await runToEnd(api, jiraId, {}, 180_000)).toMatchObject({ status: 'FINISHED', error: null });
  expect(await runToEnd(api, githubId, {}, 180_000)).toMatchObject({ status: 'FINISHED', error: null });

  // A flow with a waiting step, mapped explicitly (In Review is waiting, not work).
  const step = (body: object) => api.ok<{ id: number }>('POST', '/api/v1/flow/steps', body);
  const todo = await step({ name: 'To Do', category: 'todo' });
  const doing = await step({ name: 'In Progress', category: 'in_progress', kind: 'active' });
  const review = await step({ name: 'In Review', category: 'in_progress', kind: 'waiting' });
  const done = await step({ name: 'Done', category: 'done' });
  for (const [status, id] of [
    ['to do', todo.id],
    ['IN PROGRESS', doing.id],
    ['In Review', review.id],
    ['Done', done.id],
  ] as const) {
    await api.ok('POST', '/api/v1/flow/mappings', {
      integration_id: jiraId,
      source_status: status,
      flow_step_id: id,
    });
  }
  const config = await sim.ok<{ epoch: string }>('GET', '/_sim/config');
  defs = {
    from: Date.parse(config.epoch) - 760 * 86_400_000,
    to: Date.now() + 2 * 86_400_000,
    productionEnvironments: ['production', 'prod'],
    incidentTypes: ['incident'],
    incidentLabels: [],
    steps: {
      'to do': { name: 'To Do', category: 'todo', kind: null },
      'in progress': { name: 'In Progress', category: 'in_progress', kind: 'active' },
      'in review': { name: 'In Review', category: 'in_progress', kind: 'waiting' },
      done: { name: 'Done', category: 'done', kind: null },
    },
  };
}, 600_000);

afterAll(async () => {
  await e2e?.stop();
});

const rangeOf = (d: Definitions) =>
  `from=${new Date(d.from).toISOString()}&to=${new Date(d.to).toISOString()}`;

async function expectDoraMatchesTruth(d: Definitions) {
  const world = await readWorld(sim);
  const truth = dora(world, d);
  const answer = await api.ok<Dora>('GET', `/api/v1/metrics/dora?${rangeOf(d)}`);
  expect(Object.keys(answer).sort()).toEqual([
    'change_fail_rate',
    'change_lead_time',
    'deployment_frequency',
    'deployment_rework_rate',
    'failed_deployment_recovery_time',
  ]);
  for (const key of Object.keys(truth) as Array<keyof typeof truth>) {
    expect(answer[key].count, key).toBe(truth[key].count);
    close(answer[key].value, truth[key].value);
    expect(answer[key].band_thresholds.source).toContain('2024');
  }
  if (d.to - d.from > 365 * 86_400_000) {
    // The seeded world has both kinds of failed change, and deployments shipped during an incident.
    expect(truth.change_fail_rate.items.some((i) => i.failure === 'deployment_failed')).toBe(true);
    expect(truth.change_fail_rate.items.some((i) => i.failure === 'incident')).toBe(true);
  }
  expect(truth.deployment_rework_rate.items.some((i) => i.rework)).toBe(true);

  // Items reconcile: they are the records the truth names, and their median / share is the value.
  const freq = await allItems<{ deployment_id: string }>(answer.deployment_frequency.items_url);
  expect(freq.map((i) => i.deployment_id).sort()).toEqual([...truth.deployment_frequency.items].sort());
  const perWeek: Record<string, number> = {};
  for (const w of answer.deployment_frequency.per_week) if (w.count > 0) perWeek[w.week] = w.count;
  expect(perWeek).toEqual(truth.deployment_frequency.per_week);
  expect(answer.deployment_frequency.per_week[0]?.week).toBe(isoWeek(d.from).week);

  const lead = await allItems<{
    repository: string;
    number: number;
    deployment_id: string;
    deployed_at: string;
    hours: number;
  }>(answer.change_lead_time.items_url);
  expect(Object.fromEntries(lead.map((i) => [`${i.repository}#${i.number}`, i.deployment_id]))).toEqual(
    Object.fromEntries(truth.change_lead_time.items.map((i) => [i.pr, i.deployment_id])),
  );
  for (const i of lead)
    close(i.hours, truth.change_lead_time.items.find((t) => t.pr === `${i.repository}#${i.number}`)!.hours);
  expectWeeks(
    answer.change_lead_time.per_week,
    lead,
    d,
    (i) => i.deployed_at,
    (xs) =>
      percentile(
        xs.map((i) => i.hours),
        0.5,
      ),
  );

  const fails = await allItems<{
    deployment_id: string;
    decided_at: string;
    failed: boolean;
    failure: string | null;
    incident_key: string | null;
  }>(answer.change_fail_rate.items_url);
  expect(fails.map((f) => [f.deployment_id, f.failed, f.failure, f.incident_key]).sort()).toEqual(
    truth.change_fail_rate.items.map((f) => [f.deployment_id, f.failed, f.failure, f.incident_key]).sort(),
  );
  expect(fails.filter((f) => f.failed).length / fails.length).toBeCloseTo(answer.change_fail_rate.value!, 9);
  expectWeeks(
    answer.change_fail_rate.per_week,
    fails,
    d,
    (f) => f.decided_at,
    (xs) => xs.filter((f) => f.failed).length / xs.length,
  );

  const recovery = await allItems<{ deployment_id: string; decided_at: string; hours: number | null }>(
    answer.failed_deployment_recovery_time.items_url,
  );
  expect(recovery.map((r) => r.deployment_id).sort()).toEqual(
    truth.failed_deployment_recovery_time.items.map((r) => r.deployment_id).sort(),
  );
  for (const r of recovery)
    close(
      r.hours,
      truth.failed_deployment_recovery_time.items.find((t) => t.deployment_id === r.deployment_id)!.hours,
    );
  const recovered = recovery.filter((r) => r.hours !== null);
  expectWeeks(
    answer.failed_deployment_recovery_time.per_week,
    recovered,
    d,
    (r) => r.decided_at,
    (xs) =>
      percentile(
        xs.map((r) => r.hours!),
        0.5,
      ),
  );

  const rework = await allItems<{
    deployment_id: string;
    deployed_at: string;
    rework: boolean;
    incident_key: string | null;
  }>(answer.deployment_rework_rate.items_url);
  expect(rework.map((r) => [r.deployment_id, r.rework]).sort()).toEqual(
    truth.deployment_rework_rate.items.map((r) => [r.deployment_id, r.rework]).sort(),
  );
  expectWeeks(
    answer.deployment_rework_rate.per_week,
    rework,
    d,
    (r) => r.deployed_at,
    (xs) => xs.filter((r) => r.rework).length / xs.length,
  );
  return { answer, truth };
}

describe('metrics against the simulator truth (seed 12)', () => {
  it('DORA: every metric and its items equal the values computed from the simulator model', async () => {
    await expectDoraMatchesTruth(defs);
  });

  it('DORA over a 120-day window: the range bounds apply as defined', async () => {
    const to = defs.from + 400 * 86_400_000;
    await expectDoraMatchesTruth({ ...defs, from: to - 120 * 86_400_000, to });
  });

  it('PR cycle time: every phase and the items equal the truth', async () => {
    const truth = prCycle(await readWorld(sim), defs);
    const answer = await api.ok<
      Record<
        'coding' | 'pickup' | 'review' | 'deploy',
        { median_hours: number | null; p75_hours: number | null; count: number }
      > & { count: number; items_url: string }
    >('GET', `/api/v1/metrics/pull-requests?${rangeOf(defs)}`);
    expect(answer.count).toBe(truth.count);
    for (const phase of ['coding', 'pickup', 'review', 'deploy'] as const) {
      expect(answer[phase].count, phase).toBe(truth[phase].count);
      close(answer[phase].median_hours, truth[phase].median_hours);
      close(answer[phase].p75_hours, truth[phase].p75_hours);
    }
    const items = await allItems<{
      repository: string;
      number: number;
      coding_hours: number | null;
      pickup_hours: number | null;
      review_hours: number | null;
      deploy_hours: number | null;
      deployment_id: string | null;
    }>(answer.items_url);
    expect(items).toHaveLength(truth.items.length);
    for (const item of items) {
      const t = truth.items.find((x) => x.pr === `${item.repository}#${item.number}`)!;
      close(item.coding_hours, t.coding);
      close(item.pickup_hours, t.pickup);
      close(item.review_hours, t.review);
      close(item.deploy_hours, t.deploy);
      expect(item.deployment_id).toBe(t.deployment_id);
    }
  });

  it('flow: cycle and lead time, efficiency, time in step, WIP and throughput equal the truth', async () => {
    const truth = flow(await readWorld(sim), defs);
    const answer = await api.ok<{
      count: number;
      cycle_time: { median_hours: number | null; p75_hours: number | null };
      lead_time: { median_hours: number | null };
      flow_efficiency: { value: number | null };
      time_in_step: Array<{ step: string; total_hours: number; issues: number }>;
      wip: Array<{ day: string; count: number }>;
      throughput: Array<{ week: string; count: number }>;
      items_url: string;
    }>('GET', `/api/v1/metrics/flow?${rangeOf(defs)}`);
    expect(answer.count).toBe(truth.count);
    expect(truth.count).toBeGreaterThan(10);
    close(answer.cycle_time.median_hours, truth.cycle_median);
    close(answer.cycle_time.p75_hours, truth.cycle_p75);
    close(answer.lead_time.median_hours, truth.lead_median);
    close(answer.flow_efficiency.value, truth.flow_efficiency);
    expect(answer.flow_efficiency.value!).toBeLessThan(1);
    expect(Object.keys(truth.time_in_step).sort()).toEqual(answer.time_in_step.map((s) => s.step).sort());
    for (const s of answer.time_in_step) {
      close(s.total_hours, truth.time_in_step[s.step]!.hours);
      expect(s.issues).toBe(truth.time_in_step[s.step]!.issues);
    }
    expect(answer.wip).toEqual(truth.wip);
    expect(
      Object.fromEntries(answer.throughput.filter((w) => w.count > 0).map((w) => [w.week, w.count])),
    ).toEqual(truth.throughput);
    const items = await allItems<{ key: string; cycle_hours: number; active_hours: number }>(
      answer.items_url,
    );
    expect(items.map((i) => i.key).sort()).toEqual(truth.items.map((i) => i.key).sort());
    for (const i of items) {
      const t = truth.items.find((x) => x.key === i.key)!;
      close(i.cycle_hours, t.cycle);
      close(i.active_hours, t.active);
    }
  });

  it('a new failed deployment and a resolved incident (/_sim/advance) move the numbers as defined', async () => {
    const before = await api.ok<Dora>('GET', `/api/v1/metrics/dora?${rangeOf(defs)}`);
    const recoveringBefore = await allItems<{ incident_key: string | null; hours: number | null }>(
      before.failed_deployment_recovery_time.items_url,
    );
    const advanced = await sim.ok<{ deployments: Array<{ id: number }>; incidents_resolved: string[] }>(
      'POST',
      '/_sim/advance',
      {
        deployments: [{ repository: repositories[0], outcome: 'failure' }],
        incidents_resolved: 1,
      },
    );
    expect(advanced.incidents_resolved).toHaveLength(1);
    expect(await runToEnd(api, githubId, { streams: ['deployments'] }, 180_000)).toMatchObject({
      status: 'FINISHED',
    });
    expect(await runToEnd(api, jiraId, { streams: ['issues'] }, 180_000)).toMatchObject({
      status: 'FINISHED',
    });
    const { answer } = await expectDoraMatchesTruth(defs);
    // One more failed change in the denominator and the numerator.
    expect(answer.change_fail_rate.count).toBe(before.change_fail_rate.count + 1);
    const fails = await allItems<{ deployment_id: string; failed: boolean; failure: string }>(
      answer.change_fail_rate.items_url,
    );
    expect(fails.find((f) => f.deployment_id === String(advanced.deployments[0]!.id))).toMatchObject({
      failed: true,
      failure: 'deployment_failed',
    });
    // The incident that was still open had no recovery time; now it has one, and the median counts it.
    const resolved = advanced.incidents_resolved[0]!;
    expect(recoveringBefore.find((r) => r.incident_key === resolved)).toMatchObject({ hours: null });
    const recovering = await allItems<{ incident_key: string | null; hours: number | null }>(
      answer.failed_deployment_recovery_time.items_url,
    );
    expect(recovering.find((r) => r.incident_key === resolved)?.hours).toBeGreaterThan(0);
    // The new failure has no later success yet, so it is not recovered: only the deployments the
    // incident is linked to (one per repository whose window it started in) add to the count.
    const linked = recovering.filter((r) => r.incident_key === resolved).length;
    expect(linked).toBeGreaterThan(0);
    expect(answer.failed_deployment_recovery_time.count).toBe(
      before.failed_deployment_recovery_time.count + linked,
    );
  });

  it('an incident opened after a deployment (/_sim/advance) makes it a failed change and the next deployment rework', async () => {
    const before = await api.ok<Dora>('GET', `/api/v1/metrics/dora?${rangeOf(defs)}`);
    const world = await readWorld(sim);
    const truthBefore = dora(world, defs);
    // Succeeded production deployments of the first repository, in deployed-at order.
    const successes = world.deployments
      .filter((x) => x.repository === repositories[0] && defs.productionEnvironments.includes(x.environment))
      .flatMap((x) => {
        const at = x.statuses.find((st) => st.state === 'success')?.created_at;
        return at === undefined ? [] : [{ id: String(x.id), at: Date.parse(at) }];
      })
      .sort((a, b) => a.at - b.at);
    const failedBefore = new Map(truthBefore.change_fail_rate.items.map((i) => [i.deployment_id, i.failed]));
    const reworkBefore = new Map(
      truthBefore.deployment_rework_rate.items.map((i) => [i.deployment_id, i.rework]),
    );
    // A deployment no incident followed yet, whose successor shipped while no incident was open.
    const k = successes.findIndex(
      (x, n) =>
        failedBefore.get(x.id) === false &&
        successes[n + 1] !== undefined &&
        reworkBefore.get(successes[n + 1]!.id) === false &&
        successes[n + 1]!.at - x.at > 120_000,
    );
    expect(k).toBeGreaterThanOrEqual(0);
    const deployment = successes[k]!;
    const next = successes[k + 1]!;
    // Reported a minute after the deployment, resolved an hour after the next one (the fix) shipped.
    const advanced = await sim.ok<{ incidents_opened: string[] }>('POST', '/_sim/advance', {
      incidents_opened: [
        {
          created_at: new Date(deployment.at + 60_000).toISOString(),
          resolved_at: new Date(next.at + 3_600_000).toISOString(),
        },
      ],
    });
    expect(advanced.incidents_opened).toHaveLength(1);
    const key = advanced.incidents_opened[0]!;
    expect(await runToEnd(api, jiraId, { streams: ['issues'] }, 180_000)).toMatchObject({
      status: 'FINISHED',
    });
    const { answer, truth } = await expectDoraMatchesTruth(defs);

    // Change fail rate: the same deployments, one more of them failed — by this incident.
    expect(answer.change_fail_rate.count).toBe(before.change_fail_rate.count);
    expect(truth.change_fail_rate.failed).toBeGreaterThan(truthBefore.change_fail_rate.failed);
    expect(answer.change_fail_rate.value!).toBeGreaterThan(before.change_fail_rate.value!);
    const fails = await allItems<{
      deployment_id: string;
      failed: boolean;
      failure: string;
      incident_key: string;
    }>(answer.change_fail_rate.items_url);
    expect(fails.find((f) => f.deployment_id === deployment.id)).toMatchObject({
      failed: true,
      failure: 'incident',
      incident_key: key,
    });
    // Its recovery time is the incident's duration.
    const recovery = await allItems<{ deployment_id: string; hours: number | null }>(
      answer.failed_deployment_recovery_time.items_url,
    );
    close(
      recovery.find((r) => r.deployment_id === deployment.id)?.hours ?? null,
      (next.at + 3_600_000 - deployment.at - 60_000) / 3_600_000,
    );

    // Rework rate: the next deployment shipped while the incident was open.
    expect(answer.deployment_rework_rate.count).toBe(before.deployment_rework_rate.count);
    expect(answer.deployment_rework_rate.value!).toBeGreaterThan(before.deployment_rework_rate.value!);
    const rework = await allItems<{ deployment_id: string; rework: boolean; incident_key: string | null }>(
      answer.deployment_rework_rate.items_url,
    );
    expect(rework.find((r) => r.deployment_id === next.id)).toMatchObject({ rework: true });
    expect(rework.find((r) => r.deployment_id === deployment.id)).toMatchObject({
      rework: reworkBefore.get(deployment.id),
    });
  });
});
