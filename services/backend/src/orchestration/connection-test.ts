import type { Database } from '@tributary/db';
import type { CredentialsCipher } from '../security/credentials-cipher.ts';
import { updateIntegration, type IntegrationRow } from '../db/integrations.ts';

export interface ConnectionTestResult {
  ok: boolean;
  error: string | null;
  at: string;
}

/**
 * Asks the extract service to reach the source with the integration's
 * credentials (it owns every outbound call), and records the outcome: enabling
 * an integration requires the last test to have passed.
 */
export async function testConnection(
  db: Database,
  cipher: CredentialsCipher,
  integration: IntegrationRow,
  extract: { url: string; extractToken: string },
): Promise<ConnectionTestResult> {
  let ok = false;
  let error: string | null = null;
  // Outside the try: a key that cannot open the row is the operator's problem, not an
  // unreachable extract service (it answers 500 and the log names the key id).
  const credentials = cipher.open(integration.tenantId, integration.id, {
    ciphertext: integration.credentialsEncrypted,
    keyId: integration.credentialsKeyId,
  });
  try {
    const response = await fetch(new URL('/internal/connection-test', extract.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${extract.extractToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: integration.id,
        type: integration.type,
        base_url: integration.baseUrl,
        config: integration.config,
        credentials,
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json().catch(() => ({}))) as { ok?: boolean; error?: string };
    ok = response.ok && body.ok === true;
    error = ok ? null : (body.error ?? `extract service answered ${response.status}`);
  } catch (cause) {
    error = `extract service unreachable: ${(cause as Error).message}`;
  }
  const at = new Date();
  await updateIntegration(db, integration.tenantId, integration.id, { lastTestOk: ok, lastTestAt: at, lastTestError: error });
  return { ok, error, at: at.toISOString() };
}
