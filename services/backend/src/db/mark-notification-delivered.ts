import type pg from 'pg';

/** The receiver took the notice: after how many attempts, with which HTTP status. */
export async function markNotificationDelivered(
  pool: pg.Pool,
  deliveryId: number,
  attempts: number,
  responseStatus: number,
): Promise<void> {
  await pool.query(
    `update notification_deliveries set status = 'delivered', attempts = $2, response_status = $3, delivered_at = now() where id = $1`,
    [deliveryId, attempts, responseStatus],
  );
}
