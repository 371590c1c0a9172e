import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, service, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { finishJob, insertRunningJob } from '../../../../tests/support/jobs.ts';
import { like } from '../../../../tests/support/matchers.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let integrationId: number;
/** The RUNNING job the records are stored for: service writes must name one (security finding 5). */
let jobId: number;

beforeAll(async () => {
  backend = await startTestBackend();
  tenant = await backend.createTenant();
  integrationId = await backend.createIntegration(tenant.token, 'jira');
  jobId = await insertRunningJob(backend.pool, tenant.id, integrationId);
});
afterAll(async () => backend.close());

const issue = (n: number, summary = `Issue ${n}`) => ({
  integration_id: integrationId,
  entity_type: 'jira_issues',
  external_id: String(10_000 + n),
  raw_data: { id: String(10_000 + n), key: `ACME-${n}`, fields: { summary, labels: [], assignee: null } },
  extraction_metadata: { url: '/rest/api/3/search/jql', fetched_at: '2026-11-22T10:00:00Z' },
  job_id: jobId,
});

const batch = (records: unknown[], tenantId = tenant.id) =>
  backend.app.inject({
    method: 'POST',
    url: '/api/v1/etl/raw-data/batch',
    headers: service(tenantId),
    payload: { records },
  });

const countRaw = async () =>
  (await backend.pool.query<{ n: number }>('select count(*)::int as n from raw_extraction_data')).rows[0]!.n;

