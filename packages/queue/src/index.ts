/** Exchange/queue names, tiers and idempotent topology declaration (DESIGN §5). */
export {
  DEFAULT_DELIVERY_LIMIT,
  DEFAULT_RETRY_TIERS,
  RETRY_TIER_HEADER,
  WORK_QUEUE_BINDINGS,
  declareTopology,
  deleteTopology,
  names,
  validateRetryTiers,
} from './topology.ts';
/** Types describing the topology: a delay tier, declaration options, the name set. */
export type { RetryTier, TopologyNames, TopologyOptions } from './topology.ts';
/** Managed connection with backoff + full jitter reconnects and topology re-declaration. */
export {
  BrokerUnavailableError,
  ConnectionClosedError,
  DEFAULT_AMQP_URL,
  DEFAULT_READY_TIMEOUT_MS,
  QueueConnection,
  connect,
} from './connection.ts';
/** Connection options and the events it emits (`connected`, `disconnected`, `blocked`, `unblocked`). */
export type { ConnectionEvents, ConnectionOptions } from './connection.ts';
/** Confirm-channel publisher: resolves on broker ack, rejects on nack or unroutable. */
export {
  DEFAULT_PUBLISH_TIMEOUT_MS,
  PublishError,
  PublishTimeoutError,
  Publisher,
  SCHEMA_VERSION_HEADER,
  TENANT_HEADER,
  UnroutableError,
} from './publisher.ts';
/** Publish options, publisher options and the header map type. */
export type { Headers, PublishOptions, PublisherOptions } from './publisher.ts';
/** Consumers with validation, retry through delay tiers and dead-lettering into `etl.dead`. */
export {
  ATTEMPT_HEADER,
  Consumer,
  DEATH_HEADERS,
  LAST_ERROR_HEADER,
  PermanentError,
  consume,
  consumeBatch,
} from './consumer.ts';
/** Handler signatures, their context and consume options. */
export type {
  BaseConsumeOptions,
  BatchHandler,
  BatchItem,
  BatchItemResult,
  ConsumeBatchOptions,
  ConsumeOptions,
  MessageContext,
  MessageHandler,
} from './consumer.ts';
/** Ready-message count of a queue (checkQueue), for worker sizing. */
export { queueDepth } from './queue-depth.ts';
/** Delay tiers from the RETRY_TIERS_MS setting shared by every service. */
export { retryTiersFromMs } from './retry-tiers-env.ts';
