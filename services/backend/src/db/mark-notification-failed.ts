import type pg from 'pg';

/** Sending gave up: the receiver's last HTTP status (null when none answered) and why. */
export async function markNotificationFailed(
  pool: pg.Pool,
  deliveryId: number,
  responseStatus: number | null,
  error: string,
): Promise<void> {
  await pool.query(
    `update notification_deliveries set status = 'failed', attempts = greatest(attempts, 1), response_status = $2, error = $3 where id = $1`,
    [deliveryId, responseStatus, error],
  );
}
