// The names alone, without their zod schemas (entity-types.ts), so the dashboard can import
// them without bundling zod.

/** Every entity type the raw layer stores, plural and source-prefixed (DESIGN §5a). */
export const ENTITY_TYPES = [
  'jira_projects',
  'jira_statuses',
  'jira_issue_types',
  'jira_issues',
  'jira_changelogs',
  'github_repositories',
  'github_pull_requests',
  'github_reviews',
  'github_review_comments',
  'github_commits',
  'github_deployments',
  'github_deployment_statuses',
  'github_releases',
] as const;

export const SOURCES = ['jira', 'github'] as const;

/** Streams a connector can run; a stream may produce several entity types. */
export const STREAMS = {
  jira: ['projects', 'statuses', 'issue_types', 'issues'],
  github: ['repositories', 'pull_requests', 'deployments', 'releases'],
} as const satisfies Record<(typeof SOURCES)[number], readonly string[]>;
