import type pg from 'pg';

export interface NotificationDeliveryRow {
  id: number;
  event: string;
  status: string;
  attempts: number;
  response_status: number | null;
  error: string | null;
  payload: unknown;
  created_at: Date;
  delivered_at: Date | null;
}

/** What was sent to one of the tenant's targets, newest first (the last 200). */
export async function listNotificationDeliveries(
  pool: pg.Pool,
  tenantId: number,
  targetId: number,
): Promise<NotificationDeliveryRow[]> {
  const { rows } = await pool.query<NotificationDeliveryRow>(
    `select id, event, status, attempts, response_status, error, payload, created_at, delivered_at
     from notification_deliveries where target_id = $1 and tenant_id = $2 order by id desc limit 200`,
    [targetId, tenantId],
  );
  return rows;
}
