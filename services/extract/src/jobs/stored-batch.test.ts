import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerRegistry, type BreakerRegistry } from '@tributary/resilience';
import { isRefusedRecord } from '@tributary/contracts';
import { createLogger } from '@tributary/observability';
import { SERVICE_TOKEN, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { insertRunningJob } from '../../../../tests/support/jobs.ts';
import { BackendClient } from '../backend-client.ts';
import { settleStoredBatch, storeInParts } from './stored-batch.ts';

let backend: TestBackend;
let registry: BreakerRegistry;
let client: BackendClient;
let tenant: { id: number; token: string };
let integrationId: number;
/** The RUNNING job the page is stored for: service writes of raw rows must name one (security finding 5). */
let jobId: number;

beforeAll(async () => {
  backend = await startTestBackend();
  await backend.app.listen({ port: 0, host: '127.0.0.1' });
  const address = backend.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  registry = createBreakerRegistry();
  client = new BackendClient({
    baseUrl: `http://127.0.0.1:${address.port}`,
    serviceToken: SERVICE_TOKEN,
    breaker: registry.get('backend'),
    retry: { retries: 0, baseMs: 1, capMs: 1 },
  });
  tenant = await backend.createTenant();
  integrationId = await backend.createIntegration(tenant.token, 'jira');
  jobId = await insertRunningJob(backend.pool, tenant.id, integrationId);
});
afterAll(async () => {
  registry.shutdown();
  await backend.close();
});

const issue = (n: number, extra: Record<string, unknown> = {}) => ({
  external_id: String(20_000 + n),
  raw_data: { id: String(20_000 + n), key: `BIG-${n}`, fields: { summary: `Issue ${n}`, ...extra } },
  extraction_metadata: {},
});

describe('storing a page through the backend', () => {
  it('a page whose body outgrows the limit is split; oversized records are refused alone; the backend breaker stays closed', async () => {
    const huge = 'x'.repeat(17 * 1024 * 1024);
    const records = [issue(1), issue(2, { blob: huge }), issue(3, { blob: huge }), issue(4)];
    const calls: { records: number; last: boolean }[] = [];
    const results = await storeInParts(records, 500, async (part, last) => {
      const answer = await client.storePage(tenant.id, jobId, {
        stream: 'issues',
        entity_type: 'jira_issues',
        records: part,
        progress: { pages: 0, entities: {} },
        page_complete: last,
        ...(last ? { checkpoint: { scope: '', cursor: 'after-big-page' } } : {}),
      });
      // Counted once stored: a part answered 413 is split and sent again.
      calls.push({ records: part.length, last });
      return answer.records;
    });
    expect(results.map((r) => (isRefusedRecord(r) ? r.error.code : 'stored'))).toEqual([
      'stored',
      'RECORD_TOO_LARGE',
      'RECORD_TOO_LARGE',
      'stored',
    ]);
    const outcome = settleStoredBatch(results, {
      jobId: 1,
      entityType: 'jira_issues',
      logger: createLogger('test', { level: 'silent' }),
    });
    expect(outcome.newIds).toHaveLength(2);
    expect(outcome.refused.map((r) => r.external_id)).toEqual(['20002', '20003']);
    expect(registry.get('backend').state).toBe('CLOSED');
    // Split over several calls, the checkpoint (sent with the last only) saved once all were stored.
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.filter((c) => c.last)).toHaveLength(1);
    expect(calls.at(-1)?.last).toBe(true);
    const { rows } = await backend.pool.query<{ cursor: string }>(
      `select cursor from sync_state where integration_id = $1 and stream = 'issues'`,
      [integrationId],
    );
    expect(rows).toEqual([{ cursor: 'after-big-page' }]);
  });
});
