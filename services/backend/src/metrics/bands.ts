import type { DoraKey } from '@tributary/contracts';

type Band = 'elite' | 'high' | 'medium' | 'low';

export interface BandThresholds {
  source: string;
  elite: string | null;
  high: string | null;
  medium: string | null;
  low: string | null;
  rule: string;
}

/**
 * The software delivery performance clusters of the 2024 Accelerate State of DevOps Report
 * (DORA, Google Cloud, October 2024), the report that introduced deployment rework rate.
 */
export const DORA_SOURCE =
  'DORA, Accelerate State of DevOps Report 2024 — software delivery performance clusters';

export const BAND_THRESHOLDS: Record<DoraKey, BandThresholds> = {
  deployment_frequency: {
    source: DORA_SOURCE,
    elite: 'On demand (multiple deploys per day)',
    high: 'Between once per day and once per week',
    medium: 'Between once per week and once per month',
    low: 'Between once per month and once every six months',
    rule: 'per day: ≥ 1 elite; ≥ 1/7 high; ≥ 1/30 medium; else low',
  },
  change_lead_time: {
    source: DORA_SOURCE,
    elite: 'Less than one day',
    high: 'Between one day and one week',
    medium: 'Between one week and one month',
    low: 'Between one month and six months',
    rule: 'median hours: < 24 elite; ≤ 168 high; ≤ 720 medium; else low',
  },
  change_fail_rate: {
    source: DORA_SOURCE,
    elite: '5%',
    high: '20%',
    medium: '10%',
    low: '40%',
    rule: 'the cluster whose published rate is nearest (the report gives one typical rate per cluster, and high’s is above medium’s): < 7.5% elite; < 15% medium; < 30% high; else low',
  },
  failed_deployment_recovery_time: {
    source: DORA_SOURCE,
    elite: 'Less than one hour',
    high: 'Less than one day',
    medium: 'Less than one day',
    low: 'Between one week and one month',
    rule: 'median hours: < 1 elite; < 24 high (medium publishes the same bound, so high wins); else low',
  },
  deployment_rework_rate: {
    source: DORA_SOURCE,
    elite: null,
    high: null,
    medium: null,
    low: null,
    rule: 'the 2024 report measures rework rate but publishes no cluster thresholds for it, so no band is given',
  },
};

/** The band of a value, by the rules above; null when there is no value or no published band. */
export function bandOf(key: DoraKey, value: number | null): Band | null {
  if (value === null) return null;
  switch (key) {
    case 'deployment_frequency':
      return value >= 1 ? 'elite' : value >= 1 / 7 ? 'high' : value >= 1 / 30 ? 'medium' : 'low';
    case 'change_lead_time':
      return value < 24 ? 'elite' : value <= 168 ? 'high' : value <= 720 ? 'medium' : 'low';
    case 'change_fail_rate':
      return value < 0.075 ? 'elite' : value < 0.15 ? 'medium' : value < 0.3 ? 'high' : 'low';
    case 'failed_deployment_recovery_time':
      return value < 1 ? 'elite' : value < 24 ? 'high' : 'low';
    case 'deployment_rework_rate':
      return null;
  }
}
