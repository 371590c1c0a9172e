import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { transformMessageSchema, type TransformMessage } from '@tributary/contracts';
import {
  consume,
  consumeBatch,
  PermanentError,
  type ConsumeBatchOptions,
  type Consumer,
  type MessageContext,
} from './consumer.ts';
import { Publisher } from './publisher.ts';
import {
  deferred,
  eventually,
  getOne,
  killSocket,
  startTestBroker,
  type TestBroker,
} from './test-support.ts';
import { queueDepth } from './queue-depth.ts';

const RK = 'transform.jira_issues';
function job(n: number): TransformMessage {
  return { v: 1, tenant_id: 1, integration_id: 7, job_id: n, entity_type: 'jira_issues', raw_ids: [n] };
}

describe('consume', () => {
  let broker: TestBroker;
  let publisher: Publisher;
  const consumers: Consumer<TransformMessage>[] = [];
  const queue = (): string => broker.connection.names.transform;

  beforeAll(async () => {
    broker = await startTestBroker(inject('amqpUrl'));
    publisher = new Publisher(broker.connection);
  });
  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop(1_000);
    await broker.channel.purgeQueue(queue());
    await broker.channel.purgeQueue(broker.connection.names.dead);
  });
  afterAll(async () => {
    await publisher.close();
    await broker.cleanup();
  });

  async function start(
    options: Partial<Parameters<typeof consume<TransformMessage>>[0]> & {
      handler: (m: TransformMessage, c: MessageContext) => Promise<void>;
    },
  ): Promise<Consumer<TransformMessage>> {
    const consumer = await consume({
      connection: broker.connection,
      publisher,
      queue: queue(),
      schema: transformMessageSchema,
      ...options,
    });
    consumers.push(consumer);
    return consumer;
  }

  it('acks a message the handler accepts, with its ids and headers in the context', async () => {
    const seen = deferred<{ message: TransformMessage; context: MessageContext }>();
    await start({
      handler: async (message, context) => {
        seen.resolve({ message, context });
      },
    });
    await publisher.publish(RK, job(1), { messageId: 'ok-1', headers: { 'x-extra': 'e' } });
    const { message, context } = await seen.promise;
    expect(message).toEqual(job(1));
    expect(context).toMatchObject({ messageId: 'ok-1', correlationId: '1', attempt: 1, routingKey: RK });
    expect(context.headers).toMatchObject({ 'x-tenant-id': 1, 'x-schema-version': 1, 'x-extra': 'e' });
    await consumers[0]?.stop();
    expect(await queueDepth(broker.channel, queue())).toBe(0);
  });

  it('retries a transient failure through the delay tiers, then succeeds', async () => {
    const attempts: number[] = [];
    const done = deferred<MessageContext>();
    await start({
      handler: async (_message, context) => {
        attempts.push(context.attempt);
        if (context.attempt < 3) throw new Error(`flaky ${context.attempt}`);
        done.resolve(context);
      },
    });
    await publisher.publish(RK, job(2), { messageId: 'flaky-1' });
    const context = await done.promise;
    expect(attempts).toEqual([1, 2, 3]);
    expect(context.messageId).toBe('flaky-1');
    expect(context.routingKey).toBe(RK);
    expect(context.headers['x-last-error']).toBe('flaky 2');
    expect(typeof context.headers['x-first-failed-at']).toBe('string');
  });

  it('dead-letters after maxAttempts with reason, attempts and original routing key', async () => {
    const attempts: number[] = [];
    await start({
      maxAttempts: 3,
      handler: async (_message, context) => {
        attempts.push(context.attempt);
        throw new Error('database says no');
      },
    });
    await publisher.publish(RK, job(3), { messageId: 'doomed-1', headers: { 'x-extra': 'kept' } });
    const dead = await getOne(broker.channel, broker.connection.names.dead);
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead.properties).toMatchObject({ messageId: 'doomed-1', correlationId: '3' });
    expect(JSON.parse(dead.content.toString())).toEqual(job(3));
    const headers = dead.properties.headers ?? {};
    expect(headers).toMatchObject({
      'x-death-reason': 'database says no',
      'x-attempts': 3,
      'x-original-routing-key': RK,
      'x-original-queue': queue(),
      'x-extra': 'kept',
      'x-tenant-id': 1,
    });
    expect(String(headers['x-death-stack'])).toMatch(/^at /);
    expect(new Date(String(headers['x-first-failed-at'])).toISOString()).toBe(headers['x-first-failed-at']);
  });

  it('dead-letters a PermanentError at once', async () => {
    const attempts: number[] = [];
    await start({
      handler: async (_message, context) => {
        attempts.push(context.attempt);
        throw new PermanentError('integration 7 was deleted');
      },
    });
    await publisher.publish(RK, job(4));
    const dead = await getOne(broker.channel, broker.connection.names.dead);
    expect(attempts).toEqual([1]);
    expect(dead.properties.headers).toMatchObject({
      'x-death-reason': 'integration 7 was deleted',
      'x-attempts': 1,
    });
  });

  it('dead-letters bad JSON and schema failures at once, naming the field', async () => {
    const handled: number[] = [];
    await start({
      handler: async (message) => {
        handled.push(message.job_id ?? -1);
      },
    });
    await publisher.publishRaw(broker.connection.names.exchange, RK, Buffer.from('{"v":1,'), {
      messageId: 'bad-json',
    });
    const first = await getOne(broker.channel, broker.connection.names.dead);
    expect(first.properties.messageId).toBe('bad-json');
    expect(String(first.properties.headers?.['x-death-reason'])).toMatch(/^invalid JSON: /);

    await publisher.publish(RK, { ...job(5), raw_ids: ['x'] }, { messageId: 'bad-schema' });
    const second = await getOne(broker.channel, broker.connection.names.dead);
    expect(second.properties.messageId).toBe('bad-schema');
    expect(second.properties.headers).toMatchObject({ 'x-attempts': 1, 'x-original-routing-key': RK });
    expect(String(second.properties.headers?.['x-death-reason'])).toMatch(/^raw_ids\.0: .*expected number/);
    expect(handled).toEqual([]);
  });

  it('never runs more than prefetch handlers at once', async () => {
    let running = 0;
    let peak = 0;
    const done = new Set<number>();
    const gate = deferred();
    await start({
      prefetch: 3,
      handler: async (message) => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        done.add(message.job_id ?? -1);
      },
    });
    await Promise.all(Array.from({ length: 30 }, (_, i) => publisher.publish(RK, job(100 + i))));
    // Held until every message is either running or waiting in the queue: then the split shows how
    // many the broker handed out at once (prefetch 3: 3 running, 27 held). No timing involved.
    const split = await eventually(async () => {
      const ready = await queueDepth(broker.channel, queue());
      return running >= 3 && running + ready === 30 ? { running, ready } : undefined;
    }, 'every message running or held');
    gate.resolve();
    expect(split).toEqual({ running: 3, ready: 27 });
    await eventually(() => (done.size === 30 ? true : undefined), '30 handled');
    expect(peak).toBe(3);
  });

  it('stop() lets in-flight handlers finish and ack; undelivered messages stay for the next consumer', async () => {
    const gate = deferred();
    const entered: number[] = [];
    const finished: number[] = [];
    const twoIn = deferred();
    const consumer = await start({
      prefetch: 2,
      handler: async (message) => {
        entered.push(message.job_id ?? -1);
        if (entered.length === 2) twoIn.resolve();
        await gate.promise;
        finished.push(message.job_id ?? -1);
      },
    });
    await Promise.all([1, 2, 3, 4].map((n) => publisher.publish(RK, job(n))));
    await twoIn.promise;
    const stopping = consumer.stop(30_000);
    gate.resolve();
    await stopping;
    expect(finished.sort()).toEqual(entered.sort());
    expect(entered).toHaveLength(2);

    const later: number[] = [];
    await start({
      handler: async (message) => {
        later.push(message.job_id ?? -1);
      },
    });
    await eventually(() => (later.length === 2 ? true : undefined), 'the other two');
    expect([...entered, ...later].sort()).toEqual([1, 2, 3, 4]);
  });

  it('stop() past its timeout leaves a stuck message unacked: a new consumer gets it again', async () => {
    const stuck = deferred<MessageContext>();
    const consumer = await start({
      handler: async (_message, context) => {
        stuck.resolve(context);
        await new Promise(() => undefined); // never settles
      },
    });
    await publisher.publish(RK, job(9), { messageId: 'stuck-1' });
    await stuck.promise;
    await consumer.stop(50);

    const again = deferred<MessageContext>();
    await start({
      handler: async (_message, context) => {
        again.resolve(context);
      },
    });
    const context = await again.promise;
    expect(context.messageId).toBe('stuck-1');
    expect(context.raw.fields.redelivered).toBe(true);
    expect(context.attempt).toBe(1);
  });

  it('pause() stops deliveries and resume() takes them again', async () => {
    const got: number[] = [];
    const consumer = await start({
      handler: async (message) => {
        got.push(message.job_id ?? -1);
      },
    });
    await consumer.pause();
    expect(consumer.isSubscribed).toBe(false);
    await publisher.publish(RK, job(11));
    await eventually(
      async () => ((await queueDepth(broker.channel, queue())) === 1 ? true : undefined),
      'depth 1',
    );
    expect(got).toEqual([]);
    await consumer.resume();
    await eventually(() => (got.length === 1 ? true : undefined), 'delivery after resume');
    expect(got).toEqual([11]);
  });

  it('resumes after a forced connection close, losing nothing', async () => {
    const got = new Set<number>();
    const consumer = await start({
      handler: async (message) => {
        got.add(message.job_id ?? -1);
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((n) => publisher.publish(RK, job(n))));
    await eventually(() => (got.size === 5 ? true : undefined), 'first five');

    const reconnected = deferred();
    broker.connection.once('connected', () => reconnected.resolve());
    killSocket(broker.connection);
    await Promise.all([6, 7, 8, 9, 10].map((n) => publisher.publish(RK, job(n))));
    await reconnected.promise;
    await eventually(() => (got.size === 10 ? true : undefined), 'all ten after the reconnect');
    expect([...got].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(consumer.isSubscribed).toBe(true);
  });
});

describe('consumeBatch', () => {
  let broker: TestBroker;
  let publisher: Publisher;
  beforeAll(async () => {
    broker = await startTestBroker(inject('amqpUrl'));
    publisher = new Publisher(broker.connection);
  });
  afterAll(async () => {
    await publisher.close();
    await broker.cleanup();
  });

  /** A batch consumer of the transform queue, with its connection, publisher and schema. */
  const startBatch = (
    options: Pick<ConsumeBatchOptions<TransformMessage>, 'batchSize' | 'maxWaitMs' | 'handler'>,
  ): Promise<Consumer<TransformMessage>> =>
    consumeBatch({
      connection: broker.connection,
      publisher,
      queue: broker.connection.names.transform,
      schema: transformMessageSchema,
      ...options,
    });

  it('hands over batches and acks only after the handler resolves; per-message results decide each', async () => {
    const batches: number[][] = [];
    const release = deferred();
    const firstBatch = deferred();
    const consumer = await startBatch({
      batchSize: 4,
      maxWaitMs: 50,
      handler: async (items) => {
        batches.push(items.map((i) => i.message.job_id ?? -1));
        firstBatch.resolve();
        await release.promise;
        return items.map((item) =>
          item.message.job_id === 7 ? { ok: false, error: new PermanentError('bad row 7') } : { ok: true },
        );
      },
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => publisher.publish(RK, job(i + 1))));
    await firstBatch.promise;
    // While the handler holds its batch, those messages are unacked, not gone.
    const ch = broker.channel;
    const unackedWhileHeld = await eventually(async () => {
      const depth = await queueDepth(ch, broker.connection.names.transform);
      return depth + consumer.inFlight > 0 ? true : undefined;
    }, 'messages still held');
    expect(unackedWhileHeld).toBe(true);
    release.resolve();
    await eventually(() => (batches.flat().length === 10 ? true : undefined), 'all ten handled');
    expect(batches.every((b) => b.length <= 4)).toBe(true);

    const dead = await getOne(broker.channel, broker.connection.names.dead);
    expect(dead.properties.headers).toMatchObject({ 'x-death-reason': 'bad row 7', 'x-attempts': 1 });
    await consumer.stop();
    // Everything was acked: nothing comes back after the channel closed.
    expect(await queueDepth(broker.channel, broker.connection.names.transform)).toBe(0);
  });

  it('retries every message of a batch whose handler throws', async () => {
    const calls: number[][] = [];
    const done = deferred();
    const consumer = await startBatch({
      batchSize: 2,
      maxWaitMs: 20,
      handler: async (items) => {
        calls.push(items.map((i) => i.context.attempt));
        if (items.some((i) => i.context.attempt === 1)) throw new Error('transaction rolled back');
        if (calls.flat().filter((a) => a === 2).length === 2) done.resolve();
      },
    });
    await publisher.publish(RK, job(21));
    await publisher.publish(RK, job(22));
    await done.promise;
    expect(calls.flat().filter((a) => a === 1)).toHaveLength(2);
    expect(calls.flat().filter((a) => a === 2)).toHaveLength(2);
    await consumer.stop();
  });
});
