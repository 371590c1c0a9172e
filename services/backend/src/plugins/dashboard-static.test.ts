import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';

// A stand-in build (the real one is tested in the browser): what matters here is how it is served.
let dir: string;
let backend: TestBackend;
let unbuilt: TestBackend;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tributary</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(tmpdir(), 'outside-dashboard.txt'), 'secret');
  [backend, unbuilt] = await Promise.all([
    startTestBackend({ DASHBOARD_DIR: dir, SCHEDULER_ENABLED: 'false' }),
    startTestBackend({ DASHBOARD_DIR: join(dir, 'missing'), SCHEDULER_ENABLED: 'false' }),
  ]);
});

afterAll(async () => {
  await backend?.close();
  await unbuilt?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard at /', () => {
  it('serves index.html revalidated on every load, with a strict CSP', async () => {
    const response = await backend.app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<div id="root">');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('caches hashed assets for a year as immutable', async () => {
    const response = await backend.app.inject('/assets/index-abc123.js');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('console.log(1)');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers the dashboard for its own paths, and 404 for unknown API paths and missing files', async () => {
    const page = await backend.app.inject('/jobs/42');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const api = await backend.app.inject('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // A missing file is a 404 (an old page asking for an asset of a previous build must not get HTML).
    expect((await backend.app.inject('/assets/gone.js')).statusCode).toBe(404);
    expect((await backend.app.inject('/nothing.png')).statusCode).toBe(404);
  });

  it('never serves a file outside the build', async () => {
    for (const url of [
      '/assets/../../outside-dashboard.txt',
      '/assets/%2e%2e/%2e%2e/outside-dashboard.txt',
      '/..%2foutside-dashboard.txt',
    ]) {
      const response = await backend.app.inject(url);
      expect(response.body).not.toContain('secret');
    }
  });

  it('says how to build it when there is no build', async () => {
    const response = await unbuilt.app.inject('/');
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('pnpm --filter @tributary/dashboard build');
  });
});
