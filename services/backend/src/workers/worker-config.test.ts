import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './worker-config.ts';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };

describe('outbox relay settings', () => {
  it('default to 60 s between passes and a 120 s lease, with nothing deprecated', () => {
    const config = loadWorkerConfig(base);
    expect([
      config.OUTBOX_RELAY_INTERVAL_SECONDS,
      config.OUTBOX_RELAY_LEASE_SECONDS,
      config.deprecations,
    ]).toEqual([60, 120, []]);
  });

  it('still read the old sweeper names when the new ones are unset, and say they are deprecated', () => {
    const config = loadWorkerConfig({
      ...base,
      SWEEPER_INTERVAL_SECONDS: '7',
      SWEEPER_PENDING_AGE_SECONDS: '45',
    });
    expect([config.OUTBOX_RELAY_INTERVAL_SECONDS, config.OUTBOX_RELAY_LEASE_SECONDS]).toEqual([7, 45]);
    expect(config.deprecations).toEqual([
      'SWEEPER_INTERVAL_SECONDS is deprecated: set OUTBOX_RELAY_INTERVAL_SECONDS instead',
      'SWEEPER_PENDING_AGE_SECONDS is deprecated: set OUTBOX_RELAY_LEASE_SECONDS instead',
    ]);
  });

  it('prefer the new name when both are set', () => {
    const config = loadWorkerConfig({
      ...base,
      OUTBOX_RELAY_INTERVAL_SECONDS: '3',
      SWEEPER_INTERVAL_SECONDS: '7',
    });
    expect(config.OUTBOX_RELAY_INTERVAL_SECONDS).toBe(3);
    expect(config.deprecations).toEqual([
      'SWEEPER_INTERVAL_SECONDS is deprecated and ignored: OUTBOX_RELAY_INTERVAL_SECONDS is set',
    ]);
  });

  it('name the variable that was set when its value is bad', () => {
    expect(() => loadWorkerConfig({ ...base, SWEEPER_PENDING_AGE_SECONDS: 'soon' })).toThrow(
      /SWEEPER_PENDING_AGE_SECONDS/,
    );
    expect(() => loadWorkerConfig({ ...base, OUTBOX_RELAY_LEASE_SECONDS: '0' })).toThrow(
      /OUTBOX_RELAY_LEASE_SECONDS/,
    );
  });
});
