import { hashInts } from '../data/prng.ts';
import type { IssueRec, JiraStore } from './model.ts';
import { ISSUE_TYPES, STATUSES } from './model.ts';

// model.ts imports this module, so its constants are read when called, not at load time.
/** The index of Jira's "Incident" issue type (as Jira Service Management names it) in ISSUE_TYPES. */
export function incidentType(): number {
  return ISSUE_TYPES.findIndex((t) => t.name === 'Incident');
}

/** About one issue in twenty is an incident; chosen by hash so every other field stays as seeded. */
export function isIncidentIndex(seed: number, i: number): boolean {
  return hashInts(seed, 120, i) % 20 === 0;
}

/** The seeded record, retyped as an incident when its index is one (its dates and history unchanged). */
export function withIncidentType(seed: number, rec: IssueRec): IssueRec {
  if (isIncidentIndex(seed, rec.index)) rec.issueType = incidentType();
  return rec;
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
