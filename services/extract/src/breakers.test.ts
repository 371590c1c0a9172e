import { describe, expect, it } from 'vitest';
import { createLogger } from '@tributary/observability';
import { loadExtractConfig } from './config.ts';
import { createExtractBreakers } from './breakers.ts';

const logger = createLogger('extract', { level: 'silent' });
const env = {
  TRIBUTARY_SERVICE_TOKEN: 'service-token-0123456789',
  TRIBUTARY_EXTRACT_TOKEN: 'extract-token-0123456789',
  EXTERNAL_CB_TIMEOUT_SECONDS: '60',
};

describe('the extractor’s breakers', () => {
  it('the backend breaker opens for seconds, the source breakers for EXTERNAL_CB_TIMEOUT_SECONDS', () => {
    const breakers = createExtractBreakers(loadExtractConfig(env), logger);
    expect(breakers.get('backend').config.openMs).toBe(5_000);
    expect(breakers.get('jira:7').config.openMs).toBe(60_000);
    expect(breakers.get('github:3').config.openMs).toBe(60_000);
  });

  it('BACKEND_CB_OPEN_SECONDS sets the backend breaker’s open period', async () => {
    const tuned = { ...env, BACKEND_CB_OPEN_SECONDS: '2' };
    const breakers = createExtractBreakers(loadExtractConfig(tuned), logger);
    const backend = breakers.get('backend');
    for (let i = 0; i < backend.config.failureThreshold; i++) {
      await backend
        .execute(() => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })))
        .catch(() => undefined);
    }
    const status = backend.status();
    expect(status.state).toBe('OPEN');
    expect(status.config.openMs).toBe(2_000);
    expect(status.msUntilHalfOpen).toBeLessThanOrEqual(2_000);
  });
});

describe('breaker settings from the environment (config.ts)', () => {
  it('default to DESIGN §4: 5 failures, 60 s, 3 probes', () => {
    const breakers = createExtractBreakers(loadExtractConfig(env), logger);
    expect(breakers.get('jira:7').config).toMatchObject({
      failureThreshold: 5,
      openMs: 60_000,
      halfOpenMaxCalls: 3,
    });
  });

  it('reads EXTERNAL_CB_THRESHOLD, EXTERNAL_CB_TIMEOUT_SECONDS and EXTERNAL_CB_HALF_OPEN_MAX_CALLS', () => {
    const tuned = {
      ...env,
      EXTERNAL_CB_THRESHOLD: '8',
      EXTERNAL_CB_TIMEOUT_SECONDS: '2.5',
      EXTERNAL_CB_HALF_OPEN_MAX_CALLS: '1',
    };
    const breakers = createExtractBreakers(loadExtractConfig(tuned), logger);
    expect(breakers.get('github:3').config).toMatchObject({
      failureThreshold: 8,
      openMs: 2500,
      halfOpenMaxCalls: 1,
    });
  });

  it.each([
    ['EXTERNAL_CB_THRESHOLD', 'five'],
    ['EXTERNAL_CB_THRESHOLD', '0'],
    ['EXTERNAL_CB_THRESHOLD', '2.5'],
    ['EXTERNAL_CB_TIMEOUT_SECONDS', '-1'],
    ['EXTERNAL_CB_HALF_OPEN_MAX_CALLS', 'NaN'],
  ])('a bad %s=%s stops the process naming the variable', (name, value) => {
    expect(() => loadExtractConfig({ ...env, [name]: value })).toThrow(
      new RegExp(`invalid configuration: ${name}: `),
    );
  });
});
