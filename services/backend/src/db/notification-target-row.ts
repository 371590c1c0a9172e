/** A `notification_targets` row as the API shows it. */
export interface NotificationTargetRow {
  id: number;
  kind: string;
  url: string;
  events: string[];
  dead_letter_threshold: number;
  breaker_open_minutes: number;
  enabled: boolean;
  created_at: Date;
}

/** The columns of a {@link NotificationTargetRow}. */
export const NOTIFICATION_TARGET_COLUMNS =
  'id, kind, url, events, dead_letter_threshold, breaker_open_minutes, enabled, created_at';
