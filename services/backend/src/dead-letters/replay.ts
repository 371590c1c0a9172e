import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import { ATTEMPT_HEADER, DEATH_HEADERS, LAST_ERROR_HEADER, type Publisher } from '@tributary/queue';
import { REPLAY_COUNT_HEADER } from '../workers/dead-letter-drain.ts';
import { isRefusedRecord, rawRecordSchema } from '@tributary/contracts';
import { RAW_REFUSED_QUEUE } from '../db/raw-refusals.ts';
import { storeRawRecords } from '../raw/store-raw-records.ts';
import { recordAudit, selectDeadLetters, type DeadLetterFilter, type DeadLetterRow } from './dead-letter-queries.ts';

export interface ReplayResult {
  replayed: number[];
  skipped: { id: number; reason: string }[];
}

/**
 * Sends dead letters back to their original routing key on exchange `etl`, with
 * the same message id and a replay count, waits for the broker's confirm, then
 * marks them replayed — all under the row lock, so two replays of the same
 * letter cannot both publish, and a letter already replayed is skipped.
 */
export async function replayDeadLetters(
  pool: pg.Pool,
  publisher: Publisher,
  exchange: string,
  filter: DeadLetterFilter,
  actor: string,
): Promise<ReplayResult> {
  return withTransaction(pool, async (client) => {
    const rows = await selectDeadLetters(client, filter, true);
    const result: ReplayResult = { replayed: [], skipped: [] };
    for (const row of rows) {
      if (row.status !== 'dead') {
        result.skipped.push({ id: row.id, reason: `already ${row.status}` });
        continue;
      }
      if (row.queue === RAW_REFUSED_QUEUE) {
        // A record the raw layer refused is replayed by storing it again (the limits may have
        // been raised since); refused again, it stays dead with the reason.
        const again = await replayRawRecord(pool, row);
        if (again !== null) {
          result.skipped.push({ id: row.id, reason: again });
          continue;
        }
      } else await publisher.publishRaw(exchange, row.routing_key, Buffer.from(row.body, 'utf8'), {
        persistent: true,
        contentType: 'application/json',
        messageId: row.message_id,
        ...(row.correlation_id ? { correlationId: row.correlation_id } : {}),
        headers: replayHeaders(row),
        mandatory: true,
      });
      await client.query(
        `update dead_letters set status = 'replayed', replay_count = replay_count + 1, replayed_at = now() where id = $1`,
        [row.id],
      );
      await recordAudit(client, row.id, 'replay', actor, { routing_key: row.routing_key, replay: row.replay_count + 1 });
      result.replayed.push(row.id);
    }
    return result;
  });
}

/** Stores a refused raw record again, outside any job; null when stored, else why it was refused. */
async function replayRawRecord(pool: pg.Pool, row: DeadLetterRow): Promise<string | null> {
  if (row.tenant_id === null) return 'no tenant recorded';
  let parsed;
  try {
    parsed = rawRecordSchema.safeParse(JSON.parse(row.body));
  } catch {
    return 'body is not JSON';
  }
  if (!parsed.success) return `body is not a raw record: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  const [stored] = await storeRawRecords(pool, row.tenant_id, [{ ...parsed.data, job_id: null }]);
  return !stored ? 'not stored' : isRefusedRecord(stored) ? `${stored.error.code}: ${stored.error.message}` : null;
}

// A replay starts a fresh attempt count: the death headers describe the last
// failure, not the next try.
function replayHeaders(row: DeadLetterRow): Record<string, unknown> {
  const dropped = new Set<string>([...Object.values(DEATH_HEADERS), ATTEMPT_HEADER, LAST_ERROR_HEADER, 'x-death']);
  const headers = Object.fromEntries(Object.entries(row.headers).filter(([key]) => !dropped.has(key)));
  return { ...headers, [REPLAY_COUNT_HEADER]: row.replay_count + 1 };
}
