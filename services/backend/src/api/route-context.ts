import type pg from 'pg';
import type { Database } from '@tributary/db';
import type { BackendConfig } from '../config.ts';
import type { CredentialsCipher } from '../security/credentials-cipher.ts';

/** What every route group is given: the app with zod typing, and the shared resources. */
export interface RouteContext {
  pool: pg.Pool;
  db: Database;
  cipher: CredentialsCipher;
  config: BackendConfig;
}
