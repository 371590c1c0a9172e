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

/** One metric's answer: its value (null when nothing counted), band, and trend. */
function metric<Week>(
  key: DoraKey,
  unit: string,
  { value, count, perWeek }: { value: number | null; count: number; perWeek: Week[] },
  itemsUrl: (key: DoraKey) => string,
) {
  const shown = count === 0 ? null : value;
  return {
    value: shown,
    unit,
    count,
    band: bandOf(key, shown),
    band_thresholds: BAND_THRESHOLDS[key],
    items_url: itemsUrl(key),
    per_week: perWeek,
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
  const { total, perDay, perWeek } = frequency;
  return {
    deployment_frequency: {
      ...metric(
        'deployment_frequency',
        'deployments/day',
        { value: perDay, count: total, perWeek },
        itemsUrl,
      ),
      total,
    },
    change_lead_time: metric('change_lead_time', 'hours', leadTime, itemsUrl),
    change_fail_rate: metric('change_fail_rate', 'fraction', failRate, itemsUrl),
    failed_deployment_recovery_time: metric('failed_deployment_recovery_time', 'hours', recovery, itemsUrl),
    deployment_rework_rate: metric('deployment_rework_rate', 'fraction', rework, itemsUrl),
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
