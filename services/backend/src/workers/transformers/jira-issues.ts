import { z } from 'zod';
import type { RawRecordContext } from './types.ts';
import {
  defineTransformer,
  jiraId,
  jiraUser,
  jiraUserColumns,
  optionalTimestamp,
  parseRaw,
  row,
  timestamp,
} from './shared.ts';

/** The story-point custom fields Jira Cloud uses most often (team-managed, then company-managed). */
export const DEFAULT_STORY_POINTS_FIELDS = ['customfield_10016', 'customfield_10026'] as const;

const named = z.looseObject({ name: z.string().nullish() });

/**
 * An issue from `GET/POST /rest/api/3/search/jql` (explicit `fields`). Only what the table needs is
 * validated; `changelog` is ignored here (changelogs are their own entity type).
 */
const issueSchema = z.looseObject({
  id: jiraId,
  key: z.string().min(1),
  fields: z.looseObject({
    summary: z.string(),
    status: z
      .looseObject({
        name: z.string().nullish(),
        statusCategory: z.looseObject({ key: z.string().nullish() }).nullish(),
      })
      .nullish(),
    issuetype: named.nullish(),
    priority: named.nullish(),
    assignee: jiraUser.nullish(),
    reporter: jiraUser.nullish(),
    labels: z.array(z.string()).nullish(),
    created: timestamp,
    updated: timestamp,
    resolutiondate: optionalTimestamp,
    project: z.looseObject({ key: z.string().nullish() }).nullish(),
    parent: z.looseObject({ key: z.string().nullish() }).nullish(),
    components: z.array(named).nullish(),
    fixVersions: z.array(named).nullish(),
  }),
});

/**
 * The story-point field ids to look at: the one the extractor found by name (or the config named)
 * alone; none when it found none (a site without story points); the old defaults only for records
 * stored before discovery existed (no `story_points_field` key at all).
 */
export function storyPointsFields(context: RawRecordContext): readonly string[] {
  const configured = context.metadata.story_points_field;
  if (typeof configured === 'string' && configured.trim() !== '') return [configured.trim()];
  return Object.hasOwn(context.metadata, 'story_points_field') ? [] : DEFAULT_STORY_POINTS_FIELDS;
}

/** Sprint objects (`{ name }`, Jira Cloud) or the legacy `…Sprint@1f[id=1,…,name=Sprint 1,…]` strings. */
function sprintNames(fields: Record<string, unknown>, context: RawRecordContext): string[] {
  const id = context.metadata.sprint_field;
  if (typeof id !== 'string') return [];
  const value = fields[id];
  if (!Array.isArray(value)) return [];
  return value.flatMap((sprint: unknown) => {
    if (typeof sprint === 'object' && sprint !== null && 'name' in sprint && typeof sprint.name === 'string')
      return [sprint.name];
    if (typeof sprint === 'string') {
      const name = /[[,]name=([^,\]]*)/.exec(sprint)?.[1];
      return name ? [name] : [];
    }
    return [];
  });
}

function storyPoints(fields: Record<string, unknown>, context: RawRecordContext): number | null {
  for (const id of storyPointsFields(context)) {
    const value = fields[id];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

function namesOf(list: readonly { name?: string | null | undefined }[] | null | undefined): string[] {
  return (list ?? []).flatMap((item) => (item.name ? [item.name] : []));
}

/** `PROJ-123` → `PROJ` (an issue key is its project's key and a number). */
function projectKeyOf(issueKey: string): string | null {
  return /^([A-Za-z][A-Za-z0-9_]*)-\d+$/.exec(issueKey)?.[1] ?? null;
}

export const jiraIssuesTransformer = defineTransformer('jira_issues', (raw, context) => {
  const issue = parseRaw(issueSchema, raw);
  const f = issue.fields;
  const assignee = jiraUserColumns(f.assignee);
  const reporter = jiraUserColumns(f.reporter);
  return [
    row('jira_issues', issue.id, {
      key: issue.key,
      project_key: f.project?.key ?? projectKeyOf(issue.key),
      summary: f.summary,
      status_name: f.status?.name ?? null,
      status_category: f.status?.statusCategory?.key ?? null,
      issue_type: f.issuetype?.name ?? null,
      priority: f.priority?.name ?? null,
      assignee_account_id: assignee.accountId,
      assignee_name: assignee.name,
      reporter_account_id: reporter.accountId,
      reporter_name: reporter.name,
      labels: f.labels ?? [],
      story_points: storyPoints(f, context),
      parent_key: f.parent?.key ?? null,
      components: namesOf(f.components),
      fix_versions: namesOf(f.fixVersions),
      // Sprints live in a custom field whose id differs per site; the extractor found it by its type.
      sprints: sprintNames(f, context),
      created_at: f.created,
      updated_at: f.updated,
      resolved_at: f.resolutiondate,
    }),
  ];
});
