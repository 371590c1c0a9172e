import type pg from 'pg';
import { secretsEqual } from '@tributary/contracts';
import { hashToken } from '../security/tokens.ts';
import type { Viewer } from './event-types.ts';

/**
 * The viewer a token speaks for, with the same rules as the HTTP bearer check
 * (plugins/auth.ts): the admin token, or a tenant token that is not revoked. The
 * service token opens no socket: the live channel is for people.
 */
export async function viewerForToken(
  pool: pg.Pool,
  adminToken: string,
  token: string,
): Promise<Viewer | null> {
  if (secretsEqual(token, adminToken)) return { kind: 'admin' };
  const { rows } = await pool.query<{ tenant_id: number }>(
    'select tenant_id from api_tokens where token_hash = $1 and revoked_at is null',
    [hashToken(token)],
  );
  const row = rows[0];
  return row ? { kind: 'tenant', tenantId: Number(row.tenant_id) } : null;
}
