import { JIRA_ISSUE_TRANSFORMED_FIELDS, timestampMs } from '@tributary/contracts';
import type { SourceClient, SourceResponse } from '../../http/source-client.ts';
import { metadataFor } from '../../http/source-client.ts';
import { externalIdOf, isRecord, laterOf, sinceMs } from '../shared.ts';
import type { Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { discoverSite } from './site.ts';

/**
 * The fields the search asks for (the enhanced search returns only ids unless asked): every one a
 * transformer reads, and a few kept raw because they are what the source sent.
 */
export const ISSUE_FIELDS = [
  ...JIRA_ISSUE_TRANSFORMED_FIELDS,
  'creator',
  'resolution',
  // ADF; kept because it is what the source sent (and where pasted oddities live).
  'description',
] as const;

/** Jira caps pages at 100 once fields or the changelog are requested. */
const SEARCH_PAGE_SIZE = 100;
/** Histories per bulkfetch page (Jira's default; its max is 10 000). */
const BULKFETCH_PAGE_SIZE = 1000;

export interface JiraScopeConfig {
  projects?: readonly string[];
  jql?: string;
  /** A field id (`customfield_10042`) that overrides story-points discovery by name. */
  story_points_field?: string;
}

/**
 * `yyyy-MM-dd HH:mm` as a wall-clock time in `timeZone` (JQL has no seconds and no offsets:
 * Jira reads it in the user's zone), rounded down to the minute.
 */
export function jqlDate(ms: number, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/**
 * The search's JQL: the configured scope, the incremental bound written in the Jira user's time
 * zone (Jira reads JQL dates there; a UTC bound skips every edit in the first hours after the
 * cursor for a user west of UTC), oldest change first.
 */
export function buildIssuesJql(config: JiraScopeConfig, since: number | null, timeZone = 'UTC'): string {
  let scope: string;
  if (config.projects && config.projects.length > 0) {
    scope = `project in (${config.projects.map((k) => JSON.stringify(k)).join(', ')})`;
  } else if (config.jql && config.jql.trim() !== '') {
    // A trailing ORDER BY cannot sit inside parentheses, and ours replaces it anyway.
    scope = `(${config.jql.trim().replace(/\s+order\s+by\s+[^()"']*$/i, '')})`;
  } else {
    throw new Error('jira integration config needs projects or jql');
  }
  const bound = since === null ? '' : ` AND updated >= "${jqlDate(since, timeZone)}"`;
  return `${scope}${bound} ORDER BY updated ASC`;
}

const updatedOf = (issue: Record<string, unknown>): number | null =>
  timestampMs(isRecord(issue.fields) ? issue.fields.updated : null);

interface SearchBody {
  issues: Record<string, unknown>[];
  nextPageToken: string | null;
}

function readSearch(res: SourceResponse): SearchBody {
  const body = res.body;
  if (!isRecord(body) || !Array.isArray(body.issues)) {
    throw new Error(`jira search answered without an issues array (${res.url})`);
  }
  const token = body.nextPageToken;
  return {
    issues: body.issues.filter(isRecord),
    nextPageToken: typeof token === 'string' && token !== '' ? token : null,
  };
}

function inlineChangelog(issue: Record<string, unknown>): { histories: unknown[]; total: number } {
  const log = issue.changelog;
  if (!isRecord(log)) return { histories: [], total: 0 };
  const histories = Array.isArray(log.histories) ? log.histories : [];
  const total = typeof log.total === 'number' ? log.total : histories.length;
  return { histories, total };
}

/** Full histories of `issueIds` via bulkfetch, following its pages; keyed by issue id. */
async function bulkFetchHistories(
  client: SourceClient,
  issueIds: string[],
  signal: AbortSignal,
): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  let nextPageToken: string | null = null;
  do {
    const res: SourceResponse = await client.post(
      '/rest/api/3/changelog/bulkfetch',
      {
        issueIdsOrKeys: issueIds,
        maxResults: BULKFETCH_PAGE_SIZE,
        ...(nextPageToken ? { nextPageToken } : {}),
      },
      { signal },
    );
    const body = res.body;
    if (!isRecord(body) || !Array.isArray(body.issueChangeLogs)) {
      throw new Error(`jira changelog bulkfetch answered without issueChangeLogs (${res.url})`);
    }
    for (const log of body.issueChangeLogs) {
      if (!isRecord(log) || !Array.isArray(log.changeHistories)) continue;
      const id = String(log.issueId);
      // One issue's histories may be split across pages.
      const list = out.get(id) ?? [];
      list.push(...(log.changeHistories as unknown[]));
      out.set(id, list);
    }
    const token = body.nextPageToken;
    nextPageToken = typeof token === 'string' && token !== '' ? token : null;
  } while (nextPageToken !== null);
  return out;
}

function historyId(history: unknown): string | null {
  return isRecord(history) && (typeof history.id === 'string' || typeof history.id === 'number')
    ? String(history.id)
    : null;
}

/** Bulkfetch's complete list, plus any inline history it lacks (an issue changed between the two calls). */
function mergeHistories(full: unknown[], inline: unknown[]): unknown[] {
  const seen = new Set(full.map(historyId));
  return [...full, ...inline.filter((h) => !seen.has(historyId(h)))];
}

export interface IssuesStreamOptions {
  client: SourceClient;
  config: JiraScopeConfig;
  overlapMs: number;
}

/**
 * Issues updated since the cursor (less the overlap), oldest change first. Each search page
 * yields a `jira_issues` page and then a `jira_changelogs` page; the cursor (the latest
 * `fields.updated` so far) rides on the changelogs page so it is saved only once both are stored.
 */
export function issuesStream({ client, config, overlapMs }: IssuesStreamOptions): StreamReader {
  return async function* issues(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    // Once per run: the user's zone may change, and so may the site's fields.
    const site = await discoverSite(client, config, ctx.signal);
    // A full run's position is its own checkpoint (a resumed full run goes on from there), else null.
    const saved = ctx.position('')?.cursor ?? null;
    // The search is oldest change first, so everything this same full run listed before `saved` is
    // stored: it resumes at that instant without the overlap (which is for late index updates
    // between runs) and leaves out what it already had, re-reading only the page in flight and the
    // issues updated at that very instant (a page boundary may split them).
    const resumeAt = ctx.mode === 'full' ? timestampMs(saved) : null;
    const jql = buildIssuesJql(config, resumeAt ?? sinceMs(saved, overlapMs), site.timeZone);
    const fields = [...new Set([...ISSUE_FIELDS, ...site.extraFields])];
    let cursor = saved;
    let nextPageToken: string | null = null;
    do {
      const res: SourceResponse = await client.post(
        '/rest/api/3/search/jql',
        {
          jql,
          fields,
          expand: 'changelog',
          maxResults: SEARCH_PAGE_SIZE,
          ...(nextPageToken ? { nextPageToken } : {}),
        },
        { signal: ctx.signal },
      );
      const page = readSearch(res);
      nextPageToken = page.nextPageToken;
      if (resumeAt !== null)
        page.issues = page.issues.filter((issue) => (updatedOf(issue) ?? resumeAt) >= resumeAt);
      if (page.issues.length === 0) continue;

      const truncated = page.issues
        .filter((issue) => {
          const log = inlineChangelog(issue);
          return log.total > log.histories.length;
        })
        .map((issue) => externalIdOf(issue, 'id', 'jira issue'));
      const full =
        truncated.length > 0
          ? await bulkFetchHistories(client, truncated, ctx.signal)
          : new Map<string, unknown[]>();

      const metadata = { ...metadataFor(res), ...site.metadata };
      const issueRecords: SourceRecord[] = [];
      const changelogRecords: SourceRecord[] = [];
      for (const issue of page.issues) {
        const id = externalIdOf(issue, 'id', 'jira issue');
        const updatedAt = updatedOf(issue);
        const key = typeof issue.key === 'string' ? issue.key : null;
        const { changelog: _changelog, ...rawIssue } = issue;
        issueRecords.push({ externalId: id, rawData: rawIssue, metadata: { ...metadata, issue_key: key } });
        const inline = inlineChangelog(issue).histories;
        const bulk = full.get(id);
        changelogRecords.push({
          externalId: id,
          rawData: { issueId: id, issueKey: key, histories: bulk ? mergeHistories(bulk, inline) : inline },
          metadata: { ...metadata, issue_key: key, changelog_source: bulk ? 'bulkfetch' : 'inline' },
        });
        if (updatedAt !== null) cursor = laterOf(cursor, new Date(updatedAt).toISOString());
      }
      yield { entityType: 'jira_issues', records: issueRecords };
      yield { entityType: 'jira_changelogs', records: changelogRecords, checkpoint: { scope: '', cursor } };
    } while (nextPageToken !== null);
  };
}
