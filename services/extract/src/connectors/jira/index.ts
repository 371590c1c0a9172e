import type { EntityType } from '@tributary/contracts';
import type { SourceClient, SourceResponse } from '../../http/source-client.ts';
import { metadataFor } from '../../http/source-client.ts';
import { DEFAULT_OVERLAP_MS, externalIdOf, isRecord, pagesOf } from '../shared.ts';
import type { Connector, Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { issuesStream } from './issues.ts';
import { ScopeCheckError } from '../../errors/scope-check.ts';
import type { JiraScopeConfig } from './issues.ts';

export { buildIssuesJql, ISSUE_FIELDS, jqlDate } from './issues.ts';

export interface JiraIntegration {
  id: number | string;
  baseUrl: string;
  credentials: { email: string; api_token: string };
  config: JiraScopeConfig;
}

export interface JiraConnectorOptions {
  integration: JiraIntegration;
  /** Built by the caller with Basic auth (`buildSourceClient`). */
  client: SourceClient;
  /** How far before the saved cursor an incremental issues run starts. Default 5 min. */
  overlapMs?: number;
}

/** Jira allows up to 50 `keys` per project search. */
const PROJECT_KEYS_PER_REQUEST = 50;
const PROJECT_PAGE_SIZE = 50;

function recordsOf(res: SourceResponse, items: unknown[], what: string): SourceRecord[] {
  const metadata = metadataFor(res);
  return items
    .filter(isRecord)
    .map((raw) => ({ externalId: externalIdOf(raw, 'id', what), rawData: raw, metadata }));
}

function projectsStream(client: SourceClient, config: JiraScopeConfig): StreamReader {
  return async function* projects(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    const wanted =
      config.projects && config.projects.length > 0 ? config.projects.map((k) => k.toUpperCase()) : null;
    const keyGroups: (readonly string[] | null)[] = [];
    if (wanted === null) keyGroups.push(null);
    else
      for (let i = 0; i < wanted.length; i += PROJECT_KEYS_PER_REQUEST)
        keyGroups.push(wanted.slice(i, i + PROJECT_KEYS_PER_REQUEST));
    const seen = new Set<string>();
    for (const keys of keyGroups) {
      let startAt = 0;
      for (;;) {
        const res = await client.get('/rest/api/3/project/search', {
          query: { startAt, maxResults: PROJECT_PAGE_SIZE, ...(keys ? { keys } : {}) },
          signal: ctx.signal,
        });
        const body = res.body;
        if (!isRecord(body) || !Array.isArray(body.values)) {
          throw new Error(`jira project search answered without values (${res.url})`);
        }
        // Filtered here too: an older Jira ignores `keys` and lists every project.
        const values = body.values.filter(
          (p) =>
            isRecord(p) &&
            (wanted === null || (typeof p.key === 'string' && wanted.includes(p.key.toUpperCase()))),
        );
        const records = recordsOf(res, values, 'jira project').filter((r) => !seen.has(r.externalId));
        for (const r of records) seen.add(r.externalId);
        if (records.length > 0) yield { entityType: 'jira_projects', records };
        const isLast = body.isLast === true || body.values.length === 0;
        if (isLast) break;
        startAt += body.values.length;
      }
    }
  };
}

function listStream(client: SourceClient, path: string, entityType: EntityType, what: string): StreamReader {
  return async function* list(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    const res = await client.get(path, { signal: ctx.signal });
    if (!Array.isArray(res.body)) throw new Error(`${what} list is not an array (${res.url})`);
    yield* pagesOf(entityType, recordsOf(res, res.body, what));
  };
}

/**
 * Every configured project key must exist and be visible (Jira's project search
 * leaves unknown keys out, so the missing ones are the ones not returned); a JQL
 * scope is run once, so a query Jira refuses fails the test with Jira's words.
 */
async function checkScopes(
  client: SourceClient,
  config: JiraScopeConfig,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (config.projects && config.projects.length > 0) {
    const wanted = [...new Set(config.projects.map((k) => k.toUpperCase()))];
    const found = new Set<string>();
    for (let i = 0; i < wanted.length; i += PROJECT_KEYS_PER_REQUEST) {
      const keys = wanted.slice(i, i + PROJECT_KEYS_PER_REQUEST);
      const res = await client.get('/rest/api/3/project/search', {
        query: { keys, maxResults: PROJECT_KEYS_PER_REQUEST },
        signal,
      });
      const values = isRecord(res.body) && Array.isArray(res.body.values) ? res.body.values : [];
      for (const project of values)
        if (isRecord(project) && typeof project.key === 'string') found.add(project.key.toUpperCase());
    }
    const missing = wanted.filter((key) => !found.has(key));
    if (missing.length > 0) {
      throw new ScopeCheckError(
        'jira projects that do not exist or are not visible to this user',
        missing.map((scope) => ({ scope, reason: 'not found' })),
      );
    }
  }
  if (config.jql) {
    await client.post(
      '/rest/api/3/search/jql',
      { jql: config.jql, maxResults: 1, fields: ['key'] },
      { signal },
    );
  }
}

/** The Jira Cloud connector: projects, statuses, issue types (full each run) and issues with changelogs (incremental). */
export function createJiraConnector(options: JiraConnectorOptions): Connector {
  const { client, integration } = options;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  return {
    async testConnection(signal) {
      await client.get('/rest/api/3/myself', { signal });
      await checkScopes(client, integration.config, signal);
    },
    streams: {
      projects: projectsStream(client, integration.config),
      statuses: listStream(client, '/rest/api/3/status', 'jira_statuses', 'jira status'),
      issue_types: listStream(client, '/rest/api/3/issuetype', 'jira_issue_types', 'jira issue type'),
      issues: issuesStream({ client, config: integration.config, overlapMs }),
    },
  };
}
