import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Publisher, UnroutableError } from './publisher.ts';
import { eventually, getOne, killSocket, startTestBroker, type TestBroker } from './test-support.ts';
import { queueDepth } from './queue-depth.ts';

const transform = {
  v: 1,
  tenant_id: 3,
  integration_id: 7,
  job_id: 42,
  entity_type: 'jira_issues',
  raw_ids: [1, 2],
};

describe('Publisher', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(inject('amqpUrl'));
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  it('resolves once confirmed; the message carries messageId, correlationId and headers', async () => {
    const publisher = new Publisher(broker.connection);
    const messageId = await publisher.publish('transform.jira_issues', transform, {
      messageId: 'm-1',
      headers: { 'x-extra': 'yes' },
    });
    expect(messageId).toBe('m-1');
    const got = await getOne(broker.channel, broker.connection.names.transform);
    expect(JSON.parse(got.content.toString())).toEqual(transform);
    expect(got.properties).toMatchObject({
      messageId: 'm-1',
      correlationId: '42',
      contentType: 'application/json',
      deliveryMode: 2,
    });
    expect(got.properties.headers).toMatchObject({
      'x-tenant-id': 3,
      'x-schema-version': 1,
      'x-extra': 'yes',
    });
    await publisher.close();
  });

  it('defaults messageId to a UUID and takes an explicit correlationId', async () => {
    const publisher = new Publisher(broker.connection);
    const messageId = await publisher.publish('extract.jira', { v: 1 }, { correlationId: 'job-9' });
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await getOne(broker.channel, broker.connection.names.extract);
    expect(got.properties).toMatchObject({ messageId, correlationId: 'job-9' });
    await publisher.close();
  });

  it('rejects loudly, naming the routing key, when nothing is bound for it', async () => {
    const publisher = new Publisher(broker.connection);
    const attempt = publisher.publish('nowhere.at_all', transform);
    await expect(attempt).rejects.toBeInstanceOf(UnroutableError);
    await expect(attempt).rejects.toThrow(/nowhere\.at_all/);
    // The channel is still usable afterwards.
    await publisher.publish('transform.jira_issues', transform);
    await getOne(broker.channel, broker.connection.names.transform);
    await publisher.close();
  });

  it('keeps at most maxInFlight publishes unconfirmed and still confirms them all', async () => {
    const publisher = new Publisher(broker.connection, { maxInFlight: 3 });
    const ids = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        publisher.publish('extract.github', { v: 1, i }, { messageId: `w-${i}` }),
      ),
    );
    expect(ids).toHaveLength(30);
    expect(publisher.inFlight).toBe(0);
    const depth = await queueDepth(broker.channel, broker.connection.names.extract);
    expect(depth).toBe(30);
    await broker.channel.purgeQueue(broker.connection.names.extract);
    await publisher.close();
  });

  it('waits for drain when the channel write buffer is full and confirms everything', async () => {
    const publisher = new Publisher(broker.connection, { maxInFlight: 5_000 });
    const body = { v: 1, pad: 'x'.repeat(2_000) };
    await Promise.all(Array.from({ length: 5_000 }, () => publisher.publish('extract.github', body)));
    expect(await queueDepth(broker.channel, broker.connection.names.extract)).toBe(5_000);
    await broker.channel.purgeQueue(broker.connection.names.extract);
    await publisher.close();
  });

  it('survives a forced connection close: every publish resolves and nothing is lost', async () => {
    const publisher = new Publisher(broker.connection);
    const events: string[] = [];
    broker.connection.on('disconnected', () => events.push('disconnected'));
    broker.connection.on('connected', () => events.push('connected'));
    await publisher.publish('transform.jira_issues', { v: 1, n: -1 }, { messageId: 'warm-up' });

    const publishes: Promise<string>[] = [];
    for (let i = 0; i < 200; i++) {
      publishes.push(publisher.publish('transform.jira_issues', { v: 1, n: i }, { messageId: `r-${i}` }));
      if (i === 100) killSocket(broker.connection);
    }
    await Promise.all(publishes);
    expect(events).toEqual(['disconnected', 'connected']);

    // At-least-once: every id is in the queue, some possibly twice.
    const seen = new Set<string>();
    const queue = broker.connection.names.transform;
    const { consumerTag } = await broker.channel.consume(
      queue,
      (msg) => {
        if (msg) seen.add(String(msg.properties.messageId));
      },
      { noAck: true },
    );
    await eventually(() => (seen.has('r-199') && seen.size >= 201 ? true : undefined), 'all 200 messages');
    await broker.channel.cancel(consumerTag);
    for (let i = 0; i < 200; i++) expect(seen.has(`r-${i}`)).toBe(true);
    await publisher.close();
  });

  it('rejects with a retryable error once the connection is closed for good', async () => {
    const other = await startTestBroker(inject('amqpUrl'));
    const publisher = new Publisher(other.connection);
    await other.connection.close();
    await expect(publisher.publish('transform.jira_issues', transform)).rejects.toMatchObject({
      retryable: true,
    });
    await other.cleanup();
  });
});
