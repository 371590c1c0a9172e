import { bigserial, bigint, pgTable, text, timestamp, uniqueIndex, index, type PgColumnBuilderBase } from 'drizzle-orm/pg-core';
import { tenantRef, integrationRef } from './references.ts';

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
      tenantId: tenantRef(),
      integrationId: integrationRef(),
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
