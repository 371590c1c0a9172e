import { bigint } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';
import { integrations } from './integrations.ts';

/** `tenant_id`, required, pointing at its tenant: every table with tenant data has it. */
export const tenantRef = () =>
  bigint('tenant_id', { mode: 'number' })
    .notNull()
    .references(() => tenants.id);

/** `integration_id`, required, pointing at its integration. */
export const integrationRef = () =>
  bigint('integration_id', { mode: 'number' })
    .notNull()
    .references(() => integrations.id);
