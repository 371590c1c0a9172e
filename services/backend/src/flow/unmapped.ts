import type { z } from 'zod';
import type { unmappedStatusSchema } from '@tributary/contracts';
import { unmappedStatuses } from '../db/flow/unmapped-statuses.ts';
import type { Queryable } from './transaction.ts';

export type UnmappedStatus = z.infer<typeof unmappedStatusSchema>;

/**
 * Statuses seen in `jira_statuses` or in transitions (either side) with no active mapping onto
 * an active step (for any issue type), one row per integration and status ignoring case.
 */
export async function listUnmapped(
  db: Queryable,
  tenantId: number,
  integrationId?: number,
): Promise<UnmappedStatus[]> {
  const rows = await unmappedStatuses(db, tenantId, integrationId ?? null);
  return rows.map((r) => ({
    integration_id: Number(r.integration_id),
    status: r.status,
    category_key: r.category_key,
    seen_in: r.seen_in,
    issues: r.issues,
  }));
}
