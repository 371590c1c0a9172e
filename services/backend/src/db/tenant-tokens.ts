import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import { generateApiToken, hashToken } from '../security/tokens.ts';

/** Revokes every live token of a tenant; null when the tenant does not exist. */
export async function revokeTenantTokens(pool: pg.Pool, tenantId: number): Promise<number | null> {
  return withTransaction(pool, (client) => revokeLiveTokens(client, tenantId));
}

/** Revokes every live token of a tenant and issues one new token, together; null when the tenant does not exist. */
export async function rotateTenantToken(
  pool: pg.Pool,
  tenantId: number,
): Promise<{ token: string; revoked: number } | null> {
  const token = generateApiToken();
  return withTransaction(pool, async (client) => {
    const revoked = await revokeLiveTokens(client, tenantId);
    if (revoked === null) return null;
    await client.query('insert into api_tokens (tenant_id, token_hash, prefix) values ($1, $2, $3)', [
      tenantId,
      hashToken(token),
      token.slice(0, 8),
    ]);
    return { token, revoked };
  });
}

/** Locks the tenant row (so a rotation and a revocation do not interleave) and revokes its live tokens. */
async function revokeLiveTokens(client: pg.PoolClient, tenantId: number): Promise<number | null> {
  const tenant = await client.query('select id from tenants where id = $1 for update', [tenantId]);
  if (tenant.rowCount !== 1) return null;
  const { rowCount } = await client.query(
    'update api_tokens set revoked_at = now() where tenant_id = $1 and revoked_at is null',
    [tenantId],
  );
  return rowCount ?? 0;
}
