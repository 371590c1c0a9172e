import { bigserial, bigint, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantRef, integrationRef } from './references.ts';

/** The steps of a team's flow (e.g. Backlog, In Progress, Review, Done), in order, for flow metrics. */
export const flowSteps = pgTable(
  'flow_steps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    /** todo | in_progress | done: whether time in the step counts as waiting or working. */
    category: text('category').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('flow_steps_name_key').on(t.tenantId, t.name)],
);

/** Maps a source status (per integration) onto a flow step. */
export const statusMappings = pgTable(
  'status_mappings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: tenantRef(),
    integrationId: integrationRef(),
    sourceStatus: text('source_status').notNull(),
    flowStepId: bigint('flow_step_id', { mode: 'number' })
      .notNull()
      .references(() => flowSteps.id),
  },
  (t) => [uniqueIndex('status_mappings_key').on(t.tenantId, t.integrationId, t.sourceStatus)],
);
