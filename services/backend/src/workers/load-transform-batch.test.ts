import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformMessage } from '@tributary/contracts';
import { createLogger } from '@tributary/observability';
import { PermanentError } from '@tributary/queue';
import { startTestPipeline, type TestPipeline } from '../../../../tests/support/pipeline.ts';
import { ghPullSingle, jiraIssue } from './transformers/fixtures.ts';
import { handleTransformMessages } from './transform-consumer.ts';
import { lockJobForPage } from '../db/lock-job-for-page.ts';
import { bearer } from '../../../../tests/support/backend.ts';
import { insertRunningJob } from '../../../../tests/support/jobs.ts';

// Several transform messages in one transaction, driven directly (no broker timing decides how
// they are grouped): each message still gets its own verdict.
let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(async () => p.close());

const logger = createLogger('test', { level: 'silent' });

function issue(n: number, fields: Record<string, unknown> = {}): Record<string, unknown> & { id: string } {
  const base = jiraIssue() as { fields: Record<string, unknown> };
  return { ...base, id: String(40_000 + n), key: `BT-${n}`, fields: { ...base.fields, ...fields } };
}

const message = (
  entityType: TransformMessage['entity_type'],
  rawIds: number[],
  jobId: number | null,
): TransformMessage => ({
  v: 1,
  tenant_id: p.tenant.id,
  integration_id: p.integrationId,
  job_id: jobId,
  entity_type: entityType,
  raw_ids: rawIds,
});

const query = async <T extends object>(sql: string, params: unknown[] = []) =>
  (await p.backend.pool.query<T & Record<string, unknown>>(sql, params)).rows;

