import type pg from 'pg';
import type { CredentialsCipher } from './credentials-cipher.ts';

export interface RotationResult {
  /** Rows re-sealed with the current key in the current envelope. */
  rotated: number;
  /** Rows that were already current. */
  unchanged: number;
  key_id: string;
}

/**
 * Re-encrypts every integration's credentials with the current key (and the envelope that binds
 * the integration id), so older keys can be dropped from TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS. Each
 * row is rewritten with a compare-and-set on its old ciphertext: a concurrent credentials update
 * wins and is left alone. Safe to run again.
 */
export async function rotateCredentials(pool: pg.Pool, cipher: CredentialsCipher): Promise<RotationResult> {
  const { rows } = await pool.query<{
    id: string;
    tenant_id: string;
    credentials_encrypted: string;
    credentials_key_id: string;
  }>(
    `select id, tenant_id, credentials_encrypted, credentials_key_id from integrations where credentials_encrypted <> '' order by id`,
  );
  let rotated = 0;
  let unchanged = 0;
  for (const row of rows) {
    const sealed = { ciphertext: row.credentials_encrypted, keyId: row.credentials_key_id };
    if (!cipher.needsRewrap(sealed)) {
      unchanged++;
      continue;
    }
    const tenantId = Number(row.tenant_id);
    const id = Number(row.id);
    const fresh = cipher.seal(tenantId, id, cipher.open(tenantId, id, sealed));
    const { rowCount } = await pool.query(
      `update integrations set credentials_encrypted = $2, credentials_key_id = $3
       where id = $1 and credentials_encrypted = $4`,
      [id, fresh.ciphertext, fresh.keyId, row.credentials_encrypted],
    );
    if (rowCount === 1) rotated++;
  }
  return { rotated, unchanged, key_id: cipher.currentKeyId };
}
