import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES } from '@tributary/contracts';
import type { EntityType } from '@tributary/contracts';
import { UPDATED_AT_COLUMN, transformerFor, transformers } from './index.ts';
import {
  context,
  ghCommit,
  ghDeployment,
  ghDeploymentStatus,
  ghPullSingle,
  ghRelease,
  ghRepository,
  ghReview,
  ghReviewComment,
  jiraChangelog,
  jiraIssue,
  jiraIssueType,
  jiraProject,
  jiraStatus,
  TABLE_OF,
} from './fixtures.ts';

const SAMPLES: Record<EntityType, () => unknown> = {
  jira_projects: jiraProject,
  jira_statuses: jiraStatus,
  jira_issue_types: jiraIssueType,
  jira_issues: jiraIssue,
  jira_changelogs: jiraChangelog,
  github_repositories: ghRepository,
  github_pull_requests: ghPullSingle,
  github_reviews: ghReview,
  github_review_comments: ghReviewComment,
  github_commits: ghCommit,
  github_deployments: ghDeployment,
  github_deployment_statuses: ghDeploymentStatus,
  github_releases: ghRelease,
};

describe('transformer registry', () => {
  it('has a transformer for every entity type, writing to its table', () => {
    for (const entityType of ENTITY_TYPES) {
      const transformer = transformerFor(entityType);
      expect(transformer).toBe(transformers[entityType]);
      expect(transformer.entityType).toBe(entityType);
      const rows = transformer.transform(SAMPLES[entityType](), context());
      expect(rows.length, entityType).toBeGreaterThan(0);
      for (const row of rows) expect(row.table).toBe(TABLE_OF[entityType]);
    }
  });

  it('rejects an unknown entity type', () => {
    expect(() => transformerFor('jira_sprints' as EntityType)).toThrow(/no transformer/);
  });

  it('names, for tables that have one, an updated_at column the rows carry', () => {
    expect(UPDATED_AT_COLUMN).toEqual({
      jira_issues: 'updated_at',
      github_repositories: 'updated_at',
      github_pull_requests: 'updated_at',
      github_review_comments: 'updated_at',
      github_deployments: 'updated_at',
    });
    for (const entityType of ENTITY_TYPES) {
      const column = UPDATED_AT_COLUMN[TABLE_OF[entityType]];
      if (column === undefined) continue;
      for (const row of transformers[entityType].transform(SAMPLES[entityType](), context())) {
        expect(row.columns[column], entityType).toBeInstanceOf(Date);
      }
    }
  });
});
