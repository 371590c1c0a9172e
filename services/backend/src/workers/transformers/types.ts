import type { EntityType } from '@tributary/contracts';

/** What a transformer knows about the raw row besides its JSON. */
export interface RawRecordContext {
  rawId: number;
  externalId: string;
  /** The extraction metadata stored with the raw row (URL, params, scope such as repository / pull number). */
  metadata: Record<string, unknown>;
}

/** One row to upsert into a normalized table, keyed by (tenant, integration, external id). */
export interface NormalizedRow {
  table: NormalizedTable;
  externalId: string;
  /** Typed columns, snake_case, exactly as named in the table (no tenant/integration/external/raw ids). */
  columns: Record<string, string | number | boolean | Date | null | string[]>;
}

export type NormalizedTable =
  | 'jira_projects'
  | 'jira_statuses'
  | 'jira_issue_types'
  | 'jira_issues'
  | 'jira_issue_transitions'
  | 'github_repositories'
  | 'github_pull_requests'
  | 'github_reviews'
  | 'github_review_comments'
  | 'github_commits'
  | 'github_pull_request_commits'
  | 'github_deployments'
  | 'github_deployment_statuses'
  | 'github_releases';

/**
 * Turns one raw record into normalized rows (none, one, or many — a changelog
 * yields one transition per status change). Throws `TransformError` naming the
 * field when the raw shape is not what the source documents.
 */
export interface Transformer {
  entityType: EntityType;
  transform: (raw: unknown, context: RawRecordContext) => NormalizedRow[];
}

/** A record that cannot be transformed; the message says which field and why. */
export class TransformError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.path = path;
  }
}
