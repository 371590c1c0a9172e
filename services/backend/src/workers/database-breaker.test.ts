import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '@tributary/db';
import { createLogger } from '@tributary/observability';
import { createDatabaseBreaker, throughDatabaseBreaker } from './database-breaker.ts';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const logger = createLogger('test', { level: 'silent' });

describe('worker database breaker', () => {
  it('classifies outages, not bad statements, as the database being unavailable', () => {
    expect(isDatabaseUnavailable(refused())).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('transform failed'))).toBe(false);
  });

  it('holds the message through an outage: opens, pauses the consumer, retries at the probe, closes', async () => {
    const states: string[] = [];
    const breaker = createDatabaseBreaker({
      failureThreshold: 2,
      openMs: 100,
      logger,
      onStateChange: (to) => states.push(to),
    });
    let calls = 0;
    const work = async () => {
      calls++;
      if (calls <= 4) throw refused();
      return 'loaded';
    };
    const signal = new AbortController().signal;
    // The first failure (breaker still closed) takes the ordinary retry path.
    await expect(throughDatabaseBreaker(breaker, work, signal)).rejects.toThrow('ECONNREFUSED');
    // The second opens the breaker: from then on the message is held and tried at each probe.
    expect(await throughDatabaseBreaker(breaker, work, signal)).toBe('loaded');
    expect(calls).toBe(5);
    expect(states).toEqual(['OPEN', 'HALF_OPEN', 'OPEN', 'HALF_OPEN', 'OPEN', 'HALF_OPEN', 'CLOSED']);
    breaker.shutdown();
  });

  it('does not hold a message whose failure is not an outage', async () => {
    const breaker = createDatabaseBreaker({
      failureThreshold: 1,
      openMs: 100,
      logger,
      onStateChange: () => undefined,
    });
    await expect(
      throughDatabaseBreaker(
        breaker,
        () => Promise.reject(new Error('bad record')),
        new AbortController().signal,
      ),
    ).rejects.toThrow('bad record');
    expect(breaker.state).toBe('CLOSED');
    breaker.shutdown();
  });
});
