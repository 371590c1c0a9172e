import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransformMessage } from '@tributary/contracts';
import { bearer, ADMIN_TOKEN } from '../../../../tests/support/backend.ts';
import { startTestPipeline, type TestPipeline } from '../../../../tests/support/pipeline.ts';
import { waitFor } from '../../../../tests/support/wait.ts';
import { workerCounts as workerCountsAt } from '../../../../tests/support/worker-counts.ts';
import { jiraIssue } from './transformers/fixtures.ts';

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(async () => p.close());

type Issue = ReturnType<typeof jiraIssue> & { id: string; key: string; fields: Record<string, unknown> };
function issue(n: number, changes: Record<string, unknown> = {}): Issue {
  const base = jiraIssue() as Issue;
  return { ...base, id: String(20_000 + n), key: `EX-${n}`, fields: { ...base.fields, ...changes } };
}

const message = (rawIds: number[], jobId: number | null = null): TransformMessage => ({
  v: 1,
  tenant_id: p.tenant.id,
  integration_id: p.integrationId,
  job_id: jobId,
  entity_type: 'jira_issues',
  raw_ids: rawIds,
});

const query = async <T extends object>(sql: string, params: unknown[] = []) =>
  (await p.backend.pool.query<T & Record<string, unknown>>(sql, params)).rows;

const workerCounts = () => workerCountsAt(p.worker.url);

async function deadLetters(token = p.tenant.token) {
  const response = await p.backend.app.inject({
    method: 'GET',
    url: '/api/v1/dead-letters',
    headers: bearer(token),
  });
  return response.json<{
    dead_letters: { id: number; reason: string; status: string; attempts: number; routing_key: string }[];
  }>().dead_letters;
}

