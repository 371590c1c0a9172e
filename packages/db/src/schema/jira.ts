import { boolean, integer, numeric, text, timestamp } from 'drizzle-orm/pg-core';
import { normalizedTable } from './normalized-columns.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true });

export const jiraProjects = normalizedTable('jira_projects', {
  key: text('key').notNull(),
  name: text('name').notNull(),
  projectType: text('project_type'),
  leadAccountId: text('lead_account_id'),
  leadName: text('lead_name'),
});

export const jiraStatuses = normalizedTable('jira_statuses', {
  name: text('name').notNull(),
  categoryKey: text('category_key'),
  categoryName: text('category_name'),
});

export const jiraIssueTypes = normalizedTable('jira_issue_types', {
  name: text('name').notNull(),
  subtask: boolean('subtask').notNull().default(false),
  hierarchyLevel: integer('hierarchy_level'),
});

export const jiraIssues = normalizedTable(
  'jira_issues',
  {
    key: text('key').notNull(),
    projectKey: text('project_key'),
    summary: text('summary').notNull(),
    statusName: text('status_name'),
    statusCategory: text('status_category'),
    issueType: text('issue_type'),
    priority: text('priority'),
    assigneeAccountId: text('assignee_account_id'),
    assigneeName: text('assignee_name'),
    reporterAccountId: text('reporter_account_id'),
    reporterName: text('reporter_name'),
    labels: text('labels').array().notNull().default([]),
    storyPoints: numeric('story_points', { mode: 'number' }),
    /** The parent's key (epic or parent task), when there is one. */
    parentKey: text('parent_key'),
    components: text('components').array().notNull().default([]),
    fixVersions: text('fix_versions').array().notNull().default([]),
    /** Sprint names, oldest first (an issue carried over keeps every sprint it was in). */
    sprints: text('sprints').array().notNull().default([]),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    resolvedAt: ts('resolved_at'),
  },
  { created_idx: ['tenantId', 'createdAt'] },
);

/** One row per status change, from the issue changelog; external id is `<history id>:<item index>`. */
export const jiraIssueTransitions = normalizedTable(
  'jira_issue_transitions',
  {
    issueExternalId: text('issue_external_id').notNull(),
    issueKey: text('issue_key'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    authorAccountId: text('author_account_id'),
    authorName: text('author_name'),
    transitionedAt: ts('transitioned_at').notNull(),
  },
  { issue_idx: ['tenantId', 'integrationId', 'issueExternalId', 'transitionedAt'] },
);
