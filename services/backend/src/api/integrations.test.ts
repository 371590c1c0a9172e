import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestBackend, type TestBackend } from '../../../../tests/support/backend.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let other: { id: number; token: string };

const jira = {
  type: 'jira',
  name: 'Acme Jira',
  base_url: 'http://127.0.0.1:8090',
  credentials: { email: 'bot@acme.test', api_token: 'jira-secret-abc123' },
  config: { projects: ['ACME', 'OPS'] },
  schedule: '*/15 * * * *',
};
const github = {
  type: 'github',
  name: 'Acme GitHub',
  base_url: 'http://127.0.0.1:8090',
  credentials: { token: 'ghp_supersecretvalue987' },
  config: { repositories: ['acme/api'] },
};

beforeAll(async () => {
  backend = await startTestBackend();
  tenant = await backend.createTenant('acme');
  other = await backend.createTenant('other');
});
afterAll(async () => backend.close());

const post = (payload: unknown, token = tenant.token) =>
  backend.app.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: bearer(token),
    payload: payload as object,
  });

describe('integrations', () => {
  it('creates Jira and GitHub integrations without ever returning credentials', async () => {
    for (const body of [jira, github]) {
      const response = await post(body);
      expect(response.statusCode).toBe(201);
      const view = response.json<Record<string, unknown>>();
      expect(view).toMatchObject({ type: body.type, name: body.name, enabled: false, has_credentials: true });
      expect(response.body).not.toContain('secret');
      expect(view).not.toHaveProperty('credentials');
    }
    const list = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: bearer(tenant.token),
    });
    expect(list.json<{ integrations: unknown[] }>().integrations).toHaveLength(2);
    expect(list.body).not.toContain('secret');
  });

  it('stores credentials encrypted: no clear text in the database or the logs', async () => {
    const { rows } = await backend.pool.query('select * from integrations');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('jira-secret-abc123');
    expect(dump).not.toContain('ghp_supersecretvalue987');
    expect(rows[0]).toHaveProperty('credentials_key_id');
    const logs = backend.logs.join('');
    expect(logs).not.toContain('jira-secret-abc123');
    expect(logs).not.toContain('ghp_supersecretvalue987');
  });

  it.each([
    ['unknown type', { ...jira, type: 'gitlab' }, 'type'],
    [
      'jira credentials missing api_token',
      { ...jira, credentials: { email: 'a@b.co' } },
      'credentials.api_token',
    ],
    [
      'github config with a bad repository',
      { ...github, config: { repositories: ['no-slash'] } },
      'config.repositories.0',
    ],
    ['a non-http base URL', { ...jira, base_url: 'ftp://example.com' }, 'base_url'],
    ['a base URL that is not a URL', { ...jira, base_url: 'not a url' }, 'base_url'],
    ['a bad cron schedule', { ...jira, schedule: 'every day' }, 'schedule'],
    ['a name of the wrong type', { ...jira, name: ['x'] }, 'name'],
    ['mixed credentials', { ...github, credentials: { email: 'a@b.co', api_token: 'x' } }, 'credentials'],
  ])('rejects %s with 400 naming the field', async (_label, body, path) => {
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    const error = response.json<{ error: { code: string; details: { path: string }[] } }>().error;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.map((d) => d.path)).toContain(path);
  });

  it('refuses to enable an integration before a connection test passed', async () => {
    expect((await post({ ...jira, enabled: true })).statusCode).toBe(409);
    const created = (await post(jira)).json<{ id: number }>();
    const response = await backend.app.inject({
      method: 'PATCH',
      url: `/api/v1/integrations/${created.id}`,
      headers: bearer(tenant.token),
      payload: { enabled: true },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json<{ error: { message: string } }>().error.message).toContain('connection test');
  });

  it('patches fields and validates credentials against the stored type', async () => {
    const created = (await post(github)).json<{ id: number }>();
    const url = `/api/v1/integrations/${created.id}`;
    const renamed = await backend.app.inject({
      method: 'PATCH',
      url,
      headers: bearer(tenant.token),
      payload: { name: 'Renamed', config: { repositories: ['acme/web', 'acme/api'] } },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'Renamed',
      config: { repositories: ['acme/web', 'acme/api'] },
    });
    const wrong = await backend.app.inject({
      method: 'PATCH',
      url,
      headers: bearer(tenant.token),
      payload: { credentials: { email: 'x@y.co', api_token: 'jira-style' } },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toMatch(
      /^credentials/,
    );
    const empty = await backend.app.inject({
      method: 'PATCH',
      url,
      headers: bearer(tenant.token),
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
  });

  it('hides one tenant from another: every id route answers 404', async () => {
    const mine = (await post(jira)).json<{ id: number }>();
    const url = `/api/v1/integrations/${mine.id}`;
    const asOther = bearer(other.token);
    expect((await backend.app.inject({ method: 'GET', url, headers: asOther })).statusCode).toBe(404);
    expect(
      (await backend.app.inject({ method: 'PATCH', url, headers: asOther, payload: { name: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await backend.app.inject({ method: 'DELETE', url, headers: asOther })).statusCode).toBe(404);
    const list = await backend.app.inject({ method: 'GET', url: '/api/v1/integrations', headers: asOther });
    expect(list.json<{ integrations: unknown[] }>().integrations).toHaveLength(0);
    const stillThere = await backend.app.inject({ method: 'GET', url, headers: bearer(tenant.token) });
    expect(stillThere.json()).toMatchObject({ name: jira.name });
  });

  it('deletes an integration (soft) and then answers 404 for it', async () => {
    const created = (await post(github)).json<{ id: number }>();
    const url = `/api/v1/integrations/${created.id}`;
    expect(
      (await backend.app.inject({ method: 'DELETE', url, headers: bearer(tenant.token) })).statusCode,
    ).toBe(204);
    expect((await backend.app.inject({ method: 'GET', url, headers: bearer(tenant.token) })).statusCode).toBe(
      404,
    );
  });

  it('answers 400 for a non-numeric id and 404 for an unknown one', async () => {
    const bad = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/integrations/abc',
      headers: bearer(tenant.token),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe('params.id');
    const missing = await backend.app.inject({
      method: 'GET',
      url: '/api/v1/integrations/999999',
      headers: bearer(tenant.token),
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses internal addresses unless the operator allows them', async () => {
    const strict = await startTestBackend({ ALLOW_PRIVATE_INTEGRATION_HOSTS: 'false' });
    try {
      const t = await strict.createTenant();
      for (const base_url of ['http://169.254.169.254/latest', 'http://127.0.0.1:8090', 'http://10.1.2.3']) {
        const response = await strict.app.inject({
          method: 'POST',
          url: '/api/v1/integrations',
          headers: bearer(t.token),
          payload: { ...jira, base_url },
        });
        expect(response.statusCode).toBe(400);
        expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe(
          'base_url',
        );
      }
    } finally {
      await strict.close();
    }
  });
});
