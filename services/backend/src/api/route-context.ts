import type pg from 'pg';
import type { Database } from '@tributary/db';
import type { BackendConfig } from '../config.ts';
import type { CredentialsCipher } from '../security/credentials-cipher.ts';
import type { Publisher, QueueConnection } from '@tributary/queue';
import type { Resolver } from '@tributary/netguard';
import type { FlowSummaryKicker } from '../metrics/flow-summary-kick.ts';

/** What every route group is given: the app with zod typing, and the shared resources. */
export interface RouteContext {
  pool: pg.Pool;
  db: Database;
  cipher: CredentialsCipher;
  config: BackendConfig;
  /** The broker connection and publisher; throws a 503 when the broker is not configured. */
  requireQueue: () => { connection: QueueConnection; publisher: Publisher };
  /** Host name resolution for base-URL checks; tests inject one, else the system resolver. */
  resolve?: Resolver;
  /** Background refreshes of the flow summaries (after a configuration change, or found behind). */
  flowSummaries: FlowSummaryKicker;
}
