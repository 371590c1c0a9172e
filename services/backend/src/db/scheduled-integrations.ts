import type pg from 'pg';

export interface ScheduledIntegration {
  id: number;
  tenant_id: number;
  schedule: string;
  last_scheduled_at: Date | null;
  created_at: Date;
}

/** Every enabled, live integration that has a schedule (across tenants: the scheduler serves them all). */
export async function scheduledIntegrations(pool: pg.Pool): Promise<ScheduledIntegration[]> {
  const { rows } = await pool.query<ScheduledIntegration>(
    `select id, tenant_id, schedule, last_scheduled_at, created_at from integrations
     where enabled and schedule is not null and deleted_at is null`,
  );
  return rows;
}
