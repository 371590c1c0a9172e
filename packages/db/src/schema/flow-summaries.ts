import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/*
 * Derived data for the flow metrics, rebuilt from jira_issues, jira_issue_transitions and the
 * tenant's flow configuration (services/backend/src/metrics/flow-summary.ts). Nothing here is a
 * source of truth: deleting a tenant's rows only makes the next metric request rebuild them. No
 * foreign keys, so the triggers that mark changes stay cheap on the load path.
 */

/** The Jira issue a row is about, as jira_issues names it (tenant, integration, external id). */
const issueKey = () => ({
  tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
  integrationId: bigint('integration_id', { mode: 'number' }).notNull(),
  issueExternalId: text('issue_external_id').notNull(),
});

/** Per Jira issue: what every flow metric needs of it, independent of the requested range. */
export const flowIssueSummaries = pgTable(
  'flow_issue_summaries',
  {
    ...issueKey(),
    key: text('key').notNull(),
    issueType: text('issue_type'),
    projectKey: text('project_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** Category of the step the issue's current status maps to (for WIP of issues untouched in a range). */
    currentCategory: text('current_category'),
    inProgressAt: timestamp('in_progress_at', { withTimezone: true }),
    doneAt: timestamp('done_at', { withTimezone: true }),
    cycleHours: doublePrecision('cycle_hours'),
    leadHours: doublePrecision('lead_hours'),
    activeHours: doublePrecision('active_hours'),
    /**
     * Its in_progress intervals as UTC day numbers (ceil(epoch / 1 day)) of start and end (null:
     * open), so WIP per day is a sum of ±1 over a few integers per issue instead of a row each.
     */
    wipStartDays: integer('wip_start_days').array().notNull(),
    wipEndDays: integer('wip_end_days').array().notNull(),
    /** Hours in each mapped step before the done entry (done issues only), parallel arrays. */
    stepIds: bigint('step_ids', { mode: 'number' }).array().notNull(),
    stepHours: doublePrecision('step_hours').array().notNull(),
  },
  (t) => [
    primaryKey({
      name: 'flow_issue_summaries_pkey',
      columns: [t.tenantId, t.integrationId, t.issueExternalId],
    }),
    index('flow_issue_summaries_done_idx').on(t.tenantId, t.doneAt),
    index('flow_issue_summaries_updated_idx').on(t.tenantId, t.updatedAt),
  ],
);

/** Per Jira issue, its history as intervals in a status, each with the step it maps to. */
export const flowIssueIntervals = pgTable(
  'flow_issue_intervals',
  {
    ...issueKey(),
    seq: integer('seq').notNull(),
    status: text('status'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** The interval's end cut at the issue's done entry (null when it never got there). */
    clipEnd: timestamp('clip_end', { withTimezone: true }),
    stepId: bigint('step_id', { mode: 'number' }),
    step: text('step'),
    category: text('category'),
    kind: text('kind'),
  },
  (t) => [
    primaryKey({
      name: 'flow_issue_intervals_pkey',
      columns: [t.tenantId, t.integrationId, t.issueExternalId, t.seq],
    }),
  ],
);

/**
 * Issues whose summary is out of date, written by triggers on jira_issues and jira_issue_transitions:
 * one row per loading statement and integration with the ids it touched (a row per issue cost the
 * load path a second write per row).
 */
export const flowSummaryChanges = pgTable(
  'flow_summary_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: bigint('tenant_id', { mode: 'number' }).notNull(),
    integrationId: bigint('integration_id', { mode: 'number' }).notNull(),
    issueExternalIds: text('issue_external_ids').array().notNull(),
  },
  (t) => [index('flow_summary_changes_tenant_idx').on(t.tenantId)],
);

/**
 * Per tenant: the flow configuration's version (bumped by triggers on flow_steps and
 * status_mappings) and the version the summaries were built with; they differ → full rebuild.
 */
export const flowSummaryState = pgTable('flow_summary_state', {
  tenantId: bigint('tenant_id', { mode: 'number' }).primaryKey(),
  configVersion: bigint('config_version', { mode: 'number' }).notNull().default(1),
  builtVersion: bigint('built_version', { mode: 'number' }),
  builtAt: timestamp('built_at', { withTimezone: true }),
});
