import { expect } from 'vitest';
import type { ApiClient } from './api-client.ts';
import { waitFor } from './wait.ts';

/** A job as the API shows it once it has ended. */
export interface EndedJob {
  id: number;
  status: string;
  error: string | null;
}

const ENDED = ['FINISHED', 'FAILED', 'CANCELLED'];

/** Created, its connection test passed, and enabled, through the API (for tests whose subject is something else). */
export async function registerIntegration(api: ApiClient, body: object): Promise<number> {
  const created = await api.ok<{ id: number }>('POST', '/api/v1/integrations', body);
  const test = await api.ok<{ ok: boolean; error: string | null }>(
    'POST',
    `/api/v1/integrations/${created.id}/test`,
  );
  expect(test).toMatchObject({ ok: true, error: null });
  await api.ok('PATCH', `/api/v1/integrations/${created.id}`, { enabled: true });
  return created.id;
}

/** Waits until the job has ended (FINISHED, FAILED or CANCELLED) and answers it. */
export function jobEnded(api: ApiClient, jobId: number, timeoutMs = 120_000): Promise<EndedJob> {
  return waitFor(
    async () => {
      const job = await api.ok<EndedJob>('GET', `/api/v1/jobs/${jobId}`);
      return ENDED.includes(job.status) ? job : null;
    },
    timeoutMs,
    `job ${jobId} to end`,
  );
}

/** Starts a run of the integration (202) and waits until its job has ended. */
export async function runToEnd(
  api: ApiClient,
  integrationId: number,
  body: object = {},
  timeoutMs = 120_000,
): Promise<EndedJob> {
  const { status, body: started } = await api.request<{ job_id: number }>(
    'POST',
    `/api/v1/integrations/${integrationId}/runs`,
    body,
  );
  expect(status).toBe(202);
  return jobEnded(api, started.job_id, timeoutMs);
}
