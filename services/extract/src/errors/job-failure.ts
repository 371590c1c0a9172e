import type { IntegrationWithCredentials } from '../backend-client.ts';
import { classifyError, secretsOf, type ClassifiedError } from './classify.ts';

/** A failed run's code, message (source's words, scrubbed of this integration's secrets) and retryability. */
export function classifyJobFailure(
  error: unknown,
  integration: IntegrationWithCredentials | undefined,
): ClassifiedError {
  return classifyError(error, {
    source: integration?.type ?? 'source',
    ...(integration ? { baseUrl: integration.base_url, secrets: secretsOf(integration.credentials) } : {}),
  });
}
