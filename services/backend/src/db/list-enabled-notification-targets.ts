import type pg from 'pg';
import type { NotificationEvent } from '@tributary/contracts';

/** A `notification_targets` row as the notifier reads it. */
export interface EnabledNotificationTarget {
  id: number;
  tenant_id: number;
  kind: 'slack' | 'webhook';
  url: string;
  events: NotificationEvent[];
  dead_letter_threshold: number;
  breaker_open_minutes: number;
  created_at: Date;
}

/** Every tenant's enabled targets, oldest first: what one notifier pass goes through. */
export async function listEnabledNotificationTargets(pool: pg.Pool): Promise<EnabledNotificationTarget[]> {
  const { rows } = await pool.query<EnabledNotificationTarget>(
    `select id, tenant_id, kind, url, events, dead_letter_threshold, breaker_open_minutes, created_at
     from notification_targets where enabled order by id`,
  );
  return rows;
}
