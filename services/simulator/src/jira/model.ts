import { hashInts, hexFrom, makeRng, weighted } from '../data/prng.ts';
import type { Rng } from '../data/prng.ts';
import { DAY, HOUR, MINUTE, epochForSeed } from '../data/time.ts';
import { FIRST_NAMES, LABELS, LAST_NAMES, NOUNS, PROJECT_WORDS, VERBS } from '../data/names.ts';
import { customFieldsFor, type CustomFieldIds } from './custom-fields.ts';
import { issueExtras, type IssueExtras } from './extras.ts';
import { withIncidentType, type PlannedIncident } from './incidents.ts';

export interface StatusCategory {
  id: number;
  key: 'new' | 'indeterminate' | 'done';
  name: string;
  colorName: string;
}
export interface StatusDef {
  id: string;
  name: string;
  description: string;
  category: StatusCategory;
}

const CAT_NEW: StatusCategory = { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' };
const CAT_PROGRESS: StatusCategory = {
  id: 4,
  key: 'indeterminate',
  name: 'In Progress',
  colorName: 'yellow',
};
const CAT_DONE: StatusCategory = { id: 3, key: 'done', name: 'Done', colorName: 'green' };

export const STATUSES: readonly StatusDef[] = [
  { id: '10000', name: 'To Do', description: 'Work that has not been started.', category: CAT_NEW },
  {
    id: '3',
    name: 'In Progress',
    description: 'This issue is being actively worked on.',
    category: CAT_PROGRESS,
  },
  { id: '10001', name: 'In Review', description: 'Waiting for code review.', category: CAT_PROGRESS },
  { id: '10002', name: 'Done', description: 'Work has been completed.', category: CAT_DONE },
];
const TO_DO = 0;
const IN_PROGRESS = 1;
const IN_REVIEW = 2;
const DONE = 3;

export const ISSUE_TYPES = [
  {
    id: '10001',
    name: 'Story',
    description: 'Functionality or a feature expressed as a user goal.',
    subtask: false,
    hierarchyLevel: 0,
  },
  { id: '10002', name: 'Bug', description: 'A problem or error.', subtask: false, hierarchyLevel: 0 },
  {
    id: '10003',
    name: 'Task',
    description: 'A small, distinct piece of work.',
    subtask: false,
    hierarchyLevel: 0,
  },
  {
    id: '10004',
    name: 'Epic',
    description: 'A collection of related bugs, stories, and tasks.',
    subtask: false,
    hierarchyLevel: 1,
  },
  {
    id: '10005',
    name: 'Subtask',
    description: 'A small piece of work that is part of a larger task.',
    subtask: true,
    hierarchyLevel: -1,
  },
  // Not drawn by ISSUE_TYPE_WEIGHTS: jira/incidents.ts retypes a hashed share of issues.
  {
    id: '10006',
    name: 'Incident',
    description: 'A problem in production that needs a response.',
    subtask: false,
    hierarchyLevel: 0,
  },
] as const;
const ISSUE_TYPE_WEIGHTS = [0.4, 0.25, 0.25, 0.04, 0.06];

export const PRIORITIES = [
  { id: '1', name: 'Highest' },
  { id: '2', name: 'High' },
  { id: '3', name: 'Medium' },
  { id: '4', name: 'Low' },
  { id: '5', name: 'Lowest' },
] as const;

export interface JiraUserRec {
  accountId: string;
  displayName: string;
  emailAddress: string;
  timeZone: string;
  active: boolean;
}

export interface ProjectRec {
  index: number;
  id: string;
  key: string;
  name: string;
  lead: number;
  simplified: boolean;
}

export interface HistoryItemRec {
  field: string;
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface HistoryRec {
  id: number;
  author: number;
  created: number;
  items: HistoryItemRec[];
}

export interface IssueRec {
  index: number;
  id: number;
  key: string;
  project: number;
  summary: string;
  issueType: number;
  priority: number | null;
  assignee: number | null;
  reporter: number;
  labels: string[];
  created: number;
  updated: number;
  status: number;
  resolutionDate: number | null;
  storyPoints: number | null;
  description: string | null;
  /** Oldest first. */
  histories: HistoryRec[];
  extras: IssueExtras;
  /** Its description nests 300 levels deep (`deepIssues`). */
  deep: boolean;
}

const USER_COUNT = 30;
const TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
];
export const ISSUE_ID_BASE = 10000;
export const HISTORY_IDS_PER_ISSUE = 10000;

/** One step through the workflow; back-moves happen so long histories keep cycling. */
function nextStatus(r: Rng, s: number): number {
  const x = r.next();
  switch (s) {
    case TO_DO:
      return x < 0.9 ? IN_PROGRESS : DONE;
    case IN_PROGRESS:
      return x < 0.75 ? IN_REVIEW : x < 0.85 ? TO_DO : DONE;
    case IN_REVIEW:
      return x < 0.7 ? DONE : IN_PROGRESS;
    default:
      return x < 0.7 ? IN_PROGRESS : TO_DO;
  }
}

/** A changelog item: `field` moved from one value (id and display name, absent for none) to another. */
function historyItem(
  field: string,
  from: { id: string; name: string } | undefined,
  to: { id: string; name: string } | undefined,
): HistoryItemRec {
  return {
    field,
    fieldId: field,
    from: from?.id ?? null,
    fromString: from?.name ?? null,
    to: to?.id ?? null,
    toString: to?.name ?? null,
  };
}

/** The changelog item of a move between two status indices. */
export function statusItem(from: number, to: number): HistoryItemRec {
  return historyItem('status', STATUSES[from], STATUSES[to]);
}

export class JiraStore {
  readonly seed: number;
  readonly epoch: number;
  /** Issues generated from the seed; those `/_sim/advance` opens come after them. */
  readonly seededCount: number;
  /** Every issue: the seeded ones and those opened since (`append`). */
  issueCount: number;
  readonly users: JiraUserRec[];
  readonly projects: ProjectRec[];
  readonly projectByKey: Map<string, number>;
  /** Compact per-issue summaries so searches never need to build full records. */
  created: Float64Array;
  updated: Float64Array;
  transitionsPerIssue: Int32Array;
  historiesPerIssue: Int32Array;
  totalTransitions = 0;
  totalHistories = 0;
  /** Bumped on every mutation so cached sort orders are rebuilt. */
  version = 0;
  private readonly overlay = new Map<number, IssueRec>();
  private advanceRound = 0;

  readonly customFields: CustomFieldIds;
  readonly deepIssues: number;
  /** Incidents timed after deployments (jira/incidents.ts), given to the hashed incident issues in order. */
  readonly incidentPlan: readonly PlannedIncident[];

  constructor(
    seed: number,
    projectCount: number,
    issueCount: number,
    options: { deepIssues?: number; incidentPlan?: readonly PlannedIncident[] } = {},
  ) {
    this.seed = seed;
    this.customFields = customFieldsFor(seed);
    this.deepIssues = Math.min(options.deepIssues ?? 0, issueCount);
    this.incidentPlan = options.incidentPlan ?? [];
    this.epoch = epochForSeed(seed);
    this.seededCount = issueCount;
    this.issueCount = issueCount;
    this.users = this.makeUsers();
    this.projects = this.makeProjects(projectCount);
    this.projectByKey = new Map(this.projects.map((p) => [p.key, p.index]));
    this.created = new Float64Array(issueCount);
    this.updated = new Float64Array(issueCount);
    this.transitionsPerIssue = new Int32Array(issueCount);
    this.historiesPerIssue = new Int32Array(issueCount);
    for (let i = 0; i < issueCount; i++) this.summarize(i, this.generate(i));
  }

  /** Writes a new issue's compact summary and adds its changelog to the totals. */
  private summarize(i: number, rec: IssueRec): void {
    this.created[i] = rec.created;
    this.updated[i] = rec.updated;
    const t = countTransitions(rec);
    this.transitionsPerIssue[i] = t;
    this.totalTransitions += t;
    this.historiesPerIssue[i] = rec.histories.length;
    this.totalHistories += rec.histories.length;
  }

  private makeUsers(): JiraUserRec[] {
    const users: JiraUserRec[] = [];
    for (let u = 0; u < USER_COUNT; u++) {
      const r = makeRng(this.seed, 11, u);
      const first = r.pick(FIRST_NAMES);
      const last = r.pick(LAST_NAMES);
      const h = hexFrom(32, this.seed, 12, u);
      users.push({
        accountId: `712020:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
        displayName: `${first} ${last}`,
        emailAddress: `${first}.${last}${u}@example.com`.toLowerCase(),
        timeZone: r.pick(TIME_ZONES),
        active: r.chance(0.93),
      });
    }
    return users;
  }

  private makeProjects(count: number): ProjectRec[] {
    const offset = hashInts(this.seed, 13) % PROJECT_WORDS.length;
    const projects: ProjectRec[] = [];
    for (let p = 0; p < count; p++) {
      const word = PROJECT_WORDS[(p + offset) % PROJECT_WORDS.length] ?? PROJECT_WORDS[0];
      const round = Math.floor(p / PROJECT_WORDS.length);
      const r = makeRng(this.seed, 14, p);
      projects.push({
        index: p,
        id: String(10000 + p),
        key: round === 0 ? word[0] : `${word[0]}${round + 1}`,
        name: round === 0 ? word[1] : `${word[1]} ${round + 1}`,
        lead: r.int(0, USER_COUNT - 1),
        simplified: r.chance(0.3),
      });
    }
    return projects;
  }

  /** The seeded record for issue `i` (no overlay) with the incidents of jira/incidents.ts applied. */
  generate(i: number): IssueRec {
    return withIncidentType(this, this.seeded(i));
  }

  /** Rebuilds the seeded record for issue `i` (no overlay). Deterministic in (seed, i). */
  private seeded(i: number): IssueRec {
    const r = makeRng(this.seed, 101, i);
    const projectCount = this.projects.length;
    const project = i % projectCount;
    const number = Math.floor(i / projectCount) + 1;
    const key = `${this.projects[project]?.key ?? 'X'}-${number}`;
    // Creation time grows with the index so key numbers rise with time, as in a real project.
    const start = this.epoch - 730 * DAY;
    const created = Math.floor(start + (i / Math.max(1, this.seededCount)) * 725 * DAY + r.next() * 6 * HOUR);
    const span = this.epoch - created;

    const long = r.chance(0.02);
    let count: number;
    if (long) count = r.int(101, 250);
    else {
      const bucket = weighted(r, [0.1, 0.35, 0.35, 0.2]);
      count = bucket === 0 ? 0 : bucket === 1 ? r.int(1, 3) : bucket === 2 ? r.int(4, 8) : r.int(9, 20);
    }
    const active = long
      ? span * (0.5 + r.next() * 0.5)
      : Math.min(span * 0.95, (2 + r.next() * 30) * DAY * (1 + count / 6));
    const times: number[] = [];
    for (let k = 0; k < count; k++) times.push(created + MINUTE + Math.floor(r.next() * active));
    times.sort((a, b) => a - b);
    for (let k = 1; k < times.length; k++) {
      const prev = times[k - 1] ?? created;
      if ((times[k] ?? 0) <= prev) times[k] = prev + 1000;
    }

    const reporter = r.int(0, USER_COUNT - 1);
    let assignee: number | null = r.chance(0.8) ? r.int(0, USER_COUNT - 1) : null;
    let priority: number | null = r.chance(0.95) ? weighted(r, [0.05, 0.2, 0.5, 0.2, 0.05]) : null;
    let status = TO_DO;
    let resolutionDate: number | null = null;
    const histories: HistoryRec[] = [];
    for (let k = 0; k < count; k++) {
      const at = times[k] ?? created;
      const statusP = !long && status === DONE ? 0.2 : 0.75;
      const items: HistoryItemRec[] = [];
      const author = r.chance(0.6) && assignee !== null ? assignee : r.int(0, USER_COUNT - 1);
      if (r.chance(statusP)) {
        const to = nextStatus(r, status);
        items.push(statusItem(status, to));
        status = to;
        resolutionDate = to === DONE ? at : null;
        if (r.chance(0.1)) {
          const next = r.int(0, USER_COUNT - 1);
          items.push(this.assigneeItem(assignee, next));
          assignee = next;
        }
      } else if (r.chance(0.6)) {
        const next = r.chance(0.1) ? null : r.int(0, USER_COUNT - 1);
        items.push(this.assigneeItem(assignee, next));
        assignee = next;
      } else {
        const next = r.int(0, PRIORITIES.length - 1);
        items.push(priorityItem(priority, next));
        priority = next;
      }
      histories.push({ id: i * HISTORY_IDS_PER_ISSUE + ISSUE_ID_BASE + k, author, created: at, items });
    }
    const lastChange = histories.at(-1)?.created ?? created;
    // Comments and edits that leave no changelog still move `updated`, as in Jira.
    const updated = r.chance(0.3)
      ? Math.min(this.epoch, lastChange + Math.floor(r.next() * 2 * DAY))
      : lastChange;

    const labels = new Set<string>();
    const labelCount = weighted(r, [0.4, 0.35, 0.2, 0.05]);
    for (let l = 0; l < labelCount; l++) labels.add(r.pick(LABELS));

    const summary = `${r.pick(VERBS)} ${r.pick(NOUNS)}`;
    const extras = issueExtras(
      this.seed,
      i,
      projectCount,
      this.projects[project]?.key ?? 'X',
      created,
      this.epoch,
    );
    // Spread over the index range, so the deep ones land on different search pages.
    const deepStep = this.deepIssues > 0 ? Math.max(1, Math.floor(this.seededCount / this.deepIssues)) : 0;
    const deep =
      deepStep > 0 && i % deepStep === Math.floor(deepStep / 2) && Math.floor(i / deepStep) < this.deepIssues;
    return {
      index: i,
      id: ISSUE_ID_BASE + i,
      key,
      project,
      summary: summary + extras.summarySuffix,
      issueType: weighted(r, ISSUE_TYPE_WEIGHTS),
      priority,
      assignee,
      reporter,
      labels: [...labels],
      created,
      updated,
      status,
      resolutionDate,
      storyPoints: r.chance(0.7) ? r.pick([1, 2, 3, 5, 8, 13]) : null,
      description: r.chance(0.7)
        ? `As a user I want to ${r.pick(NOUNS)} so that ${r.pick(NOUNS)} works.${extras.descriptionControl ? '\u0000\u0008' : ''}`
        : null,
      histories,
      extras,
      deep,
    };
  }

  private assigneeItem(from: number | null, to: number | null): HistoryItemRec {
    const user = (u: number | null) => {
      const rec = u === null ? undefined : this.users[u];
      return rec && { id: rec.accountId, name: rec.displayName };
    };
    return historyItem('assignee', user(from), user(to));
  }

  get(i: number): IssueRec {
    return this.overlay.get(i) ?? this.generate(i);
  }

  /** Accepts a key (`CORE-12`) or a numeric id (`10011`). */
  resolve(idOrKey: string): number | undefined {
    if (/^\d+$/.test(idOrKey)) {
      const i = Number(idOrKey) - ISSUE_ID_BASE;
      return i >= 0 && i < this.issueCount ? i : undefined;
    }
    const m = /^([A-Z][A-Z0-9_]*)-(\d+)$/.exec(idOrKey.toUpperCase());
    if (!m) return undefined;
    const p = this.projectByKey.get(m[1] ?? '');
    if (p === undefined) return undefined;
    const i = (Number(m[2]) - 1) * this.projects.length + p;
    return i >= 0 && i < this.issueCount ? i : undefined;
  }

  projectOf(i: number): number {
    return i % this.projects.length;
  }

  issueNumber(i: number): number {
    return Math.floor(i / this.projects.length) + 1;
  }

  /**
   * Edits `n` distinct issues (stamped `at`) so their description nests 300 levels deep, as a
   * pasted document can: what a run must refuse alone without stalling. Returns their keys.
   */
  deepen(n: number, at: number): string[] {
    const r = makeRng(this.seed, 903, this.advanceRound++);
    const keys: string[] = [];
    for (const i of pickDistinct(r, this.issueCount, n)) {
      const rec = this.get(i);
      rec.deep = true;
      rec.updated = Math.max(at, rec.updated + 1);
      this.overlay.set(i, rec);
      this.updated[i] = rec.updated;
      keys.push(rec.key);
    }
    this.version++;
    return keys;
  }

  /**
   * Moves `n` distinct issues one workflow step (a new status history) stamped `at`, which must be
   * the simulator clock so incremental syncs (`updated >= ...`) find them.
   */
  advance(n: number, at: number): string[] {
    const round = this.advanceRound++;
    const r = makeRng(this.seed, 900, round);
    const picks = pickDistinct(r, this.issueCount, n);
    const keys: string[] = [];
    for (const i of picks) {
      const rec = this.get(i);
      const to = nextStatus(r, rec.status);
      this.transition(i, rec, to, rec.assignee ?? r.int(0, USER_COUNT - 1), at);
      keys.push(rec.key);
    }
    this.version++;
    return keys;
  }

  /**
   * Adds an issue after the last one (the next index, so its key is the next number of that
   * index's project), as Jira does when one is created: `build` turns the seeded fields for that
   * index into the record. Returns it.
   */
  append(build: (seeded: IssueRec) => IssueRec): IssueRec {
    const i = this.issueCount;
    const rec = build(this.seeded(i));
    const grown = (old: Float64Array) => {
      const next = new Float64Array(i + 1);
      next.set(old.subarray(0, i));
      return next;
    };
    const grownInt = (old: Int32Array) => {
      const next = new Int32Array(i + 1);
      next.set(old.subarray(0, i));
      return next;
    };
    this.created = grown(this.created);
    this.updated = grown(this.updated);
    this.transitionsPerIssue = grownInt(this.transitionsPerIssue);
    this.historiesPerIssue = grownInt(this.historiesPerIssue);
    this.summarize(i, rec);
    this.overlay.set(i, rec);
    this.issueCount = i + 1;
    this.version++;
    return rec;
  }

  /** Moves issue `i` to status index `to` at `at` (one status history), as a person would; returns its key. */
  moveTo(i: number, to: number, at: number): string {
    const rec = this.get(i);
    this.transition(i, rec, to, rec.assignee ?? rec.reporter, at);
    this.version++;
    return rec.key;
  }

  /**
   * Appends a status history moving issue `i` (its record `rec`) to status index `to`, stamped `at`
   * or just after its last update, so `updated` only grows; keeps the record and its summary.
   */
  private transition(i: number, rec: IssueRec, to: number, author: number, at: number): void {
    const t = Math.max(at, rec.updated + 1);
    const lastId = rec.histories.at(-1)?.id ?? i * HISTORY_IDS_PER_ISSUE + ISSUE_ID_BASE - 1;
    rec.histories.push({ id: lastId + 1, author, created: t, items: [statusItem(rec.status, to)] });
    rec.status = to;
    rec.resolutionDate = to === DONE ? t : null;
    rec.updated = t;
    this.overlay.set(i, rec);
    this.updated[i] = t;
    this.transitionsPerIssue[i] = (this.transitionsPerIssue[i] ?? 0) + 1;
    this.totalTransitions++;
    this.historiesPerIssue[i] = rec.histories.length;
    this.totalHistories++;
  }
}

function priorityItem(from: number | null, to: number): HistoryItemRec {
  return historyItem('priority', from === null ? undefined : PRIORITIES[from], PRIORITIES[to]);
}

export function countTransitions(rec: IssueRec): number {
  let n = 0;
  for (const h of rec.histories) for (const it of h.items) if (it.field === 'status') n++;
  return n;
}

/** `n` distinct integers from [0, total), in pick order. */
export function pickDistinct(r: Rng, total: number, n: number): number[] {
  const want = Math.min(n, total);
  if (want * 2 > total) {
    const all = Array.from({ length: total }, (_, k) => k);
    for (let k = 0; k < want; k++) {
      const j = k + Math.floor(r.next() * (total - k));
      const tmp = all[k] ?? 0;
      all[k] = all[j] ?? 0;
      all[j] = tmp;
    }
    return all.slice(0, want);
  }
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < want) {
    const k = Math.floor(r.next() * total);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}
