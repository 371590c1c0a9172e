/**
 * The metric definitions of issue 12, computed in plain TypeScript from the simulator's own truth
 * routes — never from our tables — so a test can hold the SQL to them. Kept deliberately naive
 * (nested loops, no shared code with services/backend/src/metrics).
 */
import type { ApiClient } from './api-client.ts';

const H = 3_600_000;
const ms = (iso: string) => Date.parse(iso);

export interface TruthDeployment {
  repository: string;
  id: number;
  environment: string;
  outcome: string;
  statuses: Array<{ id: number; state: string; created_at: string }>;
}

interface TruthPull {
  pull: {
    number: number;
    created_at: string;
    merged_at: string | null;
    user: { login: string } | null;
    base: { repo: { full_name: string } };
  };
  reviews: Array<{ user: { login: string } | null; submitted_at: string | null }>;
  review_comments: Array<{ user: { login: string } | null; created_at: string }>;
  commits: Array<{ commit: { author: { date: string } | null } }>;
}

interface TruthIssue {
  id: string;
  key: string;
  fields: {
    issuetype: { name: string };
    labels: string[];
    created: string;
    resolutiondate: string | null;
    status: { name: string };
    project: { key: string };
  };
  changelog: {
    histories: Array<{
      id: string;
      created: string;
      items: Array<{ field: string; fromString: string | null; toString: string | null }>;
    }>;
  };
}

export interface World {
  deployments: TruthDeployment[];
  pulls: Array<TruthPull & { repository: string }>;
  issues: TruthIssue[];
}

/** Everything the metrics need, read from the simulator's truth routes. */
export async function readWorld(sim: ApiClient): Promise<World> {
  const deployments = await sim.ok<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
  const pullList = await sim.ok<Array<{ repository: string; number: number }>>(
    'GET',
    '/_sim/truth/github/pulls',
  );
  const pulls = await Promise.all(
    pullList.map(async (p) => ({
      ...(await sim.ok<TruthPull>('GET', `/_sim/truth/github/${p.repository}/pulls/${p.number}`)),
      repository: p.repository,
    })),
  );
  const issueList = await sim.ok<Array<{ key: string }>>('GET', '/_sim/truth/jira/issues');
  const issues = await Promise.all(
    issueList.map((i) => sim.ok<TruthIssue>('GET', `/_sim/truth/jira/issues/${i.key}`)),
  );
  return { deployments, pulls, issues };
}

/** Postgres percentile_cont: linear interpolation between the closest ranks. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Definitions {
  from: number;
  to: number;
  productionEnvironments: string[];
  incidentTypes: string[];
  incidentLabels: string[];
  /** status name (lower case) → step */
  steps: Record<
    string,
    { name: string; category: 'todo' | 'in_progress' | 'done'; kind: 'active' | 'waiting' | null }
  >;
}

interface Deploy {
  id: string;
  repository: string;
  outcome: 'succeeded' | 'failed' | 'pending';
  successAt: number | null;
  failAt: number | null;
  decidedAt: number | null;
}

function deploysOf(world: World, d: Definitions): Deploy[] {
  return world.deployments
    .filter((x) => d.productionEnvironments.includes(x.environment.toLowerCase()))
    .map((x) => {
      const times = (states: string[]) =>
        x.statuses.filter((s) => states.includes(s.state)).map((s) => ms(s.created_at));
      const success = times(['success']);
      const fail = times(['failure', 'error']);
      const successAt = success.length ? Math.min(...success) : null;
      const failAt = fail.length ? Math.min(...fail) : null;
      const outcome = successAt !== null ? 'succeeded' : failAt !== null ? 'failed' : 'pending';
      return {
        id: String(x.id),
        repository: x.repository,
        outcome,
        successAt,
        failAt,
        decidedAt: successAt ?? failAt,
      };
    });
}

