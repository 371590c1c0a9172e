import { describe, expect, it } from 'vitest';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { Table } from 'drizzle-orm';
import { schema } from '@tributary/db';
import { ENTITY_TYPES } from '@tributary/contracts';
import { UPDATED_AT_COLUMN, transformers } from './index.ts';
import type { NormalizedTable } from './types.ts';
import * as fx from './fixtures.ts';

/** Columns every normalized table has, filled by the loader, never by a transformer. */
const LOADER_COLUMNS = new Set(['id', 'tenant_id', 'integration_id', 'external_id', 'raw_id', 'loaded_at']);

function tableNamed(name: NormalizedTable): Table {
  for (const value of Object.values(schema)) {
    if (value !== null && typeof value === 'object' && 'getSQL' in value) {
      const table = value as Table;
      if (getTableName(table) === name) return table;
    }
  }
  throw new Error(`no table ${name} in @tributary/db schema`);
}

/** Fixtures with every optional field missing or null too, so "always present" is really checked. */
const SAMPLES: Record<string, Array<() => unknown>> = {
  jira_projects: [fx.jiraProject, () => ({ id: '1', key: 'A', name: 'A' })],
  jira_statuses: [fx.jiraStatus, () => ({ id: '1', name: 'Open' })],
  jira_issue_types: [fx.jiraIssueType, () => ({ id: '1', name: 'Task' })],
  jira_issues: [
    fx.jiraIssue,
    fx.jiraResolvedIssue,
    () => ({
      id: '1',
      key: 'A-1',
      fields: {
        summary: 's',
        created: '2024-01-01T00:00:00.000+0000',
        updated: '2024-01-01T00:00:00.000+0000',
      },
    }),
  ],
  jira_changelogs: [fx.jiraChangelog],
  github_repositories: [
    fx.ghRepository,
    () => ({ id: 1, name: 'r', full_name: 'o/r', owner: { login: 'o' } }),
  ],
  github_pull_requests: [fx.ghPullSingle, fx.ghPullListItem, fx.ghPullOpenDraft],
  github_reviews: [fx.ghReview],
  github_review_comments: [fx.ghReviewComment],
  github_commits: [fx.ghCommit],
  github_deployments: [fx.ghDeployment],
};

describe('rows match the drizzle tables', () => {
  for (const entityType of ENTITY_TYPES) {
    it(`${entityType} → ${fx.TABLE_OF[entityType]}`, () => {
      const columns = Object.values(getTableColumns(tableNamed(fx.TABLE_OF[entityType])));
      const own = columns.filter((c) => !LOADER_COLUMNS.has(c.name));
      const required = own.filter((c) => c.notNull && !c.hasDefault).map((c) => c.name);
      const names = own.map((c) => c.name).sort();
      for (const sample of SAMPLES[entityType] ?? []) {
        const rows = transformers[entityType].transform(sample(), fx.context());
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          // every column of the table, and nothing else
          expect(Object.keys(row.columns).sort()).toEqual(names);
          for (const name of required) expect(row.columns[name], name).not.toBeNull();
          for (const c of own.filter((c) => c.notNull))
            expect(row.columns[c.name], c.name).not.toBeUndefined();
        }
      }
    });
  }

  it('UPDATED_AT_COLUMN names real columns', () => {
    for (const [table, column] of Object.entries(UPDATED_AT_COLUMN)) {
      const names = Object.values(getTableColumns(tableNamed(table as NormalizedTable))).map((c) => c.name);
      expect(names, table).toContain(column);
    }
  });
});
