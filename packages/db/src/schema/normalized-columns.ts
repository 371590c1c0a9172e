import { bigserial, bigint, pgTable, text, timestamp, uniqueIndex, index, type PgColumnBuilderBase } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';
import { integrations } from './integrations.ts';

/**
 * A normalized table: the columns every one of them has (DESIGN §5a) plus its own,
 * unique on (tenant, integration, external id) so loading is an idempotent upsert.
 */
export function normalizedTable<TColumns extends Record<string, PgColumnBuilderBase>>(
  name: string,
  columns: TColumns,
) {
  return pgTable(
    name,
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      tenantId: bigint('tenant_id', { mode: 'number' })
        .notNull()
        .references(() => tenants.id),
      integrationId: bigint('integration_id', { mode: 'number' })
        .notNull()
        .references(() => integrations.id),
      externalId: text('external_id').notNull(),
      rawId: bigint('raw_id', { mode: 'number' }).notNull(),
      loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
      ...columns,
    },
    (t) => [
      uniqueIndex(`${name}_external_key`).on(t.tenantId, t.integrationId, t.externalId),
      index(`${name}_raw_idx`).on(t.rawId),
    ],
  );
}