describe('several transform messages in one transaction', () => {
  it('a poison record fails its own message only; a duplicate is loaded once; counts are per job', async () => {
    const goodIds = await p.storeRaw(
      [1, 2].map((n) => ({ entity_type: 'jira_issues', external_id: issue(n).id, raw_data: issue(n) })),
    );
    const goodJob = p.storeJobIds.at(-1)!;
    const mixed = [issue(3), issue(4, { updated: 'not a date' })];
    const mixedIds = await p.storeRaw(
      mixed.map((r) => ({ entity_type: 'jira_issues', external_id: r.id, raw_data: r })),
    );
    const mixedJob = p.storeJobIds.at(-1)!;
    const pull = { ...ghPullSingle(), id: 77_001, number: 9001 };
    const pullIds = await p.storeRaw([
      { entity_type: 'github_pull_requests', external_id: String(pull.id), raw_data: pull },
    ]);

    const { results, outcomes } = await handleTransformMessages(
      p.backend.pool,
      [
        message('jira_issues', goodIds, goodJob),
        message('jira_issues', mixedIds, mixedJob),
        message('github_pull_requests', pullIds, p.storeJobIds.at(-1)!),
        message('jira_issues', goodIds, goodJob), // the first one delivered again
      ],
      logger,
    );

    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    const failure = results[1];
    expect(failure?.ok === false && failure.error).toBeInstanceOf(PermanentError);
    expect(failure?.ok === false && (failure.error as Error).message).toMatch(
      new RegExp(
        `^1 of 2 jira_issues records could not be transformed: raw ${mixedIds[1]} \\(40004\\): fields\\.updated: `,
      ),
    );
    expect(
      outcomes.map((o) => o && { loaded: o.loaded, skipped: o.skipped, failed: o.failed.length }),
    ).toEqual([
      { loaded: 2, skipped: 0, failed: 0 },
      { loaded: 1, skipped: 0, failed: 1 },
      { loaded: 1, skipped: 0, failed: 0 },
      { loaded: 0, skipped: 2, failed: 0 },
    ]);
    expect(await query('select key from jira_issues where key like $1 order by key', ['BT-%'])).toEqual([
      { key: 'BT-1' },
      { key: 'BT-2' },
      { key: 'BT-3' },
    ]);
    expect(await query('select number from github_pull_requests where external_id = $1', ['77001'])).toEqual([
      { number: 9001 },
    ]);
    const raw = await query<{ id: number; status: string; error: string | null }>(
      'select id, status, error from raw_extraction_data where id = any($1::bigint[]) order by id',
      [[...goodIds, ...mixedIds, ...pullIds]],
    );
    expect(raw.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'failed', 'completed']);
    expect(raw[3]?.error).toMatch(/^fields\.updated: /);
    expect(
      await query('select raw_id from raw_outbox where raw_id = any($1::bigint[])', [
        [...goodIds, ...mixedIds, ...pullIds],
      ]),
    ).toEqual([]);
    expect(
      await query(
        'select id, records_transformed, records_failed from etl_jobs where id = any($1::bigint[]) order by id',
        [[goodJob, mixedJob]],
      ),
    ).toEqual([
      { id: goodJob, records_transformed: 2, records_failed: 0 },
      { id: mixedJob, records_transformed: 1, records_failed: 1 },
    ]);
  });

  it('a record the database refuses fails its own message; its batch-mates load', async () => {
    const good = issue(10);
    const goodIds = await p.storeRaw([{ entity_type: 'jira_issues', external_id: good.id, raw_data: good }]);
    // A pull number past Postgres' integer: valid JSON, valid for the schema, refused by the column.
    const huge = { ...ghPullSingle(), id: 77_002, number: 3_000_000_000 };
    const hugeIds = await p.storeRaw([
      { entity_type: 'github_pull_requests', external_id: String(huge.id), raw_data: huge },
    ]);

    const { results } = await handleTransformMessages(
      p.backend.pool,
      [message('jira_issues', goodIds, null), message('github_pull_requests', hugeIds, null)],
      logger,
    );

    expect(results[0]).toEqual({ ok: true });
    expect(results[1]?.ok === false && (results[1].error as Error).message).toMatch(
      /out of range for type integer/,
    );
    expect(await query('select key from jira_issues where key = $1', ['BT-10'])).toEqual([{ key: 'BT-10' }]);
    expect(await query('select status from raw_extraction_data where id = $1', [hugeIds[0]])).toEqual([
      { status: 'pending' },
    ]);
  });

  it('records of no job (stored before jobs existed) load', async () => {
    const record = issue(20);
    const { rows } = await p.backend.pool.query<{ id: number }>(
      `insert into raw_extraction_data (tenant_id, integration_id, entity_type, external_id, raw_data, content_hash)
       values ($1, $2, 'jira_issues', $3, $4, 'h-20') returning id`,
      [p.tenant.id, p.integrationId, record.id, JSON.stringify(record)],
    );
    const { results } = await handleTransformMessages(
      p.backend.pool,
      [message('jira_issues', [rows[0]!.id], null)],
      logger,
    );
    expect(results).toEqual([{ ok: true }]);
    expect(await query('select key from jira_issues where key = $1', ['BT-20'])).toEqual([{ key: 'BT-20' }]);
  });

  it('a page transaction holding its job holds up neither the batch nor its fold: counts are read exact, folded later', async () => {
    const jobId = await insertRunningJob(p.backend.pool, p.tenant.id, p.integrationId);
    const store = (records: Record<string, unknown>[]) =>
      p.storeRaw(
        records.map((r) => ({
          entity_type: 'jira_issues',
          external_id: String(r.id),
          raw_data: r,
          job_id: jobId,
        })),
      );
    const ids = await store([issue(30), issue(31, { updated: 'not a date' })]);
    const lastIds = await store([issue(32)]);
    const jobRow = async () =>
      await query('select status, records_transformed, records_failed from etl_jobs where id = $1', [jobId]);
    // A page of the same job being stored: its transaction locks the job row first.
    const page = await p.backend.pool.connect();
    try {
      await page.query('begin');
      expect(await lockJobForPage(page, p.tenant.id, jobId)).toEqual({ integration_id: p.integrationId });
      const { results } = await handleTransformMessages(
        p.backend.pool,
        [message('jira_issues', ids, jobId)],
        logger,
      );
      expect(results.map((r) => r.ok)).toEqual([false]);
      expect(await query('select key from jira_issues where key in ($1, $2)', ['BT-30', 'BT-31'])).toEqual([
        { key: 'BT-30' },
      ]);
      // Not folded into the held row, but read exact.
      expect(await jobRow()).toEqual([{ status: 'RUNNING', records_transformed: 0, records_failed: 0 }]);
      const job = await p.backend.app.inject({
        method: 'GET',
        url: `/api/v1/jobs/${jobId}`,
        headers: bearer(p.tenant.token),
      });
      expect(job.json()).toMatchObject({ records_extracted: 3, records_transformed: 1, records_failed: 1 });
      await page.query('commit');
    } finally {
      page.release();
    }
    // The last page: extraction is over. The last batch finishes the job and folds everything.
    await p.backend.pool.query('update etl_jobs set extraction_finished_at = now() where id = $1', [jobId]);
    const last = await handleTransformMessages(
      p.backend.pool,
      [message('jira_issues', lastIds, jobId)],
      logger,
    );
    expect(last.results).toEqual([{ ok: true }]);
    expect(await jobRow()).toEqual([{ status: 'FINISHED', records_transformed: 2, records_failed: 1 }]);
    expect(await query('select * from etl_job_transform_counts where job_id = $1', [jobId])).toEqual([]);
  });
});
