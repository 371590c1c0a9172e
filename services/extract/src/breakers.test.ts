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
    const breakers = createExtractBreakers(loadExtractConfig(env), logger, env);
    expect(breakers.get('backend').config.openMs).toBe(5_000);
    expect(breakers.get('jira:7').config.openMs).toBe(60_000);
    expect(breakers.get('github:3').config.openMs).toBe(60_000);
  });

  it('BACKEND_CB_OPEN_SECONDS sets the backend breaker’s open period', async () => {
    const tuned = { ...env, BACKEND_CB_OPEN_SECONDS: '2' };
    const breakers = createExtractBreakers(loadExtractConfig(tuned), logger, tuned);
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
