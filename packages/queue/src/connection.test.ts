import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, inject, it } from 'vitest';
import { ConnectionClosedError, QueueConnection, parseUrlList } from './connection.ts';
import { deferred, eventually, killSocket, startTestBroker } from './test-support.ts';

function capturingLogger(): { logger: pino.Logger; lines: { msg: string }[] } {
  const lines: { msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('QueueConnection', () => {
  it('keeps retrying an unreachable broker until closed; start() then rejects', async () => {
    const { logger, lines } = capturingLogger();
    const connection = new QueueConnection({
      url: 'amqp://guest:guest@127.0.0.1:1',
      logger,
      backoff: { baseMs: 5, capMs: 20 },
    });
    const starting = connection.start();
    await eventually(
      () => (lines.filter((l) => l.msg.startsWith('AMQP connect failed')).length >= 3 ? true : undefined),
      'three failed attempts',
    );
    await connection.close();
    await expect(starting).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(connection.ready()).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('reconnects after the socket dies and declares the topology again', async () => {
    const broker = await startTestBroker(inject('amqpUrl'));
    const events: string[] = [];
    broker.connection.on('disconnected', () => events.push('disconnected'));
    const reconnected = deferred();
    broker.connection.on('connected', () => {
      events.push('connected');
      reconnected.resolve();
    });
    // Remove a tier queue behind its back: the reconnect must declare it again.
    const tier = broker.connection.names.retry('c');
    await broker.channel.deleteQueue(tier);
    killSocket(broker.connection);
    await reconnected.promise;
    expect(events).toEqual(['disconnected', 'connected']);
    expect((await broker.channel.checkQueue(tier)).queue).toBe(tier);
    await broker.cleanup();
  });

  it('close() stops reconnecting', async () => {
    const broker = await startTestBroker(inject('amqpUrl'));
    let connects = 0;
    broker.connection.on('connected', () => (connects += 1));
    await broker.connection.close();
    expect(broker.connection.isClosed).toBe(true);
    expect(broker.connection.isConnected).toBe(false);
    await expect(broker.connection.ready()).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(connects).toBe(0);
    await broker.cleanup();
  });

  it('with a list of URLs, skips a dead node and fails over to the next when its node is lost', async () => {
    const { logger, lines } = capturingLogger();
    const live = inject('amqpUrl');
    const dead = 'amqp://guest:guest@127.0.0.1:1';
    const connection = new QueueConnection({
      url: `${dead}, ${live}`,
      logger,
      backoff: { baseMs: 5, capMs: 20 },
      name: 'failover-test',
    });
    await connection.start();
    // The dead first node was tried once and skipped without a backoff round.
    expect(connection.url).toBe(live);
    expect(lines.filter((l) => l.msg.startsWith('AMQP connect failed'))).toHaveLength(1);
    const reconnected = deferred();
    connection.once('connected', () => reconnected.resolve());
    killSocket(connection);
    await reconnected.promise;
    // Lost → the next URL (dead) → round over → back to the live one.
    expect(lines.filter((l) => l.msg.startsWith('AMQP connect failed'))).toHaveLength(2);
    expect(connection.url).toBe(live);
    expect(connection.isConnected).toBe(true);
    await connection.close();
  });
});

describe('parseUrlList', () => {
  it('splits a comma-separated AMQP_URL and names a wrong entry', () => {
    expect(parseUrlList('amqp://a:5672, amqps://b:5671,')).toEqual(['amqp://a:5672', 'amqps://b:5671']);
    expect(() => parseUrlList('amqp://a, http://user:secret@b')).toThrow(
      'AMQP_URL: http://user:***@b/ is not an amqp:// or amqps:// URL',
    );
    expect(() => parseUrlList(' , ')).toThrow('AMQP_URL: no broker URL given');
  });
});
