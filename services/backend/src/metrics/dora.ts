import type { DoraAnswer, DoraKey } from '@tributary/contracts';
import type { Queryable } from '../flow/transaction.ts';
import { BAND_THRESHOLDS, bandOf } from './bands.ts';
import { changeFailRate, changeFailRateItems } from './change-fail-rate.ts';
import { changeLeadTime, changeLeadTimeItems } from './change-lead-time.ts';
import { deploymentFrequency, deploymentFrequencyItems } from './deployment-frequency.ts';
import { reworkRate, reworkRateItems } from './deployment-rework-rate.ts';
import { recoveryTime, recoveryTimeItems } from './failed-deployment-recovery-time.ts';
import type { ItemsPage } from './run.ts';
import type { MetricScope } from './scope.ts';

function metric(
  key: DoraKey,
  value: number | null,
  unit: string,
  count: number,
  itemsUrl: (key: DoraKey) => string,
) {
  return {
    value: count === 0 ? null : value,
    unit,
    count,
    band: bandOf(key, count === 0 ? null : value),
    band_thresholds: BAND_THRESHOLDS[key],
    items_url: itemsUrl(key),
  };
}

/** The five DORA metrics of the scope; the queries run side by side on the pool. */
export async function doraMetrics(
  db: Queryable,
  scope: MetricScope,
  itemsUrl: (key: DoraKey) => string,
): Promise<DoraAnswer> {
  const [frequency, leadTime, failRate, recovery, rework] = await Promise.all([
    deploymentFrequency(db, scope),
    changeLeadTime(db, scope),
    changeFailRate(db, scope),
    recoveryTime(db, scope),
    reworkRate(db, scope),
  ]);
  return {
    deployment_frequency: {
      ...metric('deployment_frequency', frequency.perDay, 'deployments/day', frequency.total, itemsUrl),
      total: frequency.total,
      per_week: frequency.perWeek,
    },
    change_lead_time: {
      ...metric('change_lead_time', leadTime.median, 'hours', leadTime.count, itemsUrl),
      per_week: leadTime.perWeek,
    },
    change_fail_rate: {
      ...metric('change_fail_rate', failRate.value, 'fraction', failRate.count, itemsUrl),
      per_week: failRate.perWeek,
    },
    failed_deployment_recovery_time: {
      ...metric('failed_deployment_recovery_time', recovery.median, 'hours', recovery.count, itemsUrl),
      per_week: recovery.perWeek,
    },
    deployment_rework_rate: {
      ...metric('deployment_rework_rate', rework.value, 'fraction', rework.count, itemsUrl),
      per_week: rework.perWeek,
    },
  };
}

export function doraItems(
  db: Queryable,
  scope: MetricScope,
  key: DoraKey,
  limit: number,
  offset: number,
): Promise<ItemsPage<Record<string, unknown>>> {
  switch (key) {
    case 'deployment_frequency':
      return deploymentFrequencyItems(db, scope, limit, offset);
    case 'change_lead_time':
      return changeLeadTimeItems(db, scope, limit, offset);
    case 'change_fail_rate':
      return changeFailRateItems(db, scope, limit, offset);
    case 'failed_deployment_recovery_time':
      return recoveryTimeItems(db, scope, limit, offset);
    case 'deployment_rework_rate':
      return reworkRateItems(db, scope, limit, offset);
  }
}
