/**
 * POST /internal/v1/jobs/:id/pages against real Postgres and RabbitMQ: one transaction per page
 * (a failure inside it leaves nothing of the page), the backend as the transform publisher (each
 * stored row published once, however long the queue), the relay for rows whose publish never
 * confirmed, and 4xx answers that name the field.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createLogger } from '@tributary/observability';
import { connect, Publisher, QueueConnection, retryTiersFromMs } from '@tributary/queue';
import { transformMessageSchema, type PageBody } from '@tributary/contracts';
import { service, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { insertRunningJob } from '../../../../tests/support/jobs.ts';
import { relayOutbox } from '../outbox/outbox-relay.ts';
import { buildApp } from '../app.ts';

const quiet = createLogger('test', { level: 'silent' });
let backend: TestBackend;
let tenantId: number;
let integrationId: number;
let jobId: number;
let queue: QueueConnection;
let publisher: Publisher;

beforeAll(async () => {
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  const tenant = await backend.createTenant();
  tenantId = tenant.id;
  integrationId = await backend.createIntegration(tenant.token, 'jira');
  // Our own connection onto the backend's queues: to read what was published, and for the relay.
  queue = await connect({
    url: backend.config.AMQP_URL,
    prefix: backend.config.QUEUE_PREFIX,
    retryTiers: retryTiersFromMs(backend.config.RETRY_TIERS_MS),
    logger: quiet,
  });
  publisher = new Publisher(queue, { logger: quiet });
});
afterAll(async () => {
  await publisher?.close();
  await queue?.close();
  await backend?.close();
});

beforeEach(async () => {
  // One active job per integration: each test has its own, and starts with an empty transform queue.
  await backend.pool.query(
    `update etl_jobs set status = 'CANCELLED' where integration_id = $1 and status in ('RUNNING', 'PAUSED')`,
    [integrationId],
  );
  jobId = await insertRunningJob(backend.pool, tenantId, integrationId);
  await drainTransformQueue();
});

let counter = 0;
const issues = (n: number) =>
  Array.from({ length: n }, () => {
    counter += 1;
    return {
      external_id: `P-${counter}`,
      raw_data: { id: `P-${counter}`, key: `PG-${counter}`, fields: { summary: `Issue ${counter}` } },
    };
  });

const page = (overrides: Partial<PageBody> = {}): PageBody => ({
  stream: 'issues',
  entity_type: 'jira_issues',
  records: issues(3),
  checkpoint: { scope: '', cursor: `cursor-${counter}` },
  progress: { pages: 0, entities: {} },
  ...overrides,
});

const postPage = (body: unknown, job = jobId) =>
  backend.app.inject({
    method: 'POST',
    url: `/internal/v1/jobs/${job}/pages`,
    headers: service(tenantId),
    payload: body as object,
  });

/** Every transform message now in the queue (taken off it), as raw ids. */
async function drainTransformQueue(): Promise<number[][]> {
  const channel = await (await queue.ready()).createChannel();
  try {
    const messages: number[][] = [];
    for (;;) {
      const message = await channel.get(queue.names.transform, { noAck: true });
      if (message === false) return messages;
      messages.push(transformMessageSchema.parse(JSON.parse(message.content.toString())).raw_ids);
    }
  } finally {
    await channel.close();
  }
}

const outbox = async (ids: readonly number[]) =>
  (
    await backend.pool.query<{ published: boolean; claimed: boolean }>(
      'select published_at is not null as published, claimed_until is not null as claimed from raw_outbox where raw_id = any($1) order by raw_id',
      [ids],
    )
  ).rows;

const storedIds = (body: { records: { record_id?: number }[] }) => body.records.map((r) => r.record_id!);

