import { z } from 'zod';

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

export const entityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof entityTypeSchema>;

export const SOURCES = ['jira', 'github'] as const;
export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

/** The source an entity type belongs to, read off its prefix. */
export function sourceOf(entityType: EntityType): Source {
  return entityType.startsWith('jira_') ? 'jira' : 'github';
}

/** Streams a connector can run; a stream may produce several entity types. */
export const STREAMS = {
  jira: ['projects', 'statuses', 'issue_types', 'issues'],
  github: ['repositories', 'pull_requests', 'deployments', 'releases'],
} as const satisfies Record<Source, readonly string[]>;

export const streamNameSchema = z.enum([...STREAMS.jira, ...STREAMS.github]);
export type StreamName = z.infer<typeof streamNameSchema>;