describe('raw-data API', () => {
  it('stores one record and returns its id, pending, with the raw JSON unchanged', async () => {
    const record = issue(1);
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/store',
      headers: service(tenant.id),
      payload: record,
    });
    expect(response.statusCode).toBe(200);
    const { record_id } = response.json<{ record_id: number }>();
    const { rows } = await backend.pool.query('select * from raw_extraction_data where id = $1', [record_id]);
    expect(rows[0]).toMatchObject({
      tenant_id: tenant.id,
      entity_type: 'jira_issues',
      external_id: '10001',
      status: 'pending',
      raw_data: record.raw_data,
      extraction_metadata: record.extraction_metadata,
    });
  });

  it('keeps the text the source sent, key order included: the stored text is the text that was hashed', async () => {
    // Not sorted: jsonb would have stored {"a": …, "b": …, "id": …} with spaces.
    const raw_data = { id: '10002', b: { z: 1, y: [2, 'two'] }, a: 'ä\u2028"quoted"' };
    const response = await batch([{ ...issue(2), raw_data }]);
    expect(response.statusCode).toBe(200);
    const { rows } = await backend.pool.query<{ text: string; content_hash: string; hashed: string }>(
      `select raw_data::text as text, content_hash, encode(sha256(convert_to(raw_data::text, 'UTF8')), 'hex') as hashed
       from raw_extraction_data where external_id = '10002'`,
    );
    expect(rows.map((r) => r.text)).toEqual([JSON.stringify(raw_data)]);
    expect(rows[0]?.content_hash).toBe(rows[0]?.hashed);
  });

  it('stores a batch in input order, and identical content again creates no row', async () => {
    const records = Array.from({ length: 20 }, (_, i) => issue(100 + i));
    const first = await batch(records);
    expect(first.statusCode).toBe(200);
    const stored = first.json<{ records: { record_id: number; unchanged: boolean }[] }>().records;
    expect(stored).toHaveLength(20);
    expect(stored.every((r) => !r.unchanged)).toBe(true);
    const { rows } = await backend.pool.query<{ id: number; external_id: string }>(
      'select id, external_id from raw_extraction_data where id = any($1::bigint[])',
      [stored.map((r) => r.record_id)],
    );
    const byId = new Map(rows.map((r) => [r.id, r.external_id]));
    stored.forEach((r, i) => expect(byId.get(r.record_id)).toBe(records[i]!.external_id));

    const before = await countRaw();
    const changed = [...records.slice(0, 19), issue(119, 'edited summary')];
    const second = await batch(changed);
    const again = second.json<{ records: { record_id: number; unchanged: boolean }[] }>().records;
    expect(again.slice(0, 19)).toEqual(stored.slice(0, 19).map((r) => ({ ...r, unchanged: true })));
    expect(again[19]!.unchanged).toBe(false);
    expect(again[19]!.record_id).not.toBe(stored[19]!.record_id);
    expect(await countRaw()).toBe(before + 1);
  });

  it('gives every stored row an outbox entry in the same statement, and none for unchanged content', async () => {
    const outbox = async () =>
      (await backend.pool.query<{ n: number }>('select count(*)::int as n from raw_outbox')).rows[0]!.n;
    const before = await outbox();
    await batch([issue(300), issue(301)]);
    expect(await outbox()).toBe(before + 2);
    await batch([issue(300), issue(301)]);
    expect(await outbox()).toBe(before + 2);
    const orphans = await backend.pool.query<{ n: number }>(
      `select count(*)::int as n from raw_extraction_data r where status = 'pending' and not exists (select 1 from raw_outbox o where o.raw_id = r.id)`,
    );
    expect(orphans.rows[0]!.n).toBe(0);
  });

  it('handles the same record twice in one batch and concurrent identical batches without duplicates', async () => {
    const records = Array.from({ length: 50 }, (_, i) => issue(500 + i));
    const answers = await Promise.all([batch(records), batch(records), batch([records[0], records[0]])]);
    for (const answer of answers) expect(answer.statusCode).toBe(200);
    const { rows } = await backend.pool.query<{ n: number }>(
      `select count(*)::int as n from raw_extraction_data where external_id between '10500' and '10549'`,
    );
    expect(rows[0]!.n).toBe(50);
    const ids = answers.map((a) => a.json<{ records: { record_id: number }[] }>().records[0]!.record_id);
    expect(new Set(ids).size).toBe(1);
  });

  it('accepts 1000 records and refuses 1001 with the field named', async () => {
    const ok = await batch(Array.from({ length: 1000 }, (_, i) => issue(2000 + i)));
    expect(ok.statusCode).toBe(200);
    const before = await countRaw();
    const tooMany = await batch(Array.from({ length: 1001 }, (_, i) => issue(5000 + i)));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe('records');
    expect(await countRaw()).toBe(before);
  });

  it.each([
    ['unknown entity type', { entity_type: 'jira_sprints' }, 'records.3.entity_type'],
    ['raw_data not an object', { raw_data: [1, 2] }, 'records.3.raw_data'],
    ['missing external_id', { external_id: undefined }, 'records.3.external_id'],
    ['integration_id as text', { integration_id: 'seven' }, 'records.3.integration_id'],
    ['empty external_id', { external_id: '' }, 'records.3.external_id'],
  ])('rejects a batch with %s: 400 naming the field, nothing stored', async (_label, change, path) => {
    const before = await countRaw();
    const records: unknown[] = Array.from({ length: 5 }, (_, i) => issue(9000 + i));
    records[3] = { ...(records[3] as object), ...change };
    const response = await batch(records);
    expect(response.statusCode).toBe(400);
    expect(
      response.json<{ error: { details: { path: string }[] } }>().error.details.map((d) => d.path),
    ).toContain(path);
    expect(await countRaw()).toBe(before);
  });

  it("refuses another tenant's integration with 404 and stores nothing", async () => {
    const otherTenant = await backend.createTenant('other');
    const before = await countRaw();
    const response = await batch([issue(7777)], otherTenant.id);
    expect(response.statusCode).toBe(404);
    expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
      'records.0.integration_id',
    );
    expect(await countRaw()).toBe(before);
  });

  it('needs the service token and a tenant header', async () => {
    const asTenant = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: bearer(tenant.token),
      payload: { records: [issue(1)] },
    });
    expect(asTenant.statusCode).toBe(403);
    const noHeader = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: { authorization: service(1).authorization },
      payload: { records: [issue(1)] },
    });
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
      'headers.x-tenant-id',
    );
    const badHeader = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: { ...service(1), 'x-tenant-id': '1; drop table tenants' },
      payload: { records: [issue(1)] },
    });
    expect(badHeader.statusCode).toBe(400);
  });

  describe('records the database cannot hold are refused alone', () => {
    const nested = (depth: number): Record<string, unknown> => {
      let node: Record<string, unknown> = { leaf: true };
      for (let i = 1; i < depth; i++) node = { content: [node] };
      return node;
    };
    // A fresh RUNNING job, which the later records are stored for too: an integration has one active
    // job at a time, so the one before it is finished first.
    const newJob = async () => {
      await finishJob(backend.pool, jobId);
      jobId = await insertRunningJob(backend.pool, tenant.id, integrationId);
      return jobId;
    };

    it('keeps a NUL summary losslessly in the raw layer, marked in the metadata', async () => {
      const record = issue(40, 'Crash when title has \u0000 in it \\0 and a \u0007 bell');
      const response = await batch([record]);
      expect(response.statusCode).toBe(200);
      const [stored] = response.json<{ records: { record_id: number }[] }>().records;
      const { rows } = await backend.pool.query<{
        raw_data: { fields: { summary: string } };
        extraction_metadata: Record<string, unknown>;
      }>('select raw_data, extraction_metadata from raw_extraction_data where id = $1', [stored!.record_id]);
      expect(rows[0]!.extraction_metadata).toEqual({
        ...record.extraction_metadata,
        nul_escaped: ['/fields/summary'],
      });
      const { restoreNul } = await import('../raw/raw-record-checks.ts');
      expect(restoreNul(rows[0]!.raw_data, rows[0]!.extraction_metadata)).toEqual(record.raw_data);
      // The same content again is recognised by its hash, NUL and all.
      const again = await batch([record]);
      expect(again.json<{ records: { unchanged: boolean }[] }>().records[0]!.unchanged).toBe(true);
    });

    it('refuses a 300-level nested record and an oversized one, stores the rest, counts them on the job and archives them', async () => {
      const jobId = await newJob();
      const deep = {
        ...issue(41),
        raw_data: { ...issue(41).raw_data, fields: { summary: 'deep', customfield_10999: nested(300) } },
        job_id: jobId,
      };
      const big = {
        ...issue(42),
        raw_data: { ...issue(42).raw_data, blob: 'x'.repeat(9 * 1024 * 1024) },
        job_id: jobId,
      };
      const fine = [issue(43), issue(44)].map((r) => ({ ...r, job_id: jobId }));
      const response = await batch([fine[0], deep, big, fine[1]]);
      expect(response.statusCode).toBe(200);
      const results = response.json<{
        records: (
          { record_id: number } | { external_id: string; error: { code: string; message: string } }
        )[];
      }>().records;
      expect(results[0]).toHaveProperty('record_id');
      expect(results[1]).toEqual({
        external_id: '10041',
        error: { code: 'RECORD_TOO_DEEP', message: like('128') },
      });
      expect(results[2]).toEqual({
        external_id: '10042',
        error: { code: 'RECORD_TOO_LARGE', message: like('bytes') },
      });
      expect(results[3]).toHaveProperty('record_id');
      const stored = await backend.pool.query<{ external_id: string }>(
        'select external_id from raw_extraction_data where job_id = $1 order by 1',
        [jobId],
      );
      expect(stored.rows.map((r) => r.external_id)).toEqual(['10043', '10044']);
      const job = await backend.app.inject({
        method: 'GET',
        url: `/api/v1/jobs/${jobId}`,
        headers: bearer(tenant.token),
      });
      expect(job.json()).toMatchObject({
        records_extracted: 2,
        records_failed: 2,
        progress: {
          refused_records: [
            { entity_type: 'jira_issues', external_id: '10041', code: 'RECORD_TOO_DEEP' },
            { entity_type: 'jira_issues', external_id: '10042', code: 'RECORD_TOO_LARGE' },
          ],
        },
      });
      const letters = await backend.pool.query<{
        external: string;
        reason: string;
        queue: string;
        body: string;
        correlation_id: string;
      }>(
        `select headers->>'x-external-id' as external, reason, queue, body, correlation_id from dead_letters where tenant_id = $1 order by id`,
        [tenant.id],
      );
      expect(letters.rows.map((r) => [r.external, r.queue, r.correlation_id])).toEqual([
        ['10041', 'raw-data', String(jobId)],
        ['10042', 'raw-data', String(jobId)],
      ]);
      expect(letters.rows[0]!.reason).toMatch(/^RECORD_TOO_DEEP: /);
      expect(JSON.parse(letters.rows[0]!.body)).toEqual(deep);
      // Seen again in a later run: no second dead letter for the same content.
      await batch([deep]);
      const count = await backend.pool.query<{ n: number }>(
        'select count(*)::int as n from dead_letters where tenant_id = $1',
        [tenant.id],
      );
      expect(count.rows[0]!.n).toBe(2);
    });

    it('a refused record is replayed by storing it again: stored once it fits, still dead with its reason when not', async () => {
      const { recordRawRefusals } = await import('../db/raw-refusals.ts');
      const fits = issue(46);
      const deep = { ...issue(47), raw_data: { ...issue(47).raw_data, nested: nested(200) } };
      // As if refused under an earlier, stricter limit: archived with the record as posted.
      await recordRawRefusals(backend.pool, tenant.id, [
        {
          ...fits,
          job_id: null,
          content_hash: 'h46',
          code: 'RECORD_TOO_LARGE',
          message: 'old limit',
          body: JSON.stringify(fits),
        },
      ]);
      await batch([deep]);
      const letters = await backend.pool.query<{ id: number; external: string }>(
        `select id, headers->>'x-external-id' as external from dead_letters where tenant_id = $1 and headers->>'x-external-id' in ('10046', '10047') order by 2`,
        [tenant.id],
      );
      const response = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/dead-letters/replay',
        headers: bearer(tenant.token),
        payload: { ids: letters.rows.map((r) => r.id) },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        replayed: [letters.rows[0]!.id],
        skipped: [{ id: letters.rows[1]!.id, reason: expect.stringMatching(/^RECORD_TOO_DEEP: /) as string }],
      });
      const stored = await backend.pool.query<{ raw_data: unknown }>(
        `select raw_data from raw_extraction_data where external_id = '10046'`,
      );
      expect(stored.rows.map((r) => r.raw_data)).toEqual([fits.raw_data]);
    });

    it('refuses a 10 000-level record without blowing the stack, and the single-record route answers 422', async () => {
      const response = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/etl/raw-data/store',
        headers: { ...service(tenant.id), 'content-type': 'application/json' },
        // Built as text: even JSON.stringify cannot serialise this deep a document.
        payload: JSON.stringify({ ...issue(45), raw_data: { deep: '@' } }).replace(
          '"@"',
          `${'{"a":['.repeat(10_000)}1${']}'.repeat(10_000)}`,
        ),
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ error: { code: 'RECORD_TOO_DEEP' } });
    });
  });

  it('answers 413 past the body limit and 400 for malformed JSON', async () => {
    const huge = { ...issue(1), raw_data: { blob: 'x'.repeat(33 * 1024 * 1024) } };
    const tooBig = await batch([huge]);
    expect(tooBig.statusCode).toBe(413);
    const malformed = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/etl/raw-data/batch',
      headers: { ...service(tenant.id), 'content-type': 'application/json' },
      payload: '{"records": [ {"integration_id": 1, ',
    });
    expect(malformed.statusCode).toBe(400);
  });
});