describe('one page, one transaction', () => {
  it('stores the records, their outbox rows, the cursor and the progress together, and publishes the new rows once after the commit', async () => {
    const body = page({ records: issues(4), checkpoint: { scope: '', cursor: 'after-page-1', etag: null } });
    const response = await postPage(body);
    expect(response.statusCode).toBe(200);
    const answer = response.json<{
      records: { record_id: number; unchanged: boolean }[];
      progress: unknown;
    }>();
    expect(answer.records.map((r) => r.unchanged)).toEqual([false, false, false, false]);
    expect(answer.progress).toEqual({
      pages: 1,
      entities: { jira_issues: { seen: 4, new: 4, unchanged: 0, failed: 0 } },
    });
    const ids = storedIds(answer);
    const { rows: cursor } = await backend.pool.query(
      'select cursor from sync_state where integration_id = $1 and stream = $2',
      [integrationId, 'issues'],
    );
    expect(cursor).toEqual([{ cursor: 'after-page-1' }]);
    const { rows: job } = await backend.pool.query<{
      progress: Record<string, unknown>;
      records_extracted: number;
      checkpoints: unknown;
    }>('select progress, records_extracted, checkpoints from etl_jobs where id = $1', [jobId]);
    expect(job[0]).toMatchObject({
      records_extracted: 4,
      checkpoints: { 'issues|': { cursor: 'after-page-1', etag: null } },
    });
    expect(job[0]!.progress.issues).toEqual(answer.progress);
    // Published and confirmed before the answer: the rows say so, and the queue holds one message of them.
    expect(await outbox(ids)).toEqual(ids.map(() => ({ published: true, claimed: false })));
    expect(await drainTransformQueue()).toEqual([ids]);

    // The same page again (a retry after a lost answer): all unchanged, nothing new to publish.
    const again = await postPage({ ...body, progress: answer.progress });
    expect(again.json<{ records: { unchanged: boolean }[] }>().records.every((r) => r.unchanged)).toBe(true);
    expect(await drainTransformQueue()).toEqual([]);
  });

  it('a failure inside the transaction leaves no half-written page: no raw rows without their cursor, no cursor without its rows', async () => {
    // Real Postgres failures at two points of the transaction: saving the cursor (after the raw rows
    // were written) and saving the progress (after the cursor).
    await backend.pool.query(`
      create or replace function fail_page_test() returns trigger language plpgsql as $$
      begin raise exception 'injected failure in %', tg_table_name; end $$;
      create trigger fail_cursor before insert or update on sync_state
        for each row when (new.cursor = 'fail-at-cursor') execute function fail_page_test();
      create trigger fail_progress before update on etl_jobs
        for each row when ((new.progress -> 'issues' ->> 'pages') = '42') execute function fail_page_test();`);
    try {
      for (const body of [
        page({ checkpoint: { scope: '', cursor: 'fail-at-cursor' } }),
        page({
          checkpoint: { scope: 'half', cursor: 'cursor-before-failing-progress' },
          progress: { pages: 41, entities: {} },
        }),
      ]) {
        const response = await postPage(body);
        expect(response.statusCode).toBe(500);
        const externalIds = body.records.map((r) => r.external_id);
        const { rows: raw } = await backend.pool.query(
          'select 1 from raw_extraction_data where external_id = any($1)',
          [externalIds],
        );
        expect(raw).toEqual([]);
        const { rows: cursors } = await backend.pool.query(
          'select cursor from sync_state where integration_id = $1 and cursor = $2',
          [integrationId, body.checkpoint!.cursor],
        );
        expect(cursors).toEqual([]);
        const { rows: job } = await backend.pool.query(
          'select records_extracted, progress, checkpoints from etl_jobs where id = $1',
          [jobId],
        );
        expect(job).toEqual([{ records_extracted: 0, progress: {}, checkpoints: {} }]);
      }
      expect(await drainTransformQueue()).toEqual([]);
    } finally {
      await backend.pool.query(
        `drop trigger fail_cursor on sync_state; drop trigger fail_progress on etl_jobs; drop function fail_page_test()`,
      );
    }
  });

  it('a page split over several calls counts once, and its checkpoint comes with the last part', async () => {
    const first = await postPage(page({ records: issues(2), checkpoint: undefined, page_complete: false }));
    const progress = first.json<{ progress: PageBody['progress'] }>().progress;
    expect(progress).toEqual({
      pages: 0,
      entities: { jira_issues: { seen: 2, new: 2, unchanged: 0, failed: 0 } },
    });
    const last = await postPage(
      page({ records: issues(1), checkpoint: { scope: '', cursor: 'split-done' }, progress }),
    );
    expect(last.json<{ progress: unknown }>().progress).toEqual({
      pages: 1,
      entities: { jira_issues: { seen: 3, new: 3, unchanged: 0, failed: 0 } },
    });
  });
});

