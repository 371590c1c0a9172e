import type { MetricScopeQuery, MetricSettings } from '@tributary/contracts';
import type { Queryable } from '../flow/transaction.ts';

/** What every metric query is scoped by (DESIGN §9): tenant, `[from, to)`, filters, and the tenant's definitions. */
export interface MetricScope {
  tenantId: number;
  from: Date;
  to: Date;
  integrationIds: number[];
  repositories: string[];
  projects: string[];
  settings: MetricSettings;
}

export const DEFAULT_METRIC_SETTINGS: MetricSettings = {
  production_environments: ['production', 'prod'],
  incident_issue_types: ['Incident'],
  incident_labels: [],
};

export async function loadMetricSettings(db: Queryable, tenantId: number): Promise<MetricSettings> {
  const { rows } = await db.query<{
    production_environments: string[];
    incident_issue_types: string[];
    incident_labels: string[];
  }>(
    `select production_environments, incident_issue_types, incident_labels from tenant_metric_settings where tenant_id = $1`,
    [tenantId],
  );
  return rows[0] ?? DEFAULT_METRIC_SETTINGS;
}

export async function saveMetricSettings(
  db: Queryable,
  tenantId: number,
  settings: MetricSettings,
): Promise<MetricSettings> {
  await db.query(
    `insert into tenant_metric_settings (tenant_id, production_environments, incident_issue_types, incident_labels, updated_at)
     values ($1, $2, $3, $4, now())
     on conflict (tenant_id) do update set production_environments = excluded.production_environments,
       incident_issue_types = excluded.incident_issue_types, incident_labels = excluded.incident_labels, updated_at = now()`,
    [tenantId, settings.production_environments, settings.incident_issue_types, settings.incident_labels],
  );
  return settings;
}

export async function scopeFor(
  db: Queryable,
  tenantId: number,
  query: MetricScopeQuery,
): Promise<MetricScope> {
  return {
    tenantId,
    from: query.from,
    to: query.to,
    integrationIds: query.integration_id,
    repositories: query.repository,
    projects: query.project,
    settings: await loadMetricSettings(db, tenantId),
  };
}

/**
 * The positional parameters every metric query shares:
 * $1 tenant, $2 from, $3 to, $4 integration ids (null = all), $5 repositories (null = all),
 * $6 project keys (null = all), $7 production environments (lower case), $8 incident issue types
 * (lower case), $9 incident labels.
 */
export function scopeParams(scope: MetricScope): unknown[] {
  const orNull = <T>(list: T[]): T[] | null => (list.length > 0 ? list : null);
  return [
    scope.tenantId,
    scope.from,
    scope.to,
    orNull(scope.integrationIds),
    orNull(scope.repositories),
    orNull(scope.projects),
    scope.settings.production_environments.map((e) => e.toLowerCase()),
    scope.settings.incident_issue_types.map((t) => t.toLowerCase()),
    scope.settings.incident_labels,
  ];
}

/** Seconds → hours, as every duration is reported. */
export const HOURS = (interval: string) => `(extract(epoch from (${interval})) / 3600.0)::float8`;
