import type pg from 'pg';
import type { Logger } from '@tributary/observability';
import { refreshFlowSummaries, tenantsToRefresh } from '../metrics/flow-summary.ts';
import { startPeriodic, type Periodic } from '../periodic.ts';

export interface FlowSummaryPass {
  rebuilt: number;
  folded: number;
}

/**
 * One pass over every tenant with work: rebuilds those whose flow configuration moved on (and
 * the migration's backfill), folds the change log of the others — so the log stays bounded even
 * for a tenant nobody queries, and requests find their fold short. Several workers may run it at
 * once: they take turns per tenant (flow-summary.ts locks), the second finding the work done.
 */
export async function refreshAllFlowSummaries(pool: pg.Pool, signal?: AbortSignal): Promise<FlowSummaryPass> {
  const pass: FlowSummaryPass = { rebuilt: 0, folded: 0 };
  for (const tenantId of await tenantsToRefresh(pool)) {
    if (signal?.aborted) break;
    const result = await refreshFlowSummaries(pool, tenantId);
    if (result.full) pass.rebuilt += 1;
    else pass.folded += result.issues;
  }
  return pass;
}

/** Runs {@link refreshAllFlowSummaries} every `intervalSeconds` until stopped. */
export function startFlowSummaryJob(pool: pg.Pool, logger: Logger, intervalSeconds: number): Periodic {
  // A long rebuild still going is not joined by another pass.
  return startPeriodic(
    { intervalSeconds, logger, failure: 'flow summary pass failed; will try again' },
    async (signal) => {
      const pass = await refreshAllFlowSummaries(pool, signal);
      if (pass.rebuilt > 0 || pass.folded > 0) logger.info(pass, 'flow summaries refreshed');
    },
  );
}
