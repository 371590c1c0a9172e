import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tributary/observability';
import { Publisher, QueueConnection, retryTiersFromMs } from '@tributary/queue';
import { startFaultStack, TIERS, withLogs, type FaultStack } from './support/harness.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';
import { insertRunningJob } from '../support/jobs.ts';
import { workerCounts } from '../support/worker-counts.ts';

// Fault 8: a poison message (valid envelope, a raw record that cannot be transformed)
// and invalid messages (bad JSON, wrong schema) end in dead_letters with the reason while
// other messages keep flowing; after the cause is fixed, a replay loads the record once.
// Fault 9: the same transform message delivered twice, and a dead letter replayed twice:
// one row each.
let fault: FaultStack;
let connection: QueueConnection;
let publisher: Publisher;
let service: ApiClient;
let jira: number;
let tenantId: number;
/** The RUNNING job `store` writes for: service writes of raw rows must name one (security finding 5). */
let storeJob: number;
let validIssue: Record<string, unknown> & { fields: Record<string, unknown> };

beforeAll(async () => {
  fault = await startFaultStack({ simulator: { SIM_JIRA_ISSUES: '150' } });
  jira = await fault.register('jira');
  const job = await fault.waitJob(await fault.startRun(jira));
  expect(job.status).toBe('FINISHED');
  tenantId = (
    await fault.pool.query<{ tenant_id: number }>('select tenant_id from integrations where id = $1', [jira])
  ).rows[0]!.tenant_id;
  storeJob = await insertRunningJob(fault.pool, tenantId, jira);
  validIssue = (
    await fault.pool.query<{ raw_data: typeof validIssue }>(
      `select raw_data from raw_extraction_data where entity_type = 'jira_issues' limit 1`,
    )
  ).rows[0]!.raw_data;
  const logger = createLogger('fault-test', { level: 'silent' });
  connection = await new QueueConnection({
    url: fault.amqpUrl,
    prefix: fault.prefix,
    retryTiers: retryTiersFromMs(TIERS),
    logger,
  }).start();
  publisher = new Publisher(connection, { logger });
  service = new ApiClient(fault.stack.urls.backend, fault.stack.serviceToken);
});

afterAll(async () => {
  await publisher?.close();
  await connection?.close();
  await fault?.close();
});

const issue = (n: number) => ({ ...validIssue, id: String(900_000 + n), key: `FAULT-${n}` });

