import {
  bigserial,
  bigint,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  index,
  type IndexBuilderOn,
  type PgColumnBuilderBase,
} from 'drizzle-orm/pg-core';

/** Extra indexes of one normalized table: name suffix → columns, in order (migration 0005 adds those the metrics walk). */
export type ExtraIndexes<TColumns> = Record<
  string,
  readonly (keyof TColumns | 'tenantId' | 'integrationId')[]
>;
import { tenantRef, integrationRef } from './references.ts';

/**
 * A normalized table: the columns every one of them has (DESIGN §5a) plus its own,
 * unique on (tenant, integration, external id) so loading is an idempotent upsert.
 */
export function normalizedTable<TColumns extends Record<string, PgColumnBuilderBase>>(
  name: string,
  columns: TColumns,
  extraIndexes: ExtraIndexes<TColumns> = {},
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
    (t) => {
      const byName = t as unknown as Record<string, Parameters<IndexBuilderOn['on']>[0]>;
      return [
        uniqueIndex(`${name}_external_key`).on(t.tenantId, t.integrationId, t.externalId),
        index(`${name}_raw_idx`).on(t.rawId),
        ...Object.entries(extraIndexes).map(([suffix, keys]) => {
          const [first, ...rest] = keys.map((key) => byName[String(key)]!);
          return index(`${name}_${suffix}`).on(first!, ...rest);
        }),
      ];
    },
  );
}
