import { ENTITY_TYPES } from '@tributary/contracts';
import type { EntityType } from '@tributary/contracts';
import type { NormalizedTable, Transformer } from './types.ts';
import { githubCommitsTransformer } from './github-commits.ts';
import { githubDeploymentStatusesTransformer } from './github-deployment-statuses.ts';
import { githubDeploymentsTransformer } from './github-deployments.ts';
import { githubReleasesTransformer } from './github-releases.ts';
import { githubPullRequestsTransformer } from './github-pull-requests.ts';
import { githubRepositoriesTransformer } from './github-repositories.ts';
import { githubReviewCommentsTransformer } from './github-review-comments.ts';
import { githubReviewsTransformer } from './github-reviews.ts';
import { jiraChangelogsTransformer } from './jira-changelogs.ts';
import { jiraIssueTypesTransformer } from './jira-issue-types.ts';
import { jiraIssuesTransformer } from './jira-issues.ts';
import { jiraProjectsTransformer } from './jira-projects.ts';
import { jiraStatusesTransformer } from './jira-statuses.ts';
import { byApi } from './graphql-shared.ts';
import { githubCommitsGraphqlTransformer } from './github-commits-graphql.ts';
import { githubPullRequestsGraphqlTransformer } from './github-pull-requests-graphql.ts';
import { githubReviewCommentsGraphqlTransformer } from './github-review-comments-graphql.ts';
import { githubReviewsGraphqlTransformer } from './github-reviews-graphql.ts';

export type { NormalizedRow, NormalizedTable, RawRecordContext, Transformer } from './types.ts';
export { TransformError } from './types.ts';

/** The transformer for every entity type the raw layer stores. */
export const transformers: Record<EntityType, Transformer> = {
  jira_projects: jiraProjectsTransformer,
  jira_statuses: jiraStatusesTransformer,
  jira_issue_types: jiraIssueTypesTransformer,
  jira_issues: jiraIssuesTransformer,
  jira_changelogs: jiraChangelogsTransformer,
  github_repositories: githubRepositoriesTransformer,
  // REST and GraphQL records of one entity type, told apart by extraction_metadata.api.
  github_pull_requests: byApi(githubPullRequestsTransformer, githubPullRequestsGraphqlTransformer),
  github_reviews: byApi(githubReviewsTransformer, githubReviewsGraphqlTransformer),
  github_review_comments: byApi(githubReviewCommentsTransformer, githubReviewCommentsGraphqlTransformer),
  github_commits: byApi(githubCommitsTransformer, githubCommitsGraphqlTransformer),
  github_deployments: githubDeploymentsTransformer,
  github_deployment_statuses: githubDeploymentStatusesTransformer,
  github_releases: githubReleasesTransformer,
};

export function transformerFor(entityType: EntityType): Transformer {
  const transformer = transformers[entityType];
  // Unreachable for a typed caller; an entity type read from the wire may still be unknown.
  if (!(ENTITY_TYPES as readonly string[]).includes(entityType) || transformer === undefined) {
    throw new Error(`no transformer for entity type ${JSON.stringify(entityType)}`);
  }
  return transformer;
}

/**
 * Per table, the column that says which version of a row is newer. The loader keeps the stored
 * row when the incoming one is older. Tables without such a column are absent.
 */
export const UPDATED_AT_COLUMN: Partial<Record<NormalizedTable, string>> = {
  jira_issues: 'updated_at',
  github_repositories: 'updated_at',
  github_pull_requests: 'updated_at',
  github_review_comments: 'updated_at',
  github_deployments: 'updated_at',
};
