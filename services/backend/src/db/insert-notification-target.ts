import type pg from 'pg';
import type { CreateNotificationTargetBody } from '@tributary/contracts';
import { NOTIFICATION_TARGET_COLUMNS, type NotificationTargetRow } from './notification-target-row.ts';

/** Registers a webhook target of the tenant (its URL already checked against the outbound policy). */
export async function insertNotificationTarget(
  pool: pg.Pool,
  tenantId: number,
  target: CreateNotificationTargetBody,
): Promise<NotificationTargetRow> {
  const { rows } = await pool.query<NotificationTargetRow>(
    `insert into notification_targets (tenant_id, kind, url, events, dead_letter_threshold, breaker_open_minutes)
     values ($1, $2, $3, $4, $5, $6)
     returning ${NOTIFICATION_TARGET_COLUMNS}`,
    [
      tenantId,
      target.kind,
      target.url,
      target.events,
      target.dead_letter_threshold,
      target.breaker_open_minutes,
    ],
  );
  return rows[0]!;
}
