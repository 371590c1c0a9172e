import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { RawBatchItemResult, RawRecord } from '@tributary/contracts';
import { storeRawBatch, type Queryable, type RawRecordToStore } from '../db/raw-data.ts';
import { recordRawRefusals, type RawRefusal } from '../db/raw-refusals.ts';
import {
  checkRawRecord,
  escapeNul,
  NUL_ESCAPED_KEY,
  sizeRefusal,
  stringifyDeep,
  type Refusal,
} from './raw-record-checks.ts';

/** What identifies a version of an entity: its content, exactly as the source sent it. */
export function contentHash(rawJson: string): string {
  return createHash('sha256').update(rawJson).digest('hex');
}

// Errors that belong to one record's content, not to the database being unwell: the batch is
// then stored record by record so only the culprit is refused.
const RECORD_LEVEL_PG_ERRORS = new Set([
  '22P05', // untranslatable character (U+0000 in jsonb)
  '22021', // invalid byte sequence
  '22P02', // invalid text representation (lone surrogate escapes)
  '54001', // statement too complex (nesting)
  '54000', // program limit exceeded (value too large)
]);

const isRecordLevelError = (error: unknown): error is { code: string; message: string } =>
  typeof error === 'object' &&
  error !== null &&
  RECORD_LEVEL_PG_ERRORS.has(String((error as { code?: unknown }).code));

type Prepared = { index: number; toStore: RawRecordToStore } | { index: number; refusal: Refusal };

/** Checks one record and turns it into the row to store (NUL escaped, hash of the source's text). */
function prepare(record: RawRecord, index: number): Prepared {
  // Depth first: anything below needs a document of sane depth.
  const checked = checkRawRecord(record.raw_data);
  if (!checked.ok) return { index, refusal: checked.refusal };
  // Hash the text as the source sent it, before escaping, so identical content is still recognised.
  const sourceJson = JSON.stringify(record.raw_data);
  const tooBig = sizeRefusal(Buffer.byteLength(sourceJson, 'utf8'));
  if (tooBig) return { index, refusal: tooBig };
  const metadata =
    checked.nulEscaped.length > 0
      ? { ...record.extraction_metadata, [NUL_ESCAPED_KEY]: checked.nulEscaped }
      : record.extraction_metadata;
  return {
    index,
    toStore: {
      integration_id: record.integration_id,
      entity_type: record.entity_type,
      external_id: record.external_id,
      raw_json:
        checked.nulEscaped.length > 0
          ? JSON.stringify(escapeNul(structuredClone(record.raw_data), checked.nulEscaped))
          : sourceJson,
      extraction_metadata: metadata,
      content_hash: contentHash(sourceJson),
      job_id: record.job_id ?? null,
    },
  };
}

/**
 * Stores a batch of raw records, refusing alone each record the raw layer cannot hold: it is
 * answered `{ external_id, error: { code, message } }` in its place, counted on its job and
 * archived as a dead letter; every other record is stored. Throws only for faults of the
 * database itself, which the caller rightly sees as a 5xx.
 */
export async function storeRawRecords(
  pool: Queryable,
  tenantId: number,
  records: readonly RawRecord[],
  options: { claimSeconds?: number } = {},
): Promise<RawBatchItemResult[]> {
  // Rows nobody publishes at once (a replay) are the relay's from the start.
  const claimSeconds = options.claimSeconds ?? 0;
  const attempt = <T>(work: () => Promise<T>) => (isClient(pool) ? underSavepoint(pool, work) : work());
  const results: RawBatchItemResult[] = new Array<RawBatchItemResult>(records.length);
  const refusals: RawRefusal[] = [];
  const refuse = (index: number, refusal: Refusal, contentHashOf: string) => {
    const record = records[index]!;
    results[index] = {
      external_id: record.external_id,
      error: { code: refusal.code, message: refusal.message },
    };
    refusals.push({
      integration_id: record.integration_id,
      job_id: record.job_id ?? null,
      entity_type: record.entity_type,
      external_id: record.external_id,
      content_hash: contentHashOf,
      code: refusal.code,
      message: refusal.message,
      body: stringifyDeep(record),
    });
  };
  const accepted: { index: number; toStore: RawRecordToStore }[] = [];
  records.forEach((record, index) => {
    const prepared = prepare(record, index);
    if ('refusal' in prepared) refuse(index, prepared.refusal, contentHash(stringifyDeep(record.raw_data)));
    else accepted.push(prepared);
  });
  if (accepted.length > 0) {
    try {
      const stored = await attempt(() =>
        storeRawBatch(
          pool,
          tenantId,
          accepted.map((a) => a.toStore),
          claimSeconds,
        ),
      );
      stored.forEach((s, k) => (results[accepted[k]!.index] = s));
    } catch (error) {
      if (!isRecordLevelError(error)) throw error;
      // One record the checks did not foresee: find it by storing each alone.
      for (const { index, toStore } of accepted) {
        try {
          const [stored] = await attempt(() => storeRawBatch(pool, tenantId, [toStore], claimSeconds));
          results[index] = stored!;
        } catch (single) {
          if (!isRecordLevelError(single)) throw single;
          refuse(
            index,
            { code: 'REFUSED_BY_DATABASE', message: `${single.code}: ${single.message}` },
            toStore.content_hash,
          );
        }
      }
    }
  }
  await recordRawRefusals(pool, tenantId, refusals);
  return results;
}

const isClient = (db: Queryable): db is pg.PoolClient => 'release' in db;

// Inside a caller's transaction a failed statement aborts the whole transaction; a savepoint
// keeps the record-level retry above possible there.
async function underSavepoint<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('savepoint store_raw');
  try {
    const result = await work();
    await client.query('release savepoint store_raw');
    return result;
  } catch (error) {
    await client.query('rollback to savepoint store_raw');
    throw error;
  }
}
