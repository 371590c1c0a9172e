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
  /** ISO with a `+0000` offset; bulkfetch sends epoch ms (a number) on some histories. */
  created: string | number;
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

/** System fields the simulator serves; custom fields come from the store (ids differ per seed). */
export const SYSTEM_FIELDS = [
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
  'parent',
  'components',
  'fixVersions',
  'description',
] as const;

/** Every field id the store's issues have: system fields, then its custom fields. */
export function allFields(store: JiraStore): string[] {
  const c = store.customFields;
  return [...SYSTEM_FIELDS, c.storyPoints.id, c.sprint, c.businessValue];
}

/**
 * Turns Jira's `fields` parameter into a set of field ids. The enhanced search returns only `id`
 * when nothing is asked for; `*all` / `*navigable` ask for everything; `-name` removes one.
 */
export function selectFields(raw: string[] | undefined, store: JiraStore): Set<string> {
  const known = allFields(store);
  const out = new Set<string>();
  const names = (raw ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (n === '*all' || n === '*navigable') for (const f of known) out.add(f);
    else if (known.includes(n)) out.add(n);
  }
  for (const n of names) if (n.startsWith('-')) out.delete(n.slice(1));
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

/** A description pasted with absurdly nested lists: 300 JSON levels (ADF bulletList → listItem → …). */
function deepAdf(text: string): Record<string, unknown> {
  let node: Record<string, unknown> = { type: 'paragraph', content: [{ type: 'text', text }] };
  // Each list level is two objects and two arrays deep.
  for (let level = 0; level < 75; level++)
    node = { type: 'bulletList', content: [{ type: 'listItem', content: [node] }] };
  return { type: 'doc', version: 1, content: [node] };
}

const sprintJson = (s: IssueRec['extras']['sprints'][number]) => ({
  id: s.id,
  name: s.name,
  state: s.state,
  boardId: 1,
  goal: '',
  startDate: new Date(s.startDate).toISOString(),
  endDate: new Date(s.endDate).toISOString(),
  ...(s.state === 'closed' ? { completeDate: new Date(s.endDate).toISOString() } : {}),
});

export function historyJson(
  base: string,
  store: JiraStore,
  h: HistoryRec,
  fieldIds?: Set<string>,
): JiraHistory {
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

function fieldValue(base: string, store: JiraStore, rec: IssueRec, f: string): unknown {
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
        : {
            self: `${base}/rest/api/3/resolution/10000`,
            id: '10000',
            description: 'Work has been completed on this issue.',
            name: 'Done',
          };
    case 'project': {
      const p = store.projects[rec.project];
      return p ? projectRef(base, p) : null;
    }
    case 'parent': {
      if (rec.extras.parent === null) return undefined;
      const p = store.get(rec.extras.parent);
      return {
        id: String(p.id),
        key: p.key,
        self: `${base}/rest/api/3/issue/${p.id}`,
        fields: {
          summary: p.summary,
          status: statusJson(base, p.status),
          issuetype: fieldValue(base, store, p, 'issuetype'),
        },
      };
    }
    case 'components':
      return rec.extras.components.map((name) => ({
        self: `${base}/rest/api/3/component/${10000 + name.length}`,
        id: String(10000 + name.length),
        name,
      }));
    case 'fixVersions':
      return rec.extras.fixVersions.map((name) => ({
        self: `${base}/rest/api/3/version/${10000 + Number(name.replace('.', ''))}`,
        id: String(10000 + Number(name.replace('.', ''))),
        name,
        archived: false,
        released: name < '2',
      }));
    case 'description':
      if (rec.deep) return deepAdf(rec.description ?? 'nested');
      return rec.description === null ? null : adf(rec.description);
  }
  const c = store.customFields;
  if (f === c.storyPoints.id) return rec.storyPoints;
  if (f === c.sprint) return rec.extras.sprints.length === 0 ? null : rec.extras.sprints.map(sprintJson);
  if (f === c.businessValue) return rec.extras.businessValue;
  return undefined;
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
  fields: Set<string>,
  changelog: 'none' | 'inline' | 'full',
): JiraIssue {
  const out: JiraIssue = {
    expand: 'operations,versionedRepresentations,editmeta,changelog,renderedFields',
    id: String(rec.id),
    self: `${base}/rest/api/3/issue/${rec.id}`,
    key: rec.key,
    fields: {},
  };
  for (const f of allFields(store)) {
    if (!fields.has(f)) continue;
    const value = fieldValue(base, store, rec, f);
    // Jira leaves out a parent the issue does not have; other empty fields are null.
    if (value !== undefined) out.fields[f] = value;
    else if (f !== 'parent') out.fields[f] = null;
  }
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

export function jiraError(...messages: string[]): {
  errorMessages: string[];
  errors: Record<string, string>;
} {
  return { errorMessages: messages, errors: {} };
}
