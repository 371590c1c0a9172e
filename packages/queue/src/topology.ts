import type { Channel } from 'amqplib';

/** One delay tier: messages wait `ttlMs` in queue `etl.retry.<label>` and then go back to `etl`. */
export interface RetryTier {
  /** Part of the queue name (`etl.retry.<label>`); keep it stable, the queue's TTL is fixed at declaration. */
  readonly label: string;
  /** How long a message waits in this tier before it is dead-lettered back to exchange `etl`. */
  readonly ttlMs: number;
}

/** The production tiers (DESIGN §5): 5 s, 30 s, 5 min. */
export const DEFAULT_RETRY_TIERS: readonly RetryTier[] = [
  { label: '5s', ttlMs: 5_000 },
  { label: '30s', ttlMs: 30_000 },
  { label: '5m', ttlMs: 300_000 },
];

/** Default `x-delivery-limit` of the work queues: catches a message that keeps crashing its consumer. */
export const DEFAULT_DELIVERY_LIMIT = 10;

/**
 * Header on a message published to exchange `etl.retry`; selects the tier queue
 * (headers exchange). Deliberately not `x-…`: a headers exchange ignores
 * binding arguments starting with `x-`, so such a binding would match every tier.
 */
export const RETRY_TIER_HEADER = 'retry-tier';

export interface TopologyOptions {
  /** Prepended to every exchange and queue name: empty in production, e.g. `t_ab12.` in tests. */
  readonly prefix?: string;
  /** Delay tiers, shortest first. Defaults to {@link DEFAULT_RETRY_TIERS}. */
  readonly retryTiers?: readonly RetryTier[];
  /** `x-delivery-limit` of the work queues. Defaults to {@link DEFAULT_DELIVERY_LIMIT}. */
  readonly deliveryLimit?: number;
}

export interface TopologyNames {
  /** Topic exchange every job is published to. */
  readonly exchange: string;
  /** Headers exchange routing to the tier queues by header `retry-tier`, keeping the routing key. */
  readonly retryExchange: string;
  /** Fanout exchange feeding `etl.dead`: the work queues' dead-letter exchange. */
  readonly deadLetterExchange: string;
  readonly extract: string;
  readonly transform: string;
  readonly dead: string;
  /** Tier queue name by tier label. */
  readonly retry: (label: string) => string;
}

/** All exchange and queue names for a prefix. */
export function names(prefix = ''): TopologyNames {
  return {
    exchange: `${prefix}etl`,
    retryExchange: `${prefix}etl.retry`,
    deadLetterExchange: `${prefix}etl.dlx`,
    extract: `${prefix}etl.extract`,
    transform: `${prefix}etl.transform`,
    dead: `${prefix}etl.dead`,
    retry: (label: string) => `${prefix}etl.retry.${label}`,
  };
}

/** Routing-key patterns binding the work queues to exchange `etl` (same as `queueCatalog` in contracts). */
export const WORK_QUEUE_BINDINGS = {
  extract: 'extract.*',
  transform: 'transform.*',
} as const;

/** Throws on tiers that cannot work: empty, duplicate labels, labels unfit for a queue name, bad TTLs. */
export function validateRetryTiers(tiers: readonly RetryTier[]): void {
  if (tiers.length === 0) throw new Error('retryTiers: at least one delay tier is required');
  const seen = new Set<string>();
  for (const tier of tiers) {
    if (!/^[A-Za-z0-9_-]+$/.test(tier.label)) {
      throw new Error(`retryTiers: label "${tier.label}" must match [A-Za-z0-9_-]+`);
    }
    if (seen.has(tier.label)) throw new Error(`retryTiers: duplicate label "${tier.label}"`);
    seen.add(tier.label);
    if (!Number.isInteger(tier.ttlMs) || tier.ttlMs <= 0) {
      throw new Error(`retryTiers: tier "${tier.label}" needs a positive integer ttlMs`);
    }
  }
}

/**
 * Declares exchanges, queues and bindings (DESIGN §5). Idempotent: declaring the
 * same topology again changes nothing. Declaring it with different queue
 * arguments (another TTL for an existing tier label, another delivery limit)
 * makes the broker close the channel with PRECONDITION_FAILED, by design: a
 * queue's arguments cannot change under it.
 */
export async function declareTopology(
  channel: Channel,
  options: TopologyOptions = {},
): Promise<TopologyNames> {
  const tiers = options.retryTiers ?? DEFAULT_RETRY_TIERS;
  validateRetryTiers(tiers);
  const deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  const n = names(options.prefix ?? '');

  await channel.assertExchange(n.exchange, 'topic', { durable: true });
  await channel.assertExchange(n.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertExchange(n.retryExchange, 'headers', { durable: true });

  // Dead letters: kept until drained into the dead_letters table; no DLX of its own.
  await channel.assertQueue(n.dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(n.dead, n.deadLetterExchange, '');

  const workArgs = {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': n.deadLetterExchange,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
  await channel.assertQueue(n.extract, { durable: true, arguments: workArgs });
  await channel.bindQueue(n.extract, n.exchange, WORK_QUEUE_BINDINGS.extract);
  await channel.assertQueue(n.transform, { durable: true, arguments: workArgs });
  await channel.bindQueue(n.transform, n.exchange, WORK_QUEUE_BINDINGS.transform);

  for (const tier of tiers) {
    const queue = n.retry(tier.label);
    // No x-dead-letter-routing-key: an expired message keeps the routing key it
    // was published with (the original one), so `etl` routes it back home.
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': tier.ttlMs,
        'x-dead-letter-exchange': n.exchange,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    await channel.bindQueue(queue, n.retryExchange, '', {
      'x-match': 'all',
      [RETRY_TIER_HEADER]: tier.label,
    });
  }
  return n;
}

/**
 * Deletes everything {@link declareTopology} declared for `prefix` (tests only:
 * never call it with the production prefix on a shared broker).
 */
export async function deleteTopology(channel: Channel, options: TopologyOptions): Promise<void> {
  const prefix = options.prefix ?? '';
  if (prefix === '') throw new Error('deleteTopology refuses the empty (production) prefix');
  const n = names(prefix);
  const tiers = options.retryTiers ?? DEFAULT_RETRY_TIERS;
  for (const queue of [n.extract, n.transform, n.dead, ...tiers.map((t) => n.retry(t.label))]) {
    await channel.deleteQueue(queue);
  }
  for (const exchange of [n.exchange, n.retryExchange, n.deadLetterExchange]) {
    await channel.deleteExchange(exchange);
  }
}
