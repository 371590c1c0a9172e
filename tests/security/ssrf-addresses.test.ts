// Finding 1: internal addresses in any spelling (IPv4-mapped IPv6 above all) pass the base-URL
// check and the extractor connects to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '@tributary/simulator';
import { bearer, startTestBackend, TEST_INTEGRATIONS, type TestBackend } from '../support/backend.ts';
import { createOutboundGuard, hostOwnAddresses } from '@tributary/netguard';
import { guardedRequest } from '../../services/extract/src/http/guarded-request.ts';
import { simulatorRequests } from './support.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let sim: RunningSimulator;

beforeAll(async () => {
  backend = await startTestBackend({ ALLOW_PRIVATE_INTEGRATION_HOSTS: 'false', SCHEDULER_ENABLED: 'false' });
  tenant = await backend.createTenant();
  sim = await startSimulator({ seed: 1, jira: { projects: 1, issues: 1 }, github: { repos: 1, prs: 1 } });
});
afterAll(async () => {
  await backend.close();
  await sim.close();
});

/** One of this machine's own addresses that is not loopback (every host has one on a network). */
const ownAddress = [...hostOwnAddresses()].find((a) => a !== '127.0.0.1' && a !== '0:0:0:0:0:0:0:1');

describe('internal addresses, in every spelling, are refused', () => {
  const port = () => new URL(sim.url).port;
  const spellings = () => [
    `http://[::ffff:127.0.0.1]:${port()}`,
    `http://[::ffff:7f00:1]:${port()}`,
    'http://[::ffff:169.254.169.254]/latest/meta-data',
    `http://[::127.0.0.1]:${port()}`,
    'http://198.18.0.1',
    'http://224.0.0.1',
    'http://255.255.255.255',
    'http://[ff02::1]',
    'http://0x7f.1',
    ...(ownAddress ? [`http://${ownAddress.includes(':') ? `[${ownAddress}]` : ownAddress}:${port()}`] : []),
  ];

  it('by the base-URL check, with a 400 naming base_url', async () => {
    for (const base_url of spellings()) {
      const response = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/integrations',
        headers: bearer(tenant.token),
        payload: { ...TEST_INTEGRATIONS.github, base_url },
      });
      expect(`${base_url} → ${response.statusCode}`).toBe(`${base_url} → 400`);
      expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
        'base_url',
      );
    }
    const { rows } = await backend.pool.query('select count(*)::int as n from integrations');
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('by the extractor at connect time, which never reaches the service behind them', async () => {
    const guard = createOutboundGuard({ allowPrivateHosts: false });
    try {
      await sim.control('DELETE', '/_sim/stats');
      for (const base of [
        `http://[::ffff:127.0.0.1]:${port()}`,
        `http://[::127.0.0.1]:${port()}`,
        `http://127.0.0.1:${port()}`,
      ]) {
        await expect(
          guardedRequest(guard, {
            method: 'GET',
            url: `${base}/user`,
            headers: { authorization: sim.githubAuth },
          }),
        ).rejects.toThrow(/may not use/);
      }
      expect(await simulatorRequests(sim)).toBe(0);
    } finally {
      await guard.close();
    }
  });
});
