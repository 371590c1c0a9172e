import { hashInts, makeRng } from '../data/prng.ts';
import { HOUR, MINUTE } from '../data/time.ts';
import type { Deliveries } from '../github/deliveries.ts';
import type { GithubStore } from '../github/model.ts';
import type { IssueRec, JiraStore } from './model.ts';
import { HISTORY_IDS_PER_ISSUE, ISSUE_ID_BASE, ISSUE_TYPES, STATUSES, statusItem } from './model.ts';

/** An incident opened after a deployment: created (ms) and resolved (ms, null while open). */
export interface PlannedIncident {
  created: number;
  resolved: number | null;
}

// model.ts imports this module, so its constants are read when called, not at load time.
/** The index of Jira's "Incident" issue type (as Jira Service Management names it) in ISSUE_TYPES. */
export function incidentType(): number {
  return ISSUE_TYPES.findIndex((t) => t.name === 'Incident');
}

/** About one issue in twenty is an incident; chosen by hash so every other field stays as seeded. */
export function isIncidentIndex(seed: number, i: number): boolean {
  return hashInts(seed, 120, i) % 20 === 0;
}

/**
 * Incidents opened 10 minutes to 4 hours after about one in four successful production deployments.
 * Most are resolved 1 to 48 hours later; about a third stay open until after the repository's next
 * successful deployment (the hotfix shipped during the incident) and close a few hours after it;
 * the newest stays open. Seeded, in time order.
 */
export function planIncidents(seed: number, github: GithubStore, deliveries: Deliveries): PlannedIncident[] {
  const picked: Array<{ at: number; next: number | null }> = [];
  for (const repo of github.repos) {
    const successes = deliveries
      .timeline(repo)
      .filter((d) => d.deployment.environment === 'production' || d.deployment.environment === 'prod')
      .flatMap((d) => {
        const at = d.statuses.find((s) => s.state === 'success')?.created;
        return at === undefined ? [] : [{ at, id: d.deployment.id }];
      })
      .sort((a, b) => a.at - b.at);
    for (const [k, s] of successes.entries()) {
      if (hashInts(seed, 130, s.id) % 4 === 0) picked.push({ at: s.at, next: successes[k + 1]?.at ?? null });
    }
  }
  picked.sort((a, b) => a.at - b.at);
  return picked.map(({ at, next }, k) => {
    const r = makeRng(seed, 131, k);
    const created = Math.floor((at + r.int(10, 240) * MINUTE) / 1000) * 1000;
    if (k === picked.length - 1) return { created, resolved: null };
    const throughHotfix = next !== null && next > created && r.chance(0.35);
    return { created, resolved: throughHotfix ? next + r.int(1, 6) * HOUR : created + r.int(1, 48) * HOUR };
  });
}

/** Incident indices found so far per seed, scanned forward on demand (generation walks indices in order). */
const incidentIndices = new Map<number, { scanned: number; found: number[] }>();

/** How many incident indices come before `index` (its position in the plan). */
function incidentOrdinal(seed: number, index: number): number {
  let entry = incidentIndices.get(seed);
  if (!entry) {
    entry = { scanned: 0, found: [] };
    incidentIndices.set(seed, entry);
  }
  for (; entry.scanned <= index; entry.scanned++)
    if (isIncidentIndex(seed, entry.scanned)) entry.found.push(entry.scanned);
  let lo = 0;
  let hi = entry.found.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entry.found[mid] ?? 0) < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function incidentTotal(seed: number, issueCount: number): number {
  return issueCount === 0
    ? 0
    : incidentOrdinal(seed, issueCount - 1) + (isIncidentIndex(seed, issueCount - 1) ? 1 : 0);
}

/**
 * The seeded record, retyped as an incident when its index is one. The k-th incident index takes
 * the k-th planned incident (opened after a deployment: To Do → In Progress 15 minutes later →
 * Done when resolved); incident indices beyond the plan keep their seeded dates and history.
 */
export function withIncidentType(
  store: Pick<JiraStore, 'seed' | 'incidentPlan' | 'seededCount'>,
  rec: IssueRec,
): IssueRec {
  if (!isIncidentIndex(store.seed, rec.index)) return rec;
  rec.issueType = incidentType();
  // The newest plans win when there are fewer incident issues than planned incidents.
  const skip = Math.max(0, store.incidentPlan.length - incidentTotal(store.seed, store.seededCount));
  const plan = store.incidentPlan[incidentOrdinal(store.seed, rec.index) + skip];
  if (!plan) return rec;
  return withIncidentTimeline(rec, plan, Infinity);
}

/**
 * An incident's life: created, To Do → In Progress 15 minutes later (or halfway to a resolution
 * that comes sooner), → Done when resolved; still In Progress while open, and still To Do if the
 * move to In Progress would come after `now`.
 */
function withIncidentTimeline(rec: IssueRec, plan: PlannedIncident, now: number): IssueRec {
  const todo = STATUSES.findIndex((s) => s.category.key === 'new');
  const doing = STATUSES.findIndex((s) => s.category.key === 'indeterminate');
  const done = STATUSES.findIndex((s) => s.category.key === 'done');
  const base = rec.index * HISTORY_IDS_PER_ISSUE + ISSUE_ID_BASE;
  const author = rec.assignee ?? rec.reporter;
  const started =
    plan.resolved === null
      ? plan.created + 15 * MINUTE
      : Math.min(plan.created + 15 * MINUTE, plan.created + Math.floor((plan.resolved - plan.created) / 2));
  rec.created = plan.created;
  rec.histories =
    started > now ? [] : [{ id: base, author, created: started, items: [statusItem(todo, doing)] }];
  if (plan.resolved !== null)
    rec.histories.push({ id: base + 1, author, created: plan.resolved, items: [statusItem(doing, done)] });
  rec.status = plan.resolved !== null ? done : started > now ? todo : doing;
  rec.resolutionDate = plan.resolved;
  rec.updated = rec.histories.at(-1)?.created ?? plan.created;
  return rec;
}

/** An incident `/_sim/advance` opens: created (ms), resolved (ms) or still open, and its labels. */
export interface OpenedIncident extends PlannedIncident {
  labels?: string[];
}

/**
 * Creates a new incident issue (issue type Incident) after the last issue, stamped `at`: its
 * created and resolved times may lie before `at`, as when an incident is filed after the fact or
 * imported, but `updated` is `at`, so an incremental sync (`updated >= …`) finds it. Returns its key.
 */
export function openIncident(store: JiraStore, incident: OpenedIncident, at: number): string {
  const rec = store.append((seeded) => {
    const rec = withIncidentTimeline({ ...seeded, issueType: incidentType(), deep: false }, incident, at);
    rec.summary = `Incident: ${seeded.summary}`;
    if (incident.labels) rec.labels = [...incident.labels];
    rec.updated = Math.max(at, rec.updated);
    return rec;
  });
  return rec.key;
}

/** Resolves the `n` oldest open incidents at `at` (a move to Done with its history); returns their keys. */
export function resolveIncidents(store: JiraStore, n: number, at: number): string[] {
  const done = STATUSES.findIndex((s) => s.category.key === 'done');
  const incident = incidentType();
  const keys: string[] = [];
  for (let i = 0; i < store.issueCount && keys.length < n; i++) {
    const rec = store.get(i);
    if (rec.issueType !== incident || rec.status === done) continue;
    keys.push(store.moveTo(i, done, at));
  }
  return keys;
}
