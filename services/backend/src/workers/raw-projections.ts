import type { EntityType } from '@tributary/contracts';
import { DEFAULT_STORY_POINTS_FIELDS } from './transformers/jira-issues.ts';

/**
 * The part of a raw record a transformer reads. The loader asks Postgres for only this part, so
 * neither the wire, `JSON.parse` nor zod pay for what the table never holds (a Jira issue's
 * description and creator, a pull request's full head and base repositories). Absent keys stay
 * absent and nulls stay null, so a record that fails validation fails with the same message.
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
export const RAW_PROJECTIONS: Partial<Record<EntityType, { projection: RawProjection; unlessApi?: string }>> = {
  jira_issues: {
    projection: {
      keep: ['id', 'key'],
      within: {
        fields: {
          keep: [
            'summary',
            'status',
            'issuetype',
            'priority',
            'assignee',
            'reporter',
            'labels',
            'created',
            'updated',
            'resolutiondate',
            'project',
            'parent',
            'components',
            'fixVersions',
            ...DEFAULT_STORY_POINTS_FIELDS,
          ],
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
 * The SQL expression of the projected record. `record` must be an already detoasted jsonb object
 * (each access to a compressed column would decompress it again); `metadata` the row's
 * `extraction_metadata`. Keys are our own constants, checked before they are inlined.
 */
export function projectionSql(entityType: EntityType, record: string, metadata: string): string {
  const entry = RAW_PROJECTIONS[entityType];
  if (!entry) return record;
  const projected = objectSql(record, entry.projection, metadata, 0);
  return entry.unlessApi === undefined
    ? projected
    : `case when ${metadata}->>${literal('api')} = ${literal(entry.unlessApi)} then ${record} else ${projected} end`;
}

function objectSql(value: string, projection: RawProjection, metadata: string, depth: number): string {
  const key = `k${depth}`;
  const inner = `v${depth}`;
  const within = Object.entries(projection.within ?? {});
  const keys = [...(projection.keep ?? []), ...within.map(([name]) => name)].map(literal);
  const named = (projection.keepNamedBy ?? []).map((field) => ` or ${key} = ${metadata}->>${literal(field)}`).join('');
  const projectedValue =
    within.length === 0
      ? inner
      : `case ${key} ${within.map(([name, sub]) => `when ${literal(name)} then ${objectSql(inner, sub, metadata, depth + 1)}`).join(' ')} else ${inner} end`;
  if (keys.length === 0 && named === '') return `'{}'::jsonb`;
  // jsonb_object_agg over no rows is null: an object with none of the keys stays an (empty) object.
  return `case when jsonb_typeof(${value}) = 'object' then (select coalesce(jsonb_object_agg(${key}, ${projectedValue}), '{}'::jsonb) from jsonb_each(${value}) as j${depth}(${key}, ${inner}) where ${key} in (${keys.length > 0 ? keys.join(', ') : 'null'})${named}) else ${value} end`;
}

function literal(text: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(text)) throw new Error(`not a plain JSON key: ${text}`);
  return `'${text}'`;
}
