import { boolean, integer, text, timestamp } from 'drizzle-orm/pg-core';
import { normalizedTable } from './normalized-columns.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

export const githubRepositories = normalizedTable('github_repositories', {
  fullName: text('full_name').notNull(),
  name: text('name').notNull(),
  owner: text('owner').notNull(),
  defaultBranch: text('default_branch'),
  private: boolean('private').notNull().default(false),
  language: text('language'),
  createdAt: ts('created_at'),
  updatedAt: ts('updated_at'),
  pushedAt: ts('pushed_at'),
});

export const githubPullRequests = normalizedTable(
  'github_pull_requests',
  {
    repository: text('repository').notNull(),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    state: text('state').notNull(),
    draft: boolean('draft').notNull().default(false),
    merged: boolean('merged').notNull().default(false),
    mergedAt: ts('merged_at'),
    closedAt: ts('closed_at'),
    authorLogin: text('author_login'),
    baseRef: text('base_ref'),
    headRef: text('head_ref'),
    additions: integer('additions'),
    deletions: integer('deletions'),
    changedFiles: integer('changed_files'),
    mergeCommitSha: text('merge_commit_sha'),
    mergedByLogin: text('merged_by_login'),
    requestedReviewers: text('requested_reviewers').array().notNull().default([]),
    labels: text('labels').array().notNull().default([]),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  { merged_idx: ['tenantId', 'mergedAt'] },
);

export const githubReviews = normalizedTable(
  'github_reviews',
  {
    repository: text('repository').notNull(),
    pullNumber: integer('pull_number').notNull(),
    state: text('state').notNull(),
    authorLogin: text('author_login'),
    submittedAt: ts('submitted_at'),
    commitId: text('commit_id'),
  },
  { pull_idx: ['tenantId', 'integrationId', 'repository', 'pullNumber'] },
);

export const githubReviewComments = normalizedTable(
  'github_review_comments',
  {
    repository: text('repository').notNull(),
    pullNumber: integer('pull_number').notNull(),
    reviewId: text('review_id'),
    authorLogin: text('author_login'),
    body: text('body'),
    path: text('path'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  { pull_idx: ['tenantId', 'integrationId', 'repository', 'pullNumber'] },
);

/** Which pull requests list a commit is `githubPullRequestCommits`, not a column here. */
export const githubCommits = normalizedTable(
  'github_commits',
  {
    repository: text('repository').notNull(),
    sha: text('sha').notNull(),
    message: text('message'),
    authorName: text('author_name'),
    authorEmail: text('author_email'),
    authorLogin: text('author_login'),
    /** When the change was written (git author date): lead time starts here. */
    authoredAt: ts('authored_at'),
    committerName: text('committer_name'),
    committerEmail: text('committer_email'),
    committerLogin: text('committer_login'),
    /** When the commit was (re)created (git committer date; differs after a rebase or squash). */
    committedAt: ts('committed_at'),
  },
  { sha_idx: ['tenantId', 'integrationId', 'sha'] },
);

/**
 * Which pull requests list which commits: a commit can belong to several (stacked
 * branches, cherry-picks). External id is `<repository>#<pull number>@<sha>`.
 */
export const githubPullRequestCommits = normalizedTable(
  'github_pull_request_commits',
  {
    repository: text('repository').notNull(),
    pullNumber: integer('pull_number').notNull(),
    sha: text('sha').notNull(),
  },
  { pull_idx: ['tenantId', 'integrationId', 'repository', 'pullNumber'] },
);

export const githubDeployments = normalizedTable(
  'github_deployments',
  {
    repository: text('repository').notNull(),
    environment: text('environment'),
    ref: text('ref'),
    sha: text('sha'),
    task: text('task'),
    creatorLogin: text('creator_login'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  { metrics_idx: ['tenantId', 'integrationId', 'repository'] },
);

/** One status of a deployment (queued, in_progress, success, failure, error, inactive, …). */
export const githubDeploymentStatuses = normalizedTable(
  'github_deployment_statuses',
  {
    repository: text('repository').notNull(),
    /** The deployment's external id (GitHub's numeric id as text). */
    deploymentExternalId: text('deployment_external_id').notNull(),
    state: text('state').notNull(),
    environment: text('environment'),
    description: text('description'),
    creatorLogin: text('creator_login'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at'),
  },
  { deployment_idx: ['tenantId', 'integrationId', 'deploymentExternalId'] },
);

export const githubReleases = normalizedTable('github_releases', {
  repository: text('repository').notNull(),
  tagName: text('tag_name').notNull(),
  name: text('name'),
  targetCommitish: text('target_commitish'),
  draft: boolean('draft').notNull().default(false),
  prerelease: boolean('prerelease').notNull().default(false),
  authorLogin: text('author_login'),
  createdAt: ts('created_at').notNull(),
  publishedAt: ts('published_at'),
});
