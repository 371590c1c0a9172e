import type pg from 'pg';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import { schema, type Database } from '@tributary/db';

const { integrations } = schema;
export type IntegrationRow = typeof integrations.$inferSelect;
export type NewIntegrationRow = typeof integrations.$inferInsert;

const live = (tenantId: number) => and(eq(integrations.tenantId, tenantId), isNull(integrations.deletedAt));

export async function insertIntegration(db: Database, row: NewIntegrationRow): Promise<IntegrationRow> {
  const [created] = await db.insert(integrations).values(row).returning();
  return created!;
}

/** A live integration of this tenant, or undefined (another tenant's id looks like a missing one). */
export async function findIntegration(
  db: Database,
  tenantId: number,
  id: number,
): Promise<IntegrationRow | undefined> {
  const [row] = await db
    .select()
    .from(integrations)
    .where(and(live(tenantId), eq(integrations.id, id)));
  return row;
}

export async function listIntegrations(
  db: Database,
  tenantId: number,
  page: { limit: number; beforeId?: number | undefined },
): Promise<IntegrationRow[]> {
  return db
    .select()
    .from(integrations)
    .where(page.beforeId ? and(live(tenantId), lt(integrations.id, page.beforeId)) : live(tenantId))
    .orderBy(desc(integrations.id))
    .limit(page.limit);
}

export async function updateIntegration(
  db: Database,
  tenantId: number,
  id: number,
  changes: Partial<NewIntegrationRow>,
): Promise<IntegrationRow | undefined> {
  const [row] = await db
    .update(integrations)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(live(tenantId), eq(integrations.id, id)))
    .returning();
  return row;
}

/** The id the next integration will get (credentials are sealed with it before the insert). */
export async function nextIntegrationId(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `select nextval(pg_get_serial_sequence('integrations', 'id')) as id`,
  );
  return Number(rows[0]!.id);
}
