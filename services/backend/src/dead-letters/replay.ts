import type pg from 'pg';
import { withTransaction } from '@tributary/db';
import {
  ATTEMPT_HEADER,
  DEATH_HEADERS,
  LAST_ERROR_HEADER,
  PublishError,
  type Publisher,
} from '@tributary/queue';
import { REPLAY_COUNT_HEADER } from '../workers/dead-letter-drain.ts';
import { errorMessage, formatIssues, isRefusedRecord, rawRecordSchema } from '@tributary/contracts';
import { RAW_REFUSED_QUEUE } from '../db/raw-refusals.ts';
import { storeRawRecords } from '../raw/store-raw-records.ts';
import type { DeadLetterRow } from '../db/dead-letter-row.ts';
import { selectDeadLetters, type DeadLetterFilter } from '../db/select-dead-letters.ts';
import { recordDeadLetterAudit } from '../db/record-dead-letter-audit.ts';
import { claimDeadLettersForReplay } from '../db/claim-dead-letters-for-replay.ts';
import { markDeadLetterReplayed } from '../db/mark-dead-letter-replayed.ts';
import { releaseDeadLetterClaim } from '../db/release-dead-letter-claim.ts';

export interface ReplayResult {
  replayed: number[];
  skipped: { id: number; reason: string }[];
}

/** A claim older than this belongs to a replay that died between publishing and recording; it may be taken over. */
const STALE_CLAIM_SECONDS = 120;
/** Per letter; a person is waiting on the answer. */
const REPLAY_PUBLISH_TIMEOUT_MS = 5_000;

/**
 * Sends dead letters back to their original routing key on exchange `etl`, with
 * the same message id and a replay count, and marks each replayed once the broker
 * confirmed it. Nothing waits on the broker inside a database transaction: the
 * letters are first claimed (`replay_claimed_at`, one short committed statement,
 * so two replays cannot both publish a letter), then published, then recorded one
 * by one. A letter already replayed is skipped. When the broker is unavailable the
 * remaining claims are released and those letters are reported as not replayed.
 * Letters of queue `raw-data` (records the raw layer refused) are not published: they are
 * stored again (replayRawRecord), and one refused again keeps its claim released and stays dead.
 */
export async function replayDeadLetters(
  pool: pg.Pool,
  publisher: Publisher,
  exchange: string,
  filter: DeadLetterFilter,
  actor: string,
): Promise<ReplayResult & { brokerUnavailable: boolean }> {
  const result: ReplayResult = { replayed: [], skipped: [] };
  const claimed = await withTransaction(pool, async (client) => {
    const rows = await selectDeadLetters(client, filter, true);
    const dead: DeadLetterRow[] = [];
    for (const row of rows) {
      if (row.status === 'dead') dead.push(row);
      else result.skipped.push({ id: row.id, reason: `already ${row.status}` });
    }
    const ids = await claimDeadLettersForReplay(
      client,
      dead.map((row) => row.id),
      STALE_CLAIM_SECONDS,
    );
    for (const row of dead)
      if (!ids.has(row.id)) result.skipped.push({ id: row.id, reason: 'being replayed by another request' });
    return dead.filter((row) => ids.has(row.id));
  });
  let brokerUnavailable = false;
  for (const row of claimed) {
    if (row.queue === RAW_REFUSED_QUEUE) {
      // A record the raw layer refused is replayed by storing it again (the limits may have
      // been raised since), not through the broker; refused again, it stays dead with the reason.
      let again: string | null;
      try {
        again = await replayRawRecord(pool, row);
      } catch (error) {
        again = `not replayed: ${errorMessage(error)}`;
      }
      if (again !== null) {
        await releaseDeadLetterClaim(pool, row.id);
        result.skipped.push({ id: row.id, reason: again });
        continue;
      }
    } else if (brokerUnavailable) {
      await releaseDeadLetterClaim(pool, row.id);
      result.skipped.push({ id: row.id, reason: 'not replayed: message broker unavailable' });
      continue;
    } else {
      try {
        await publisher.publishRaw(
          exchange,
          row.routing_key,
          Buffer.from(row.body, 'utf8'),
          {
            persistent: true,
            contentType: 'application/json',
            messageId: row.message_id,
            ...(row.correlation_id ? { correlationId: row.correlation_id } : {}),
            headers: replayHeaders(row),
            mandatory: true,
          },
          { timeoutMs: REPLAY_PUBLISH_TIMEOUT_MS },
        );
      } catch (error) {
        await releaseDeadLetterClaim(pool, row.id);
        brokerUnavailable = error instanceof PublishError && error.retryable;
        result.skipped.push({ id: row.id, reason: `not replayed: ${errorMessage(error)}` });
        continue;
      }
    }
    await withTransaction(pool, async (client) => {
      await markDeadLetterReplayed(client, row.id);
      await recordDeadLetterAudit(client, row.id, 'replay', actor, {
        routing_key: row.routing_key,
        replay: row.replay_count + 1,
      });
    });
    result.replayed.push(row.id);
  }
  return { ...result, brokerUnavailable };
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
  if (!parsed.success) return `body is not a raw record: ${formatIssues(parsed.error.issues)}`;
  const [stored] = await storeRawRecords(pool, row.tenant_id, [{ ...parsed.data, job_id: null }]);
  return !stored
    ? 'not stored'
    : isRefusedRecord(stored)
      ? `${stored.error.code}: ${stored.error.message}`
      : null;
}

// A replay starts a fresh attempt count: the death headers describe the last
// failure, not the next try.
function replayHeaders(row: DeadLetterRow): Record<string, unknown> {
  const dropped = new Set<string>([
    ...Object.values(DEATH_HEADERS),
    ATTEMPT_HEADER,
    LAST_ERROR_HEADER,
    'x-death',
  ]);
  const headers = Object.fromEntries(Object.entries(row.headers).filter(([key]) => !dropped.has(key)));
  return { ...headers, [REPLAY_COUNT_HEADER]: row.replay_count + 1 };
}