describe('transform workers', () => {
  it('load a batch into jira_issues and mark the raw rows completed', async () => {
    const records = [1, 2, 3].map((n) => issue(n));
    const ids = await p.storeRaw(
      records.map((r) => ({ entity_type: 'jira_issues', external_id: r.id, raw_data: r })),
    );
    await p.publisher.publish('transform.jira_issues', message(ids));
    const rows = await waitFor(async () => {
      const found = await query<{ key: string }>(
        `select key, summary, status_name, assignee_name, labels, story_points, created_at, updated_at, resolved_at
         from jira_issues where tenant_id = $1 order by key`,
        [p.tenant.id],
      );
      return found.length === 3 ? found : null;
    });
    expect(rows[0]).toMatchObject({
      key: 'EX-1',
      summary: 'Checkout fails when the cart has a gift card',
      status_name: 'In Progress',
      assignee_name: 'Mia Krystof',
      labels: ['payments', 'customer-reported'],
      story_points: 5,
      resolved_at: null,
    });
    expect((rows[0]!.updated_at as Date).toISOString()).toBe('2024-03-01T10:15:30.123Z');
    const raw = await query<{ status: string }>(
      'select status from raw_extraction_data where id = any($1::bigint[])',
      [ids],
    );
    expect(raw.every((r) => r.status === 'completed')).toBe(true);
  });

  it('duplicate delivery of the same batch loads it once: the later deliveries are handled, acked and skip it', async () => {
    const record = issue(10, { summary: 'delivered four times' });
    const ids = await p.storeRaw([{ entity_type: 'jira_issues', external_id: record.id, raw_data: record }]);
    const before = await workerCounts();
    await p.publisher.publish('transform.jira_issues', message(ids));
    await p.publisher.publish('transform.jira_issues', message(ids));
    await p.publisher.publish('transform.jira_issues', message(ids), { messageId: 'same-id' });
    await p.publisher.publish('transform.jira_issues', message(ids), { messageId: 'same-id' });
    // All four were handled to the end (the positive signal that the duplicates had their chance)…
    const after = await waitFor(
      async () => {
        const counts = await workerCounts();
        return counts.handled - before.handled >= 4 ? counts : null;
      },
      20_000,
      'four deliveries handled',
    );
    // …and one of them loaded the record: the unique key alone cannot tell this from four loads.
    expect({ handled: after.handled - before.handled, loaded: after.loaded - before.loaded }).toEqual({
      handled: 4,
      loaded: 1,
    });
    expect(
      await query('select summary, raw_id from jira_issues where tenant_id = $1 and key = $2', [
        p.tenant.id,
        'EX-10',
      ]),
    ).toEqual([{ summary: 'delivered four times', raw_id: ids[0] }]);
    expect(await query('select status from raw_extraction_data where id = $1', [ids[0]])).toEqual([
      { status: 'completed' },
    ]);
    // Acked, not requeued or dead-lettered: nothing is left in the work queue and no letter names the row.
    const channel = await (await p.connection.ready()).createChannel();
    try {
      expect((await channel.checkQueue(p.connection.names.transform)).messageCount).toBe(0);
    } finally {
      await channel.close();
    }
    expect((await deadLetters()).filter((d) => d.reason.includes(`raw ${ids[0]}`))).toEqual([]);
  });

  it('an older version never overwrites a newer one', async () => {
    const newer = issue(20, { summary: 'newer', updated: '2025-06-01T00:00:00.000+0000' });
    const older = issue(20, { summary: 'older', updated: '2025-01-01T00:00:00.000+0000' });
    const [newerId] = await p.storeRaw([
      { entity_type: 'jira_issues', external_id: newer.id, raw_data: newer },
    ]);
    await p.publisher.publish('transform.jira_issues', message([newerId!]));
    await waitFor(
      async () => (await query('select 1 from jira_issues where key = $1', ['EX-20'])).length === 1,
    );
    const [olderId] = await p.storeRaw([
      { entity_type: 'jira_issues', external_id: older.id, raw_data: older },
    ]);
    await p.publisher.publish('transform.jira_issues', message([olderId!]));
    await waitFor(
      async () =>
        (
          await query<{ status: string }>('select status from raw_extraction_data where id = $1', [olderId])
        )[0]!.status === 'completed',
    );
    const rows = await query<{ summary: string; raw_id: number }>(
      'select summary, raw_id from jira_issues where key = $1',
      ['EX-20'],
    );
    expect(rows).toEqual([{ summary: 'newer', raw_id: newerId }]);
  });

  it('a record that cannot be transformed fails alone, dead-letters with its reason, and loads once after a fix and replay', async () => {
    const good = issue(30);
    const bad = issue(31, { updated: 'not a date' });
    const ids = await p.storeRaw([
      { entity_type: 'jira_issues', external_id: good.id, raw_data: good },
      { entity_type: 'jira_issues', external_id: bad.id, raw_data: bad },
    ]);
    await p.publisher.publish('transform.jira_issues', message(ids));
    const [letter] = await waitFor(async () => {
      const letters = (await deadLetters()).filter((d) => d.reason.includes(`raw ${ids[1]}`));
      return letters.length > 0 ? letters : null;
    });
    expect(letter!.reason).toContain('fields.updated');
    expect(letter!.routing_key).toBe('transform.jira_issues');
    expect(await query('select key from jira_issues where key in ($1, $2)', ['EX-30', 'EX-31'])).toEqual([
      { key: 'EX-30' },
    ]);
    const failedRaw = await query<{ status: string; error: string }>(
      'select status, error from raw_extraction_data where id = $1',
      [ids[1]],
    );
    expect(failedRaw[0]!.status).toBe('failed');
    expect(failedRaw[0]!.error).toContain('fields.updated');

    // The cause is fixed (here: the stored record is corrected), then replayed — twice.
    const fixed = issue(31, { updated: '2024-03-02T10:00:00.000+0000' });
    await p.backend.pool.query('update raw_extraction_data set raw_data = $1 where id = $2', [
      JSON.stringify(fixed),
      ids[1],
    ]);
    const replay = () =>
      p.backend.app.inject({
        method: 'POST',
        url: '/api/v1/dead-letters/replay',
        headers: bearer(p.tenant.token),
        payload: { ids: [letter!.id] },
      });
    const [first, second] = await Promise.all([replay(), replay()]);
    const replayed = [first, second].flatMap((r) => r.json<{ replayed: number[] }>().replayed);
    expect(replayed).toEqual([letter!.id]);
    await waitFor(
      async () => (await query('select 1 from jira_issues where key = $1', ['EX-31'])).length === 1,
    );
    const third = await replay();
    // The third replay published nothing (it says so), so there is nothing to wait for before this check.
    expect(third.json()).toMatchObject({
      replayed: [],
      skipped: [{ id: letter!.id, reason: 'already replayed' }],
    });
    expect(
      await query('select key from jira_issues where key in ($1, $2) order by key', ['EX-30', 'EX-31']),
    ).toEqual([{ key: 'EX-30' }, { key: 'EX-31' }]);
    const shown = await p.backend.app.inject({
      method: 'GET',
      url: `/api/v1/dead-letters/${letter!.id}`,
      headers: bearer(p.tenant.token),
    });
    expect(shown.json()).toMatchObject({ status: 'replayed', replay_count: 1, body: { raw_ids: ids } });
  });

  it('an invalid message goes to the dead-letter archive at once, with the field named', async () => {
    await p.publisher.publish('transform.jira_issues', { v: 1, tenant_id: p.tenant.id, raw_ids: ['x'] });
    await p.publisher.publishRaw(
      p.connection.names.exchange,
      'transform.jira_issues',
      Buffer.from('{not json'),
      {
        messageId: 'broken-json',
      },
    );
    const letters = await waitFor(async () => {
      const response = await p.backend.app.inject({
        method: 'GET',
        url: '/api/v1/dead-letters?limit=100',
        headers: bearer(ADMIN_TOKEN),
      });
      const all = response.json<{
        dead_letters: { reason: string; attempts: number; tenant_id: number | null }[];
      }>().dead_letters;
      const schema = all.find((d) => d.reason.includes('raw_ids'));
      const json = all.find((d) => /json/i.test(d.reason));
      return schema && json ? { schema, json } : null;
    });
    expect(letters.schema.tenant_id).toBe(p.tenant.id);
    expect(letters.json.tenant_id).toBeNull();
    // Unreadable messages have no tenant: only the admin sees them.
    expect((await deadLetters()).some((d) => /json/i.test(d.reason))).toBe(false);
  });

  it('a transient failure goes through a delay tier and the retry loads the record', async () => {
    const record = issue(40, { summary: 'loaded on the retry' });
    const ids = await p.storeRaw([{ entity_type: 'jira_issues', external_id: record.id, raw_data: record }]);
    // Exactly the first attempt fails, whenever it runs: a sequence is not rolled back with the
    // failed transaction, so it counts attempts that reached the upsert (no clock involved).
    await p.backend.pool.query(`
      create sequence ex40_attempts;
      create function ex40_fail_once() returns trigger language plpgsql as $$
      begin
        if new.key = 'EX-40' and nextval('ex40_attempts') = 1 then raise exception 'injected transient failure'; end if;
        return new;
      end $$;
      create trigger ex40_fail_once before insert on jira_issues for each row execute function ex40_fail_once();`);
    try {
      const before = await workerCounts();
      await p.publisher.publish('transform.jira_issues', message(ids));
      const rows = await waitFor(async () => {
        const found = await query('select summary, raw_id from jira_issues where key = $1', ['EX-40']);
        return found.length === 1 ? found : null;
      });
      expect(rows).toEqual([{ summary: 'loaded on the retry', raw_id: ids[0] }]);
      // Two attempts reached the table, and the worker handled the message twice: a retry happened.
      expect((await query('select last_value from ex40_attempts'))[0]).toEqual({ last_value: 2 });
      const after = await workerCounts();
      expect({ handled: after.handled - before.handled, loaded: after.loaded - before.loaded }).toEqual({
        handled: 2,
        loaded: 1,
      });
      expect((await deadLetters()).filter((d) => d.reason.includes('injected transient failure'))).toEqual(
        [],
      );
    } finally {
      await p.backend.pool.query(
        'drop trigger ex40_fail_once on jira_issues; drop function ex40_fail_once(); drop sequence ex40_attempts',
      );
    }
  });

  it('a permanent failure ends in dead_letters with its reason after the configured attempts', async () => {
    const record = issue(50);
    const ids = await p.storeRaw([{ entity_type: 'jira_issues', external_id: record.id, raw_data: record }]);
    await p.backend.pool.query('alter table jira_issues rename to jira_issues_gone');
    try {
      await p.publisher.publish('transform.jira_issues', message(ids));
      const letter = await waitFor(async () =>
        (await deadLetters()).find((d) => d.reason.includes('does not exist')),
      );
      expect(letter.attempts).toBe(4);
    } finally {
      await p.backend.pool.query('alter table jira_issues_gone rename to jira_issues');
    }
  });

  it('discarding a dead letter keeps an audit record', async () => {
    const [letter] = await deadLetters();
    const response = await p.backend.app.inject({
      method: 'DELETE',
      url: `/api/v1/dead-letters/${letter!.id}`,
      headers: bearer(p.tenant.token),
    });
    expect(response.statusCode).toBe(204);
    const audit = await query('select action, actor from dead_letter_audit where dead_letter_id = $1', [
      letter!.id,
    ]);
    expect(audit).toContainEqual({ action: 'discard', actor: `tenant:${p.tenant.id}` });
    const other = await p.backend.createTenant('other');
    const hidden = await p.backend.app.inject({
      method: 'GET',
      url: `/api/v1/dead-letters/${letter!.id}`,
      headers: bearer(other.token),
    });
    expect(hidden.statusCode).toBe(404);
  });

  it('a job whose extraction finished becomes FINISHED when its last raw rows are loaded', async () => {
    const { rows } = await p.backend.pool.query<{ id: number }>(
      `insert into etl_jobs (tenant_id, integration_id, status, streams, extraction_finished_at, started_at)
       values ($1, $2, 'RUNNING', '["issues"]', now(), now()) returning id`,
      [p.tenant.id, p.integrationId],
    );
    const jobId = rows[0]!.id;
    const records = [60, 61].map((n) => issue(n));
    const ids = await p.storeRaw(
      records.map((r) => ({ entity_type: 'jira_issues', external_id: r.id, raw_data: r, job_id: jobId })),
    );
    await p.publisher.publish('transform.jira_issues', message(ids, jobId));
    const job = await waitFor(async () => {
      const [row] = await query<{ status: string }>(
        'select status, records_extracted, records_transformed from etl_jobs where id = $1',
        [jobId],
      );
      return row?.status === 'FINISHED' ? row : null;
    });
    expect(job).toMatchObject({ records_extracted: 2, records_transformed: 2 });
    // The worker ended it, so the worker's /metrics observed its duration (the backend's did not).
    const metrics = await (await fetch(new URL('/metrics', p.worker.url))).text();
    expect(metrics).toMatch(/^tributary_job_duration_seconds_count\{[^}]*outcome="FINISHED"[^}]*\} 1$/m);
  });

  it('the outbox relay publishes raw rows whose publish was never confirmed', async () => {
    const record = issue(70);
    const [id] = await p.storeRaw([{ entity_type: 'jira_issues', external_id: record.id, raw_data: record }]);
    // Its publisher's claim ran out without a confirm (it died after the commit).
    await p.backend.pool.query(
      `update raw_outbox set claimed_until = now() - interval '1 second' where raw_id = $1`,
      [id],
    );
    const { relayOutbox } = await import('../outbox/outbox-relay.ts');
    const outcome = await relayOutbox(p.backend.pool, p.publisher, p.backend.app.log, { claimSeconds: 60 });
    expect(outcome.published).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () => (await query('select 1 from jira_issues where key = $1', ['EX-70'])).length === 1,
    );
  });
});
