import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import { generateApiToken, hashToken } from '../security/tokens.ts';

export interface CreatedTenant {
  id: number;
  name: string;
  token: string;
}

/** A tenant and its first API token, together or not at all. */
export async function createTenantWithToken(pool: pg.Pool, name: string): Promise<CreatedTenant> {
  const token = generateApiToken();
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: number; name: string }>(
      'insert into tenants (name) values ($1) returning id, name',
      [name],
    );
    const tenant = rows[0]!;
    await client.query('insert into api_tokens (tenant_id, token_hash, prefix) values ($1, $2, $3)', [
      tenant.id,
      hashToken(token),
      token.slice(0, 8),
    ]);
    return { ...tenant, token };
  });
}
