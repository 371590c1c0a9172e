import { z } from 'zod';
import { errorMessage, jobErrorCodeSchema } from '@tributary/contracts';
import type { Database } from '@tributary/db';
import { CredentialsUnreadableError, type CredentialsCipher } from '../security/credentials-cipher.ts';
import { updateIntegration, type IntegrationRow } from '../db/integrations.ts';

export interface ConnectionTestResult {
  ok: boolean;
  error: string | null;
  /** CONFIG_INVALID, CREDENTIALS_REJECTED, SOURCE_UNREACHABLE, RATE_LIMITED, SOURCE_ERROR; null when ok. */
  code: string | null;
  at: string;
}

const answerSchema = z.object({
  ok: z.boolean().optional(),
  error: z.string().optional(),
  code: jobErrorCodeSchema.optional(),
});

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
  let code: string | null = null;
  let credentials: unknown;
  try {
    credentials = cipher.open(integration.tenantId, integration.id, {
      ciphertext: integration.credentialsEncrypted,
      keyId: integration.credentialsKeyId,
    });
  } catch (cause) {
    // Anything but an unreadable row is a bug: it answers 500.
    if (!(cause instanceof CredentialsUnreadableError)) throw cause;
    // Not the extract service's fault: the key these were sealed with is not configured here
    // (the message names the key id).
    error = `stored credentials cannot be decrypted (${cause.message}); set the key they were sealed with in TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS, or enter the credentials again`;
    code = 'CONFIG_INVALID';
  }
  if (credentials !== undefined)
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
      const parsed = answerSchema.safeParse(await response.json().catch(() => ({})));
      const body = parsed.success ? parsed.data : {};
      ok = response.ok && body.ok === true;
      error = ok ? null : (body.error ?? `extract service answered ${response.status}`);
      code = ok ? null : (body.code ?? null);
    } catch (cause) {
      error = `extract service unreachable: ${errorMessage(cause)}`;
    }
  const at = new Date();
  await updateIntegration(db, integration.tenantId, integration.id, {
    lastTestOk: ok,
    lastTestAt: at,
    lastTestError: error,
  });
  return { ok, error, code, at: at.toISOString() };
}