/** Stores raw records as the extractor would (the raw-data API); returns their ids. */
async function store(records: { external_id: string; raw_data: object }[]): Promise<number[]> {
  const response = await fetch(new URL('/api/v1/etl/raw-data/batch', fault.stack.urls.backend), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${service.token}`,
      'x-tenant-id': String(tenantId),
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      records: records.map((r) => ({
        integration_id: jira,
        entity_type: 'jira_issues',
        extraction_metadata: {},
        job_id: storeJob,
        ...r,
      })),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { records: { record_id: number }[] }).records.map((r) => r.record_id);
}

const transform = (rawIds: number[]) => ({
  v: 1,
  tenant_id: tenantId,
  integration_id: jira,
  job_id: null,
  entity_type: 'jira_issues',
  raw_ids: rawIds,
});
const issueRows = (key: string) =>
  fault.count('select 1 from jira_issues where key = $1 and integration_id = $2', [key, jira]);

describe('faults 8 and 9: poison, invalid and duplicate messages, double replay', () => {
  it('poison and invalid messages are dead-lettered with their reason; the good record in between loads', async () => {
    await withLogs(fault, async () => {
      const [good, poison] = await store([
        { external_id: issue(1).id, raw_data: issue(1) },
        { external_id: '900002', raw_data: { id: '900002', key: 'FAULT-2' } },
      ]);
      await publisher.publish('transform.jira_issues', transform([poison!]));
      await publisher.publishRaw(
        connection.names.exchange,
        'transform.jira_issues',
        Buffer.from('{"v":1,"tenant_id":'),
        {
          messageId: 'bad-json-1',
          headers: { 'x-tenant-id': tenantId },
        },
      );
      await publisher.publish(
        'transform.jira_issues',
        { v: 1, tenant_id: tenantId, entity_type: 'jira_issues' },
        { messageId: 'bad-schema-1' },
      );
      await publisher.publish('transform.jira_issues', transform([good!]));

      await waitFor(
        async () => (await fault.count('select 1 from dead_letters')) >= 3,
        30_000,
        'three dead letters',
      );
      const reasons = (await fault.deadLetters()).map((d) => d.reason);
      expect(reasons).toHaveLength(3);
      expect(reasons.find((r) => r.includes('could not be transformed'))).toContain('raw');
      expect(reasons.find((r) => r.startsWith('invalid JSON'))).toBeTruthy();
      expect(reasons.find((r) => r.includes('raw_ids'))).toBeTruthy();
      await waitFor(async () => (await issueRows('FAULT-1')) === 1, 30_000, 'the good record to load');
      expect(await issueRows('FAULT-2')).toBe(0);
      const { rows } = await fault.pool.query<{ status: string; error: string }>(
        'select status, error from raw_extraction_data where id = $1',
        [poison],
      );
      expect(rows[0]!.status).toBe('failed');
    });
  });

  it('after the cause is fixed, replaying the poison dead letter twice loads the record exactly once', async () => {
    await withLogs(fault, async () => {
      const poison = (
        await fault.pool.query<{ id: number }>(
          `select id from raw_extraction_data where external_id = '900002'`,
        )
      ).rows[0]!.id;
      // "The cause is fixed": the record is now one the transformer accepts.
      await fault.pool.query('update raw_extraction_data set raw_data = $2 where id = $1', [
        poison,
        JSON.stringify(issue(2)),
      ]);
      const deadId = (
        await fault.pool.query<{ id: number }>(
          `select id from dead_letters where reason like '%could not be transformed%'`,
        )
      ).rows[0]!.id;
      const first = await fault.api.ok<{ replayed: number[] }>('POST', '/api/v1/dead-letters/replay', {
        ids: [deadId],
      });
      const second = await fault.api.ok<{ replayed: number[] }>('POST', '/api/v1/dead-letters/replay', {
        ids: [deadId],
      });
      expect(first).toMatchObject({ replayed: [deadId], skipped: [] });
      // The second replay sends nothing and says why: there is no second copy to wait for.
      expect(second).toMatchObject({ replayed: [], skipped: [{ id: deadId, reason: 'already replayed' }] });
      await waitFor(
        async () =>
          (
            await fault.pool.query(
              `select 1 from raw_extraction_data where id = $1 and status = 'completed'`,
              [poison],
            )
          ).rowCount === 1,
        30_000,
        'the replayed record to load',
      );
      expect(await issueRows('FAULT-2')).toBe(1);
      const { rows } = await fault.pool.query<{ attempts: number }>(
        'select attempts from raw_extraction_data where id = $1',
        [poison],
      );
      expect(rows[0]!.attempts).toBe(2); // failed once, loaded once
      expect(
        (await fault.deadLetters()).filter((d) => d.reason.includes('could not be transformed')),
      ).toHaveLength(1);
    });
  });

  it('the same transform message delivered twice loads its record once', async () => {
    await withLogs(fault, async () => {
      const [id] = await store([{ external_id: issue(3).id, raw_data: issue(3) }]);
      const before = await workerCounts(fault.stack.urls.worker);
      await Promise.all([
        publisher.publish('transform.jira_issues', transform([id!]), { messageId: 'twice-1' }),
        publisher.publish('transform.jira_issues', transform([id!]), { messageId: 'twice-1' }),
      ]);
      // Both deliveries were handled to the end (the positive signal), and one of them loaded the record.
      const after = await waitFor(
        async () => {
          const counts = await workerCounts(fault.stack.urls.worker);
          return counts.handled - before.handled >= 2 ? counts : null;
        },
        30_000,
        'both deliveries handled',
      );
      expect({ handled: after.handled - before.handled, loaded: after.loaded - before.loaded }).toEqual({
        handled: 2,
        loaded: 1,
      });
      expect(await issueRows('FAULT-3')).toBe(1);
      const { rows } = await fault.pool.query<{ attempts: number; status: string }>(
        'select attempts, status from raw_extraction_data where id = $1',
        [id],
      );
      expect(rows[0]).toEqual({ attempts: 1, status: 'completed' });
      // Nothing new in the dead letters, and the source data is still whole.
      expect(await fault.count('select 1 from dead_letters')).toBe(3);
      expect(await fault.count('select 1 from jira_issues where integration_id = $1', [jira])).toBe(
        (await fault.truth()).jira.issues + 3,
      );
    });
  });
});
