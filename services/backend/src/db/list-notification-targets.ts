import type pg from 'pg';
import { NOTIFICATION_TARGET_COLUMNS, type NotificationTargetRow } from './notification-target-row.ts';

/** The tenant's webhook targets, oldest first. */
export async function listNotificationTargets(
  pool: pg.Pool,
  tenantId: number,
): Promise<NotificationTargetRow[]> {
  const { rows } = await pool.query<NotificationTargetRow>(
    `select ${NOTIFICATION_TARGET_COLUMNS} from notification_targets where tenant_id = $1 order by id`,
    [tenantId],
  );
  return rows;
}