describe('the outbox relay', () => {
  it('publishes a backlog once: rows whose publish was confirmed are not published again, however long they wait', async () => {
    const ids = [
      ...storedIds((await postPage(page({ records: issues(5) }))).json()),
      ...storedIds((await postPage(page({ records: issues(5) }))).json()),
    ];
    // A long queue: nothing consumes, and the rows were stored and published an hour ago (the old
    // sweeper republished anything pending 10 minutes after its last publish).
    await backend.pool.query(
      `update raw_outbox set created_at = now() - interval '1 hour', published_at = now() - interval '1 hour' where raw_id = any($1)`,
      [ids],
    );
    for (let pass = 0; pass < 3; pass++)
      expect(await relayOutbox(backend.pool, publisher, quiet, { claimSeconds: 60 })).toEqual({
        published: 0,
        released: 0,
      });
    const published = (await drainTransformQueue()).flat();
    expect(published.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  });

  it('publishes the rows whose publish never confirmed, once, even with two relays at it', async () => {
    const ids = storedIds((await postPage(page({ records: issues(7) }))).json());
    expect(await drainTransformQueue()).toEqual([ids]);
    // As if the backend had died between its commit and the broker's confirm: no stamp, its claim run out.
    await backend.pool.query(
      `update raw_outbox set published_at = null, claimed_until = now() - interval '1 second' where raw_id = any($1)`,
      [ids],
    );
    // Rows whose claim still holds (a publish under way elsewhere) are left alone.
    const held = storedIds((await postPage(page({ records: issues(2) }))).json());
    await drainTransformQueue();
    await backend.pool.query(
      `update raw_outbox set published_at = null, claimed_until = now() + interval '1 hour' where raw_id = any($1)`,
      [held],
    );

    const outcomes = await Promise.all([
      relayOutbox(backend.pool, publisher, quiet, { claimSeconds: 60 }),
      relayOutbox(backend.pool, publisher, quiet, { claimSeconds: 60 }),
    ]);
    expect(outcomes.reduce((sum, o) => sum + o.published, 0)).toBe(7);
    expect((await drainTransformQueue()).flat().sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    );
    expect(await outbox(ids)).toEqual(ids.map(() => ({ published: true, claimed: false })));
    expect(await outbox(held)).toEqual(held.map(() => ({ published: false, claimed: true })));
    expect(await relayOutbox(backend.pool, publisher, quiet, { claimSeconds: 60 })).toEqual({
      published: 0,
      released: 0,
    });
  });

  it('groups at most 500 raw ids per transform message', async () => {
    const ids = storedIds((await postPage(page({ records: issues(600) }))).json());
    const messages = await drainTransformQueue();
    expect(messages.map((m) => m.length)).toEqual([500, 100]);
    expect(messages.flat()).toEqual(ids);
  });
});

describe('with the broker down', () => {
  it('the page is stored and answered; its rows wait unclaimed for the relay, which publishes them once the broker is back', async () => {
    // A second backend on the same database whose broker is a closed port.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const down = new QueueConnection({
      url: `amqp://guest:guest@127.0.0.1:${port}`,
      backoff: { baseMs: 20, capMs: 200 },
      logger: quiet,
    });
    void down.start().catch(() => undefined);
    const app = await buildApp(backend.config, {
      logger: quiet,
      queue: { connection: down, publisher: new Publisher(down, { logger: quiet }) },
    });
    try {
      const response = await app.inject({
        method: 'POST',
        url: `/internal/v1/jobs/${jobId}/pages`,
        headers: service(tenantId),
        payload: page(),
      });
      expect(response.statusCode).toBe(200);
      const ids = storedIds(response.json());
      expect(await outbox(ids)).toEqual(ids.map(() => ({ published: false, claimed: false })));
      const { rows } = await backend.pool.query(
        'select cursor from sync_state where integration_id = $1 and cursor = $2',
        [integrationId, `cursor-${counter}`],
      );
      expect(rows).toHaveLength(1);
    } finally {
      await app.close();
      await down.close();
    }
    const outcome = await relayOutbox(backend.pool, publisher, quiet, { claimSeconds: 60 });
    expect(outcome).toEqual({ published: 3, released: 0 });
    expect((await drainTransformQueue()).flat()).toHaveLength(3);
  });
});

describe('bad input', () => {
  it('answers 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [
        { ...page(), records: [{ external_id: 'ok', raw_data: {} }, { raw_data: {} }] },
        'records.1.external_id',
      ],
      [{ ...page(), entity_type: 'jira_bugs' }, 'entity_type'],
      [{ ...page(), checkpoint: { scope: '', cursor: 7 } }, 'checkpoint.cursor'],
      [{ ...page(), progress: { pages: -1, entities: {} } }, 'progress.pages'],
      [{ ...page(), stream: 'wikis' }, 'stream'],
      [{ ...page(), extra: true }, ''],
    ];
    for (const [body, path] of cases) {
      const response = await postPage(body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      const error = response.json<{ error: { code: string; message: string; details: { path: string }[] } }>()
        .error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details.map((d) => d.path)).toContain(path);
      // The unknown-key case has no path of its own; every other message names its field.
      expect(error.message).toContain(path);
    }
  });

  it('answers 413 for a body over the limit, and 403 for a job that is not RUNNING or PAUSED', async () => {
    const huge = {
      ...page(),
      records: [{ external_id: 'big', raw_data: { blob: 'x'.repeat(33 * 1024 * 1024) } }],
    };
    const tooLarge = await postPage(huge);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: `request body is too large: over this route's limit of ${32 * 1024 * 1024} bytes; send it in smaller parts`,
    });
    await backend.pool.query(`update etl_jobs set status = 'CANCELLED' where id = $1`, [jobId]);
    const refused = await postPage(page());
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain(
      `job ${jobId} is not a RUNNING or PAUSED job`,
    );
  });
});
