import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { declareTopology, names, RETRY_TIER_HEADER, validateRetryTiers } from './topology.ts';
import { getOne, startTestBroker, TEST_TIERS, type TestBroker } from './test-support.ts';

describe('declareTopology', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker(inject('amqpUrl'));
  });
  afterAll(async () => {
    await broker.cleanup();
  });

  it('is idempotent: declaring again succeeds and keeps the arguments', async () => {
    const ch = await broker.admin.createChannel();
    const n = await declareTopology(ch, { prefix: broker.prefix, retryTiers: TEST_TIERS });
    await declareTopology(ch, { prefix: broker.prefix, retryTiers: TEST_TIERS });
    expect(n).toMatchObject({ exchange: `${broker.prefix}etl`, dead: `${broker.prefix}etl.dead` });
    for (const queue of [n.extract, n.transform, n.dead, ...TEST_TIERS.map((t) => n.retry(t.label))]) {
      expect((await ch.checkQueue(queue)).queue).toBe(queue);
    }
    await ch.close();

    // The arguments from the first declaration stuck: asking for another TTL on a tier is refused.
    const probe = await broker.admin.createChannel();
    probe.on('error', () => undefined);
    await expect(
      probe.assertQueue(n.retry('a'), {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': 999,
          'x-dead-letter-exchange': n.exchange,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      }),
    ).rejects.toThrow(/PRECONDITION_FAILED/);
  });

  it('routes extract.* and transform.* to their work queues', async () => {
    const n = names(broker.prefix);
    const ch = broker.channel;
    ch.publish(n.exchange, 'transform.jira_issues', Buffer.from('{}'));
    ch.publish(n.exchange, 'extract.jira', Buffer.from('{}'));
    const t = await getOne(ch, n.transform);
    const e = await getOne(ch, n.extract);
    expect(t.fields.routingKey).toBe('transform.jira_issues');
    expect(e.fields.routingKey).toBe('extract.jira');
  });

  it('sends a tier message back to etl with its original routing key once the TTL expires', async () => {
    const n = names(broker.prefix);
    broker.channel.publish(n.retryExchange, 'transform.github_commits', Buffer.from('{"x":1}'), {
      headers: { [RETRY_TIER_HEADER]: 'a' },
    });
    const back = await getOne(broker.channel, n.transform);
    expect(back.fields.routingKey).toBe('transform.github_commits');
    expect(back.content.toString()).toBe('{"x":1}');
  });

  it('rejects tiers that cannot work', () => {
    expect(() => validateRetryTiers([])).toThrow(/at least one/);
    expect(() => validateRetryTiers([{ label: 'a b', ttlMs: 1 }])).toThrow(/label/);
    expect(() =>
      validateRetryTiers([
        { label: 'a', ttlMs: 1 },
        { label: 'a', ttlMs: 2 },
      ]),
    ).toThrow(/duplicate/);
    expect(() => validateRetryTiers([{ label: 'a', ttlMs: 0 }])).toThrow(/ttlMs/);
  });
});