/** Succeeded deployments of a repository ordered as "next" means: by deployed-at, then id as text. */
function succeededIn(deploys: Deploy[], repository: string): Deploy[] {
  return deploys
    .filter((x) => x.outcome === 'succeeded' && x.repository === repository)
    .sort((a, b) => a.successAt! - b.successAt! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface Incident {
  key: string;
  start: number;
  end: number | null;
}

function incidentsOf(world: World, d: Definitions): Incident[] {
  return world.issues
    .filter(
      (i) =>
        d.incidentTypes.includes(i.fields.issuetype.name.toLowerCase()) ||
        i.fields.labels.some((l) => d.incidentLabels.includes(l)),
    )
    .map((i) => ({
      key: i.key,
      start: ms(i.fields.created),
      end: i.fields.resolutiondate ? ms(i.fields.resolutiondate) : null,
    }))
    .sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
}

const inRange = (t: number | null, d: Definitions) => t !== null && t >= d.from && t < d.to;

function deploymentOfPr(deploys: Deploy[], repository: string, mergedAt: number): Deploy | null {
  return succeededIn(deploys, repository).find((x) => x.successAt! >= mergedAt) ?? null;
}

export function dora(world: World, d: Definitions) {
  const deploys = deploysOf(world, d);
  const incidents = incidentsOf(world, d);
  const days = (d.to - d.from) / (24 * H);

  const frequencyItems = deploys.filter((x) => x.outcome === 'succeeded' && inRange(x.successAt, d));

  const leadItems: Array<{ pr: string; deployment_id: string; hours: number }> = [];
  for (const p of world.pulls) {
    if (!p.pull.merged_at) continue;
    const dep = deploymentOfPr(deploys, p.repository, ms(p.pull.merged_at));
    if (!dep || !inRange(dep.successAt, d)) continue;
    const authored = p.commits
      .map((c) => c.commit.author?.date)
      .filter((x): x is string => !!x)
      .map(ms);
    const start = authored.length ? Math.min(...authored) : ms(p.pull.created_at);
    leadItems.push({
      pr: `${p.repository}#${p.pull.number}`,
      deployment_id: dep.id,
      hours: (dep.successAt! - start) / H,
    });
  }

  const failItems: Array<{
    deployment_id: string;
    failed: boolean;
    failure: string | null;
    incident_key: string | null;
    hours: number | null;
  }> = [];
  for (const x of deploys) {
    if (x.outcome === 'pending' || !inRange(x.decidedAt, d)) continue;
    if (x.outcome === 'failed') {
      const next = succeededIn(deploys, x.repository).find((s) => s.successAt! > x.failAt!);
      failItems.push({
        deployment_id: x.id,
        failed: true,
        failure: 'deployment_failed',
        incident_key: null,
        hours: next ? (next.successAt! - x.failAt!) / H : null,
      });
      continue;
    }
    const list = succeededIn(deploys, x.repository);
    const next = list[list.findIndex((s) => s.id === x.id) + 1];
    const incident = incidents.find(
      (i) => i.start >= x.successAt! && (next === undefined || i.start < next.successAt!),
    );
    failItems.push({
      deployment_id: x.id,
      failed: incident !== undefined,
      failure: incident ? 'incident' : null,
      incident_key: incident?.key ?? null,
      hours: incident && incident.end !== null ? (incident.end - incident.start) / H : null,
    });
  }

  const reworkItems = frequencyItems.map((x) => {
    const open = incidents.find((i) => i.start <= x.successAt! && (i.end === null || x.successAt! < i.end));
    return { deployment_id: x.id, rework: open !== undefined, incident_key: open?.key ?? null };
  });

  const recovered = failItems.filter((f) => f.failed && f.hours !== null).map((f) => f.hours!);
  const failed = failItems.filter((f) => f.failed).length;
  return {
    deployment_frequency: {
      count: frequencyItems.length,
      value: frequencyItems.length ? frequencyItems.length / days : null,
      items: frequencyItems.map((x) => x.id),
      per_week: perWeek(frequencyItems.map((x) => x.successAt!)),
    },
    change_lead_time: {
      count: leadItems.length,
      value: percentile(
        leadItems.map((i) => i.hours),
        0.5,
      ),
      items: leadItems,
    },
    change_fail_rate: {
      count: failItems.length,
      failed,
      value: failItems.length ? failed / failItems.length : null,
      items: failItems,
    },
    failed_deployment_recovery_time: {
      count: recovered.length,
      value: percentile(recovered, 0.5),
      items: failItems.filter((f) => f.failed),
    },
    deployment_rework_rate: {
      count: reworkItems.length,
      value: reworkItems.length ? reworkItems.filter((r) => r.rework).length / reworkItems.length : null,
      items: reworkItems,
    },
  };
}

export function prCycle(world: World, d: Definitions) {
  const deploys = deploysOf(world, d);
  const items = world.pulls
    .filter((p) => p.pull.merged_at && inRange(ms(p.pull.merged_at), d))
    .map((p) => {
      const created = ms(p.pull.created_at);
      const merged = ms(p.pull.merged_at!);
      const author = p.pull.user?.login ?? null;
      const authored = p.commits
        .map((c) => c.commit.author?.date)
        .filter((x): x is string => !!x)
        .map(ms);
      const reviewTimes = [
        ...p.reviews
          .filter((r) => r.submitted_at && (r.user?.login ?? null) !== author)
          .map((r) => ms(r.submitted_at!)),
        ...p.review_comments.filter((c) => (c.user?.login ?? null) !== author).map((c) => ms(c.created_at)),
      ];
      const firstReview = reviewTimes.length ? Math.min(...reviewTimes) : null;
      const dep = deploymentOfPr(deploys, p.repository, merged);
      return {
        pr: `${p.repository}#${p.pull.number}`,
        coding: authored.length ? Math.max(0, (created - Math.min(...authored)) / H) : null,
        pickup: firstReview !== null ? (firstReview - created) / H : null,
        review: firstReview !== null ? (merged - firstReview) / H : null,
        deploy: dep ? (dep.successAt! - merged) / H : null,
        deployment_id: dep?.id ?? null,
      };
    });
  const phase = (key: 'coding' | 'pickup' | 'review' | 'deploy') => {
    const values = items.map((i) => i[key]).filter((v): v is number => v !== null);
    return {
      median_hours: percentile(values, 0.5),
      p75_hours: percentile(values, 0.75),
      count: values.length,
    };
  };
  return {
    count: items.length,
    coding: phase('coding'),
    pickup: phase('pickup'),
    review: phase('review'),
    deploy: phase('deploy'),
    items,
  };
}

/** ISO week label and Monday (UTC) of a time. */
export function isoWeek(t: number): { week: string; week_start: string } {
  const date = new Date(t);
  const dayNr = (date.getUTCDay() + 6) % 7;
  const monday = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - dayNr);
  const thursday = new Date(monday + 3 * 24 * H);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / (7 * 24 * H)) + 1;
  return {
    week: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`,
    week_start: new Date(monday).toISOString().slice(0, 10),
  };
}

export function perWeek(times: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of times) {
    const { week } = isoWeek(t);
    out[week] = (out[week] ?? 0) + 1;
  }
  return out;
}

export function flow(world: World, d: Definitions) {
  const stepOf = (status: string | null) => (status === null ? undefined : d.steps[status.toLowerCase()]);
  const completed: Array<{ key: string; cycle: number; lead: number; active: number; doneAt: number }> = [];
  const timeInStep: Record<string, { hours: number; issues: Set<string> }> = {};
  const wipIntervals: Array<{ start: number; end: number | null }> = [];
  for (const issue of world.issues) {
    const created = ms(issue.fields.created);
    if (created >= d.to) continue;
    const transitions = issue.changelog.histories
      .flatMap((h) => h.items.map((it, k) => ({ ...it, at: ms(h.created), id: `${h.id}:${k}` })))
      .filter((it) => it.field === 'status' && it.toString !== null)
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    const intervals: Array<{ status: string | null; start: number; end: number | null }> = [
      {
        status: transitions[0]?.fromString ?? issue.fields.status.name,
        start: created,
        end: transitions[0]?.at ?? null,
      },
      ...transitions.map((t, k) => ({
        status: t.toString,
        start: t.at,
        end: transitions[k + 1]?.at ?? null,
      })),
    ];
    for (const iv of intervals) if (stepOf(iv.status)?.category === 'in_progress') wipIntervals.push(iv);
    const ipStarts = intervals
      .filter((iv) => stepOf(iv.status)?.category === 'in_progress')
      .map((iv) => iv.start);
    if (ipStarts.length === 0) continue;
    const ip = Math.min(...ipStarts);
    const doneStarts = intervals
      .filter((iv) => stepOf(iv.status)?.category === 'done' && iv.start > ip)
      .map((iv) => iv.start);
    if (doneStarts.length === 0) continue;
    const done = Math.min(...doneStarts);
    if (!inRange(done, d)) continue;
    let active = 0;
    for (const iv of intervals) {
      const step = stepOf(iv.status);
      const end = Math.min(iv.end ?? done, done);
      if (iv.start < done && step) {
        const entry = (timeInStep[step.name] ??= { hours: 0, issues: new Set() });
        entry.hours += (end - iv.start) / H;
        entry.issues.add(issue.key);
      }
      if (
        step?.category === 'in_progress' &&
        step.kind === 'active' &&
        iv.start < done &&
        (iv.end ?? Infinity) > ip
      ) {
        active += (end - Math.max(iv.start, ip)) / H;
      }
    }
    completed.push({
      key: issue.key,
      cycle: (done - ip) / H,
      lead: (done - created) / H,
      active,
      doneAt: done,
    });
  }
  const wip: Array<{ day: string; count: number }> = [];
  for (let dayStart = Math.floor(d.from / (24 * H)) * 24 * H; dayStart < d.to; dayStart += 24 * H) {
    const eod = dayStart + 24 * H;
    wip.push({
      day: new Date(dayStart).toISOString().slice(0, 10),
      count: wipIntervals.filter((iv) => iv.start <= eod && (iv.end === null || iv.end > eod)).length,
    });
  }
  const cycleSum = completed.reduce((s, c) => s + c.cycle, 0);
  return {
    count: completed.length,
    cycle_median: percentile(
      completed.map((c) => c.cycle),
      0.5,
    ),
    cycle_p75: percentile(
      completed.map((c) => c.cycle),
      0.75,
    ),
    lead_median: percentile(
      completed.map((c) => c.lead),
      0.5,
    ),
    flow_efficiency: cycleSum > 0 ? completed.reduce((s, c) => s + c.active, 0) / cycleSum : null,
    time_in_step: Object.fromEntries(
      Object.entries(timeInStep).map(([k, v]) => [k, { hours: v.hours, issues: v.issues.size }]),
    ),
    wip,
    throughput: perWeek(completed.map((c) => c.doneAt)),
    items: completed,
  };
}
