import type pg from 'pg';
import { CredentialsUnreadableError, type CredentialsCipher } from './credentials-cipher.ts';

/**
 * At start: for every key id the stored credentials use, open one row with it. A missing or wrong
 * key then stops the backend at once, naming the key id, instead of surfacing hours later as a
 * failed run or a misleading "extract service unreachable".
 */
export async function verifyEncryptionKeys(pool: pg.Pool, cipher: CredentialsCipher): Promise<void> {
  const { rows } = await pool.query<{
    id: number;
    tenant_id: number;
    credentials_encrypted: string;
    credentials_key_id: string;
  }>(
    `select distinct on (credentials_key_id) id, tenant_id, credentials_encrypted, credentials_key_id
     from integrations where credentials_encrypted <> '' order by credentials_key_id, id`,
  );
  for (const row of rows) {
    try {
      cipher.open(Number(row.tenant_id), Number(row.id), {
        ciphertext: row.credentials_encrypted,
        keyId: row.credentials_key_id,
      });
    } catch (error) {
      if (!(error instanceof CredentialsUnreadableError)) throw error;
      throw new Error(
        `encryption key ${row.credentials_key_id} cannot open stored credentials (integration ${row.id}): ` +
          `${error.message}; set it in TRIBUTARY_ENCRYPTION_KEY or TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS`,
        { cause: error },
      );
    }
  }
}
