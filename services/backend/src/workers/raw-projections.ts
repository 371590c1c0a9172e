import { JIRA_ISSUE_TRANSFORMED_FIELDS, type EntityType } from '@tributary/contracts';
import { DEFAULT_STORY_POINTS_FIELDS } from './transformers/jira-issues.ts';

/**
 * The part of a raw record a transformer reads. The loader hands the transformer only this part,
 * so zod does not walk what the table never holds (a Jira issue's description and creator, a pull
 * request's full head and base repositories). Absent keys stay absent and nulls stay null, so a
 * record that fails validation fails with the same message.
 */
export interface RawProjection {
  /** Keys kept with their whole value. */
  readonly keep?: readonly string[];
  /** Keys whose value, when it is an object, is itself projected (any other value is kept as is). */
  readonly within?: Readonly<Record<string, RawProjection>>;
  /** Keys named by these `extraction_metadata` fields (a site's custom field ids), kept whole. */
  readonly keepNamedBy?: readonly string[];
}

const branch: RawProjection = { keep: ['ref'], within: { repo: { keep: ['full_name'] } } };

/**
 * Per entity type, what its transformer reads (see the transformer's schema). An entity type
 * without an entry is read whole. `raw-projections.test.ts` checks, for every fixture, that a
 * projected record transforms exactly as the whole one.
 */
export const RAW_PROJECTIONS: Partial<Record<EntityType, { projection: RawProjection; unlessApi?: string }>> =
  {
    jira_issues: {
      projection: {
        keep: ['id', 'key'],
        within: {
          fields: {
            keep: [...JIRA_ISSUE_TRANSFORMED_FIELDS, ...DEFAULT_STORY_POINTS_FIELDS],
            keepNamedBy: ['story_points_field', 'sprint_field'],
          },
        },
      },
    },
    github_pull_requests: {
      // GraphQL nodes have another shape; they are read whole.
      unlessApi: 'graphql',
      projection: {
        keep: [
          'id',
          'number',
          'title',
          'state',
          'draft',
          'user',
          'merged',
          'merged_at',
          'closed_at',
          'created_at',
          'updated_at',
          'additions',
          'deletions',
          'changed_files',
          'merge_commit_sha',
          'merged_by',
          'requested_reviewers',
          'labels',
        ],
        within: { base: branch, head: branch },
      },
    },
  };

/**
 * The part of `raw` the entity type's transformer reads (the record itself when it has no
 * projection). Picking keys out of the parsed record is cheap; validating keys nobody reads is
 * not (zod copies every unknown key of a loose object). Projecting in SQL was measured slower:
 * rebuilding jsonb in Postgres costs more than parsing the whole text in Node.
 */
export function projectRaw(entityType: EntityType, raw: unknown, metadata: Record<string, unknown>): unknown {
  const entry = RAW_PROJECTIONS[entityType];
  if (!entry || (entry.unlessApi !== undefined && metadata.api === entry.unlessApi)) return raw;
  return pick(raw, entry.projection, metadata);
}

function pick(value: unknown, projection: RawProjection, metadata: Record<string, unknown>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of projection.keep ?? []) if (Object.hasOwn(source, key)) out[key] = source[key];
  for (const field of projection.keepNamedBy ?? []) {
    const key = metadata[field];
    if (typeof key === 'string' && Object.hasOwn(source, key)) out[key] = source[key];
  }
  for (const [key, inner] of Object.entries(projection.within ?? {})) {
    if (Object.hasOwn(source, key)) out[key] = pick(source[key], inner, metadata);
  }
  return out;
}
