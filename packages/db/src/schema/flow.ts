import { sql } from 'drizzle-orm';
import {
  bigserial,
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tenantRef, integrationRef } from './references.ts';

/** The steps of a team's flow (e.g. Backlog, In Progress, Review, Done), in order, for flow metrics. */
export const flowSteps = pgTable(
  'flow_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    /** todo | in_progress | done; every todo step comes before every in_progress step before every done step. */
    category: text('category').notNull(),
    /** For in_progress steps: active (work) or waiting (e.g. "Ready for review"); null otherwise. */
    kind: text('kind'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('flow_steps_name_key').on(t.tenantId, t.name),
    // Deferrable in the migration, so a reorder may swap positions inside one transaction.
    unique('flow_steps_position_key').on(t.tenantId, t.position),
    check('flow_steps_category_check', sql`${t.category} IN ('todo', 'in_progress', 'done')`),
    check(
      'flow_steps_kind_check',
      sql`(${t.category} = 'in_progress' AND ${t.kind} IN ('active', 'waiting')) OR (${t.category} <> 'in_progress' AND ${t.kind} IS NULL)`,
    ),
  ],
);

/** Maps a source status (per integration, ignoring case, optionally per issue type) onto a flow step. */
export const statusMappings = pgTable(
  'status_mappings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    sourceStatus: text('source_status').notNull(),
    /** null: every issue type; else only issues of this type (a different flow per issue type). */
    issueType: text('issue_type'),
    flowStepId: bigint('flow_step_id', { mode: 'number' })
      .notNull()
      .references(() => flowSteps.id),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('status_mappings_key').on(
      t.tenantId,
      t.integrationId,
      sql`lower(${t.sourceStatus})`,
      sql`coalesce(lower(${t.issueType}), '')`,
    ),
    index('status_mappings_step_idx').on(t.flowStepId),
  ],
);

/**
 * Issues switched off for metrics, by a person or because a full run no longer saw them. Kept
 * apart from `jira_issues` so the loader's upsert can never switch one back on.
 */
export const issueDeactivations = pgTable(
  'issue_deactivations',
  {
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    issueExternalId: text('issue_external_id').notNull(),
    /** user | missing_from_full_run */
    reason: text('reason').notNull(),
    jobId: bigint('job_id', { mode: 'number' }),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({
      name: 'issue_deactivations_pkey',
      columns: [t.tenantId, t.integrationId, t.issueExternalId],
    }),
    check('issue_deactivations_reason_check', sql`${t.reason} IN ('user', 'missing_from_full_run')`),
  ],
);

/** The Jira issue ids a running full job has reported, so its end can tell which issues vanished. */
export const jobSeenIssues = pgTable(
  'job_seen_issues',
  {
    jobId: bigint('job_id', { mode: 'number' }).notNull(),
    issueExternalId: text('issue_external_id').notNull(),
  },
  (t) => [primaryKey({ name: 'job_seen_issues_pkey', columns: [t.jobId, t.issueExternalId] })],
);

/** Per-tenant metric definitions (DORA): production environments and what counts as an incident. */
export const tenantMetricSettings = pgTable('tenant_metric_settings', {
  tenantId: tenantRef().primaryKey(),
  productionEnvironments: text('production_environments').array().notNull().default(['production', 'prod']),
  incidentIssueTypes: text('incident_issue_types').array().notNull().default(['Incident']),
  incidentLabels: text('incident_labels').array().notNull().default([]),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
