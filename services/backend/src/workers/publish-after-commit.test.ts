/**
 * The outbox relay and the dead-letter replay publish only after their database work
 * committed: with the broker down, nothing they touched stays locked while they
 * wait on it (the transform workers would block on those rows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createLogger, type LogSink } from '@tributary/observability';
import { QueueConnection, Publisher, PublishTimeoutError } from '@tributary/queue';
import { startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';
import { waitFor } from '../../../../tests/support/wait.ts';
import { storeRawBatch } from '../db/raw-data.ts';
import { relayOutbox } from '../outbox/outbox-relay.ts';
import { replayDeadLetters } from '../dead-letters/replay.ts';
import { anyOf } from '../../../../tests/support/matchers.ts';

const quiet = createLogger('queue', { level: 'silent' });
let backend: TestBackend;
let tenantId: number;
let integrationId: number;

async function downBroker(): Promise<{ connection: QueueConnection; publisher: Publisher }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const connection = new QueueConnection({
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    backoff: { baseMs: 20, capMs: 200 },
    logger: quiet,
  });
  // A long deadline: the test, not the clock, ends the wait (by closing the connection).
  return { connection, publisher: new Publisher(connection, { publishTimeoutMs: 60_000 }) };
}

/** Whether another session can lock the rows right now (NOWAIT: fails at once if anyone holds them). */
async function lockable(sql: string, params: unknown[]): Promise<boolean> {
  const client = await backend.pool.connect();
  try {
    await client.query('begin');
    await client.query(`${sql} for update nowait`, params);
    await client.query('rollback');
    return true;
  } catch {
    await client.query('rollback');
    return false;
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  backend = await startTestBackend();
  const tenant = await backend.createTenant();
  tenantId = tenant.id;
  integrationId = await backend.createIntegration(tenant.token, 'jira');
});
afterAll(async () => backend?.close());

describe('with the broker down, nothing waits on it inside a transaction', () => {
  it('the outbox relay claims its rows, commits, then waits on the broker with the rows unlocked; a failed publish hands them back', async () => {
    const stored = await storeRawBatch(
      backend.pool,
      tenantId,
      [1, 2, 3].map((n) => ({
        integration_id: integrationId,
        entity_type: 'jira_issues',
        external_id: `sweep-${n}`,
        raw_json: JSON.stringify({ id: `sweep-${n}` }),
        extraction_metadata: {},
        content_hash: `hash-sweep-${n}`,
        job_id: null,
      })),
      // A publisher that died at once: its claim has already run out.
      0,
    );
    const ids = stored.map((s) => s.record_id);
    const { connection, publisher } = await downBroker();
    let settled = false;
    const relay = relayOutbox(backend.pool, publisher, quiet, {
      claimSeconds: 600,
      publishTimeoutMs: 60_000,
    }).finally(() => (settled = true));
    // The claim is visible to others only once committed.
    await waitFor(
      async () =>
        (
          await backend.pool.query(
            `select 1 from raw_outbox where raw_id = any($1) and claimed_until > now() + interval '5 minutes'`,
            [ids],
          )
        ).rowCount === 3,
      20_000,
      'the relay to claim and commit',
    );
    expect(settled).toBe(false);
    expect(await lockable('select raw_id from raw_outbox where raw_id = any($1)', [ids])).toBe(true);
    await connection.close();
    expect(await relay).toEqual({ published: 0, released: 3 });
    // Not published: the rows stay in the outbox, unclaimed, for the next pass.
    expect(
      (
        await backend.pool.query(
          'select raw_id from raw_outbox where raw_id = any($1) and published_at is null and claimed_until is null',
          [ids],
        )
      ).rowCount,
    ).toBe(3);
  });

  it('a dead-letter replay claims the letter, commits, waits on the broker unlocked, and on failure leaves it dead', async () => {
    const { rows } = await backend.pool.query<{ id: number }>(
      `insert into dead_letters (tenant_id, integration_id, entity_type, message_id, queue, routing_key, headers, body, reason, attempts)
       values ($1, $2, 'jira_issues', 'm-replay-1', 'etl.transform', 'transform.jira_issues', '{}', '{"v":1}', 'boom', 5) returning id`,
      [tenantId, integrationId],
    );
    const id = Number(rows[0]!.id);
    const { connection, publisher } = await downBroker();
    let settled = false;
    const replay = replayDeadLetters(
      backend.pool,
      publisher,
      'etl',
      { tenantId, ids: [id], limit: 10 },
      'test',
    ).finally(() => (settled = true));
    await waitFor(
      async () =>
        (
          await backend.pool.query(
            'select 1 from dead_letters where id = $1 and replay_claimed_at is not null',
            [id],
          )
        ).rowCount === 1,
      20_000,
      'the replay to claim and commit',
    );
    expect(settled).toBe(false);
    expect(await lockable('select id from dead_letters where id = $1', [id])).toBe(true);
    // A second replay meanwhile does not publish the same letter again.
    const second = await replayDeadLetters(
      backend.pool,
      publisher,
      'etl',
      { tenantId, ids: [id], limit: 10 },
      'test',
    );
    expect(second).toEqual({
      replayed: [],
      skipped: [{ id, reason: 'being replayed by another request' }],
      brokerUnavailable: false,
    });
    await connection.close();
    const result = await replay;
    expect(result.replayed).toEqual([]);
    expect(result.skipped).toEqual([{ id, reason: anyOf(String) }]);
    const after = await backend.pool.query<{
      status: string;
      replay_claimed_at: Date | null;
      replay_count: number;
    }>('select status, replay_claimed_at, replay_count from dead_letters where id = $1', [id]);
    expect(after.rows[0]).toEqual({ status: 'dead', replay_claimed_at: null, replay_count: 0 });
  });

  it('a publish that passes its deadline hands the rows back to the relay, unpublished', async () => {
    const { connection } = await downBroker();
    const publisher = new Publisher(connection, { publishTimeoutMs: 60_000 });
    const warnings: unknown[] = [];
    const logger: LogSink = {
      info: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      warn: (obj: unknown) => void warnings.push(obj),
    };
    const outcome = await relayOutbox(backend.pool, publisher, logger, {
      claimSeconds: 60,
      publishTimeoutMs: 200,
    });
    expect(outcome.published).toBe(0);
    expect(outcome.released).toBeGreaterThan(0);
    expect(
      warnings.some(
        (w) => typeof w === 'object' && w !== null && 'err' in w && w.err instanceof PublishTimeoutError,
      ),
    ).toBe(true);
    await connection.close();
  });
});
