import { z } from 'zod';
import type { jobView } from '../db/jobs.ts';
import type { deadLetterView } from '../dead-letters/dead-letter-view.ts';
import type { SystemHealth } from '@tributary/contracts';

/** The channel the migration's triggers notify on (0006_dashboard_events.sql). */
export const EVENTS_CHANNEL = 'tributary_events';

/** A NOTIFY payload: which row changed; listeners re-read it (payloads stay far below the 8000-byte cap). */
export const changeNotificationSchema = z.object({
  table: z.enum(['etl_jobs', 'dead_letters']),
  id: z.number().int().positive(),
  tenant_id: z.number().int().positive().nullable(),
  status_changed: z.boolean(),
});
export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

/** What a WebSocket client sends first: its token, in the message rather than the URL (URLs end up in logs). */
export const authMessageSchema = z.strictObject({
  type: z.literal('auth'),
  token: z.string().min(1).max(512),
});

/** Messages the server pushes (wire JSON, snake_case). */
export type LiveEvent =
  | { type: 'hello'; tenant_id: number | null; admin: boolean }
  | { type: 'job_status'; job: ReturnType<typeof jobView> }
  | { type: 'progress_update'; job: ReturnType<typeof jobView> }
  | { type: 'dead_letter'; dead_letter: ReturnType<typeof deadLetterView> }
  | { type: 'system_health'; health: SystemHealth }
  /** The listener lost notifications (its connection dropped): clients re-read what they show. */
  | { type: 'resync' };

/** Who a connected socket speaks for. */
export type Viewer = { kind: 'admin' } | { kind: 'tenant'; tenantId: number };
