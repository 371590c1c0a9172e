import type pg from 'pg';
import { MAX_TRANSFORM_BATCH, routingKeys, type TransformMessage } from '@tributary/contracts';
import type { Publisher } from '@tributary/queue';
import type { LogSink } from '@tributary/observability';
import type { OutboxRow } from '../db/outbox-row.ts';
import { markOutboxPublished } from '../db/mark-outbox-published.ts';
import { releaseOutboxClaims } from '../db/release-outbox-claims.ts';

export interface PublishOutcome {
  /** Raw ids in a transform message the broker confirmed. */
  published: number;
  /** Raw ids whose publish failed or was not tried: handed back to the relay. */
  released: number;
}

/**
 * Publishes transform messages for claimed outbox rows — one per tenant × integration × entity
 * type × job, ≤ 500 raw ids each — and stamps each confirmed message's rows published. Called
 * after the commit that claimed them, never inside a transaction. The first failed publish (broker
 * down, deadline passed) stops the pass: its rows and the rest are released for the relay, since
 * the next publish would most likely fail the same way.
 */
export async function publishOutboxRows(
  pool: pg.Pool,
  publisher: Publisher,
  rows: readonly OutboxRow[],
  options: { timeoutMs: number; logger: LogSink },
): Promise<PublishOutcome> {
  const messages = groupIntoMessages(rows);
  let published = 0;
  for (const [index, message] of messages.entries()) {
    try {
      await publisher.publish(routingKeys.transform(message.entity_type), message, {
        ...(message.job_id === null ? {} : { correlationId: String(message.job_id) }),
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      const left = messages.slice(index).flatMap((m) => m.raw_ids);
      options.logger.warn(
        { err: error, count: left.length },
        'transform publish failed; the outbox relay publishes these rows',
      );
      await releaseOutboxClaims(pool, left).catch((e: unknown) =>
        options.logger.warn(
          { err: e },
          'could not release outbox claims; the relay takes them when the claim runs out',
        ),
      );
      return { published, released: left.length };
    }
    // Stamped after the confirm: dying in between publishes these once more (loading is idempotent).
    await markOutboxPublished(pool, message.raw_ids);
    published += message.raw_ids.length;
  }
  return { published, released: 0 };
}

function groupIntoMessages(rows: readonly OutboxRow[]): TransformMessage[] {
  const groups = new Map<string, { first: OutboxRow; ids: number[] }>();
  for (const row of rows) {
    const key = `${row.tenant_id}|${row.integration_id}|${row.entity_type}|${row.job_id ?? ''}`;
    const group = groups.get(key) ?? { first: row, ids: [] };
    group.ids.push(row.raw_id);
    groups.set(key, group);
  }
  const messages: TransformMessage[] = [];
  for (const { first, ids } of groups.values()) {
    for (let i = 0; i < ids.length; i += MAX_TRANSFORM_BATCH) {
      messages.push({
        v: 1,
        tenant_id: first.tenant_id,
        integration_id: first.integration_id,
        job_id: first.job_id,
        entity_type: first.entity_type,
        raw_ids: ids.slice(i, i + MAX_TRANSFORM_BATCH),
      });
    }
  }
  return messages;
}
