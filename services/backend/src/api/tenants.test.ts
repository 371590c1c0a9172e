import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  startTestBackend,
  type TestBackend,
} from '../../../../tests/support/backend.ts';

let backend: TestBackend;
beforeAll(async () => {
  backend = await startTestBackend();
});
afterAll(async () => backend.close());

describe('POST /api/v1/tenants', () => {
  it('creates a tenant and shows its token once, storing only a hash', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(ADMIN_TOKEN),
      payload: { name: 'Acme' },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<{ id: number; name: string; token: string }>();
    expect(body.name).toBe('Acme');
    expect(body.token).toMatch(/^trb_/);
    const { rows } = await backend.pool.query<{ token_hash: string }>(
      'select token_hash from api_tokens where tenant_id = $1',
      [body.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(body.token);
    const dump = await backend.pool.query('select * from api_tokens');
    expect(JSON.stringify(dump.rows)).not.toContain(body.token);
  });

  it('the new token authenticates as that tenant', async () => {
    const tenant = await backend.createTenant('Beta');
    const response = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: bearer(tenant.token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ integrations: [] });
  });

  it.each([
    ['missing name', {}, 'name'],
    ['wrong type', { name: 42 }, 'name'],
    ['empty name', { name: '  ' }, 'name'],
    ['unknown field', { name: 'x', extra: true }, ''],
  ])('rejects %s with 400 naming the field', async (_label, payload, path) => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(ADMIN_TOKEN),
      payload,
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; details: { path: string }[] } }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details[0]!.path).toBe(path);
  });

  it('rejects malformed JSON with 400 and creates nothing', async () => {
    const before = await backend.pool.query('select count(*)::int as n from tenants');
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
      payload: '{"name": "x"',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('MALFORMED_JSON');
    const after = await backend.pool.query('select count(*)::int as n from tenants');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it('rejects a __proto__ key instead of ignoring it', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
      payload: '{"name":"x","__proto__":{"admin":true}}',
    });
    expect(response.statusCode).toBe(400);
  });

  it('needs the admin token: none is 401, a tenant token is 403', async () => {
    const none = await backend.app.inject({ method: 'POST', url: '/api/v1/tenants', payload: { name: 'x' } });
    expect(none.statusCode).toBe(401);
    const tenant = await backend.createTenant();
    const asTenant = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(tenant.token),
      payload: { name: 'x' },
    });
    expect(asTenant.statusCode).toBe(403);
    const wrong = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer('not-a-real-token'),
      payload: { name: 'x' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<{ error: { message: string } }>().error.message).toContain('not valid');
  });

  it('answers 413 for an oversized body', async () => {
    const response = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: bearer(ADMIN_TOKEN),
      payload: { name: 'x'.repeat(300 * 1024) },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
