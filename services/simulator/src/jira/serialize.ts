import { jiraTime } from '../data/time.ts';
import { ISSUE_TYPES, PRIORITIES, STATUSES } from './model.ts';
import type { HistoryRec, IssueRec, JiraStore, JiraUserRec, ProjectRec } from './model.ts';

export interface JiraUser {
  self: string;
  accountId: string;
  emailAddress?: string;
  displayName: string;
  active: boolean;
  timeZone: string;
  accountType: 'atlassian';
  avatarUrls: Record<string, string>;
}

export interface JiraHistoryItem {
  field: string;
  fieldtype: 'jira';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

export interface JiraHistory {
  id: string;
  author: JiraUser;
  created: string;
  items: JiraHistoryItem[];
}

export interface JiraChangelog {
  startAt: number;
  maxResults: number;
  total: number;
  histories: JiraHistory[];
}

export interface JiraIssue {
  expand: string;
  id: string;
  self: string;
  key: string;
  fields: Record<string, unknown>;
  changelog?: JiraChangelog;
}

export const ALL_FIELDS = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'assignee',
  'reporter',
  'creator',
  'labels',
  'created',
  'updated',
  'resolutiondate',
  'resolution',
  'project',
  'customfield_10016',
  'description',
] as const;
export type FieldName = (typeof ALL_FIELDS)[number];

/**
 * Turns Jira's `fields` parameter into a set. The enhanced search returns only `id` when nothing
 * is asked for; `*all` / `*navigable` ask for everything; `-name` removes one.
 */
export function selectFields(raw: string[] | undefined): Set<FieldName> {
  const out = new Set<FieldName>();
  const names = (raw ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (n === '*all' || n === '*navigable') for (const f of ALL_FIELDS) out.add(f);
    else if ((ALL_FIELDS as readonly string[]).includes(n)) out.add(n as FieldName);
  }
  for (const n of names) if (n.startsWith('-')) out.delete(n.slice(1) as FieldName);
  return out;
}

export function userJson(base: string, u: JiraUserRec): JiraUser {
  const avatar = `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${u.accountId}/48`;
  return {
    self: `${base}/rest/api/3/user?accountId=${u.accountId}`,
    accountId: u.accountId,
    emailAddress: u.emailAddress,
    displayName: u.displayName,
    active: u.active,
    timeZone: u.timeZone,
    accountType: 'atlassian',
    avatarUrls: { '48x48': avatar, '24x24': avatar, '16x16': avatar, '32x32': avatar },
  };
}

export function statusJson(base: string, index: number): Record<string, unknown> {
  const s = STATUSES[index] ?? STATUSES[0];
  if (!s) return {};
  return {
    self: `${base}/rest/api/3/status/${s.id}`,
    description: s.description,
    iconUrl: `${base}/images/icons/statuses/generic.png`,
    name: s.name,
    id: s.id,
    statusCategory: {
      self: `${base}/rest/api/3/statuscategory/${s.category.id}`,
      id: s.category.id,
      key: s.category.key,
      colorName: s.category.colorName,
      name: s.category.name,
    },
  };
}

export function projectRef(base: string, p: ProjectRec): Record<string, unknown> {
  return {
    self: `${base}/rest/api/3/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    projectTypeKey: 'software',
    simplified: p.simplified,
  };
}

function adf(text: string): Record<string, unknown> {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export function historyJson(base: string, store: JiraStore, h: HistoryRec, fieldIds?: Set<string>): JiraHistory {
  const items = fieldIds ? h.items.filter((it) => fieldIds.has(it.fieldId)) : h.items;
  return {
    id: String(h.id),
    author: userJson(base, store.users[h.author] ?? (store.users[0] as JiraUserRec)),
    created: jiraTime(h.created),
    items: items.map((it) => ({
      field: it.field,
      fieldtype: 'jira',
      fieldId: it.fieldId,
      from: it.from,
      fromString: it.fromString,
      to: it.to,
      toString: it.toString,
    })),
  };
}

function fieldValue(base: string, store: JiraStore, rec: IssueRec, f: FieldName): unknown {
  const user = (u: number | null): JiraUser | null => {
    const rec = u === null ? undefined : store.users[u];
    return rec ? userJson(base, rec) : null;
  };
  switch (f) {
    case 'summary':
      return rec.summary;
    case 'status':
      return statusJson(base, rec.status);
    case 'issuetype': {
      const t = ISSUE_TYPES[rec.issueType] ?? ISSUE_TYPES[0];
      return {
        self: `${base}/rest/api/3/issuetype/${t.id}`,
        id: t.id,
        description: t.description,
        name: t.name,
        subtask: t.subtask,
        hierarchyLevel: t.hierarchyLevel,
      };
    }
    case 'priority': {
      const pr = rec.priority === null ? undefined : PRIORITIES[rec.priority];
      return pr ? { self: `${base}/rest/api/3/priority/${pr.id}`, id: pr.id, name: pr.name } : null;
    }
    case 'assignee':
      return user(rec.assignee);
    case 'reporter':
    case 'creator':
      return user(rec.reporter);
    case 'labels':
      return rec.labels;
    case 'created':
      return jiraTime(rec.created);
    case 'updated':
      return jiraTime(rec.updated);
    case 'resolutiondate':
      return rec.resolutionDate === null ? null : jiraTime(rec.resolutionDate);
    case 'resolution':
      return rec.resolutionDate === null
        ? null
        : { self: `${base}/rest/api/3/resolution/10000`, id: '10000', description: 'Work has been completed on this issue.', name: 'Done' };
    case 'project': {
      const p = store.projects[rec.project];
      return p ? projectRef(base, p) : null;
    }
    case 'customfield_10016':
      return rec.storyPoints;
    case 'description':
      return rec.description === null ? null : adf(rec.description);
  }
}

export const INLINE_CHANGELOG_LIMIT = 100;

/**
 * `changelog: 'inline'` mirrors expand=changelog: the most recent 100 histories, newest first, with
 * the full count in `total`. `'full'` (truth endpoints only) returns every history, oldest first.
 */
export function issueJson(
  base: string,
  store: JiraStore,
  rec: IssueRec,
  fields: Set<FieldName>,
  changelog: 'none' | 'inline' | 'full',
): JiraIssue {
  const out: JiraIssue = {
    expand: 'operations,versionedRepresentations,editmeta,changelog,renderedFields',
    id: String(rec.id),
    self: `${base}/rest/api/3/issue/${rec.id}`,
    key: rec.key,
    fields: {},
  };
  for (const f of ALL_FIELDS) if (fields.has(f)) out.fields[f] = fieldValue(base, store, rec, f);
  if (changelog === 'inline') {
    const recent = rec.histories.slice(-INLINE_CHANGELOG_LIMIT).reverse();
    out.changelog = {
      startAt: 0,
      maxResults: recent.length,
      total: rec.histories.length,
      histories: recent.map((h) => historyJson(base, store, h)),
    };
  } else if (changelog === 'full') {
    out.changelog = {
      startAt: 0,
      maxResults: rec.histories.length,
      total: rec.histories.length,
      histories: rec.histories.map((h) => historyJson(base, store, h)),
    };
  }
  return out;
}

export function jiraError(...messages: string[]): { errorMessages: string[]; errors: Record<string, string> } {
  return { errorMessages: messages, errors: {} };
}
