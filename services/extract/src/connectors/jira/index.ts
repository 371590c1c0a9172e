import type { EntityType } from '@tributary/contracts';
import type { SourceClient, SourceResponse } from '../../http/source-client.ts';
import { metadataFor } from '../../http/source-client.ts';
import { DEFAULT_OVERLAP_MS, externalIdOf, isRecord, pagesOf } from '../shared.ts';
import type { Connector, Page, SourceRecord, StreamContext, StreamReader } from '../types.ts';
import { issuesStream } from './issues.ts';
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
  return items.filter(isRecord).map((raw) => ({ externalId: externalIdOf(raw, 'id', what), rawData: raw, metadata }));
}

function projectsStream(client: SourceClient, config: JiraScopeConfig): StreamReader {
  return async function* projects(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    const wanted = config.projects && config.projects.length > 0 ? config.projects.map((k) => k.toUpperCase()) : null;
    const keyGroups: (readonly string[] | null)[] = [];
    if (wanted === null) keyGroups.push(null);
    else for (let i = 0; i < wanted.length; i += PROJECT_KEYS_PER_REQUEST) keyGroups.push(wanted.slice(i, i + PROJECT_KEYS_PER_REQUEST));
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
          (p) => isRecord(p) && (wanted === null || (typeof p.key === 'string' && wanted.includes(p.key.toUpperCase()))),
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

/** The Jira Cloud connector: projects, statuses, issue types (full each run) and issues with changelogs (incremental). */
export function createJiraConnector(options: JiraConnectorOptions): Connector {
  const { client, integration } = options;
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  return {
    async testConnection(signal) {
      await client.get('/rest/api/3/myself', { signal });
    },
    streams: {
      projects: projectsStream(client, integration.config),
      statuses: listStream(client, '/rest/api/3/status', 'jira_statuses', 'jira status'),
      issue_types: listStream(client, '/rest/api/3/issuetype', 'jira_issue_types', 'jira issue type'),
      issues: issuesStream({ client, config: integration.config, overlapMs }),
    },
  };
}
