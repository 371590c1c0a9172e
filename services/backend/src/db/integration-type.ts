import type pg from 'pg';

/** An integration's type (`jira`, `github`), or undefined when there is no such integration. */
export async function integrationType(
  db: pg.Pool | pg.PoolClient,
  integrationId: number,
): Promise<string | undefined> {
  const { rows } = await db.query<{ type: string }>('select type from integrations where id = $1', [
    integrationId,
  ]);
  return rows[0]?.type;
}
