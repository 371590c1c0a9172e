import type pg from 'pg';

export interface NewNotificationDelivery {
  targetId: number;
  tenantId: number;
  event: string;
  /** What makes the notice once per target: a second insert of the same key inserts nothing. */
  eventKey: string;
  payload: unknown;
}

/** Records a notice for a target; its id, or undefined when the target was already told of it. */
export async function insertNotificationDelivery(
  pool: pg.Pool,
  delivery: NewNotificationDelivery,
): Promise<number | undefined> {
  const { rows } = await pool.query<{ id: number }>(
    `insert into notification_deliveries (target_id, tenant_id, event, event_key, payload) values ($1, $2, $3, $4, $5)
     on conflict (target_id, event_key) do nothing returning id`,
    [
      delivery.targetId,
      delivery.tenantId,
      delivery.event,
      delivery.eventKey,
      JSON.stringify(delivery.payload),
    ],
  );
  return rows[0]?.id;
}
