import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ADMIN_TOKEN,
  SERVICE_TOKEN,
  bearer,
  startTestBackend,
  type TestBackend,
} from '../support/backend.ts';
import { waitFor } from '../support/wait.ts';

let backend: TestBackend;
let tenant: { id: number; token: string };
let other: { id: number; token: string };
let routes: { method: string; path: string }[];
let integrationId: number;

beforeAll(async () => {
  backend = await startTestBackend({ SCHEDULER_ENABLED: 'false' });
  tenant = await backend.createTenant('fuzzed');
  other = await backend.createTenant('other');
  integrationId = await backend.createIntegration(tenant.token, 'jira', {
    credentials: { email: 'a@b.co', api_token: 'secret-x' },
  });
  // Every route the API documents is fuzzed, so a new route is covered the day it is added.
  const spec = (await backend.app.inject('/docs/json')).json<{
    paths: Record<string, Record<string, unknown>>;
  }>();
  routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(async () => backend.close());

/** A fingerprint of every row of every table: equal before and after means nothing was written. */
async function databaseFingerprint(): Promise<string> {
  const { rows } = await backend.pool.query<{ relname: string }>(
    `select relname from pg_stat_user_tables where schemaname = 'public' order by relname`,
  );
  const parts: string[] = [];
  for (const { relname } of rows) {
    // A flow summary rebuild stamps `built_at` whenever it lands (it is kicked in the background by
    // the owner's own flow changes): the versions say what was built, the stamp only when.
    const source =
      relname === 'flow_summary_state'
        ? '(select tenant_id, config_version, built_version from flow_summary_state)'
        : relname;
    const { rows: hash } = await backend.pool.query<{ h: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as h from ${source} t`,
    );
    parts.push(`${relname}:${hash[0]!.h}`);
  }
  return parts.join(',');
}

const nastyKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  '',
  'x'.repeat(300),
);
const deep = fc.integer({ min: 50, max: 2000 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: [value] };
  return value;
});
const badBody = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.dictionary(fc.oneof(nastyKey, fc.string()), fc.anything({ maxDepth: 2 })),
  fc.array(fc.anything({ maxDepth: 1 })),
  deep,
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.record({ records: fc.array(fc.dictionary(nastyKey, fc.anything({ maxDepth: 1 })), { maxLength: 3 }) }),
  fc.record({ ids: fc.array(fc.oneof(fc.integer(), fc.string(), fc.double())) }),
);
const idSegment = fc.oneof(
  fc.constant('1'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.integer().map(String),
  fc.constant('99999999999999999999'),
  fc.constant('-1'),
  fc.constant('1e3'),
);
const queryString = fc.dictionary(
  fc.oneof(
    fc.constantFrom('limit', 'status', 'before_id', 'since', 'integration_id', 'entity_type'),
    fc.string(),
  ),
  fc.string({ maxLength: 40 }),
);
const credentials = () => [
  bearer(tenant.token),
  bearer(ADMIN_TOKEN),
  { ...bearer(SERVICE_TOKEN), 'x-tenant-id': String(tenant.id) },
  { ...bearer(SERVICE_TOKEN), 'x-tenant-id': 'abc' },
  bearer('trb_expired-or-forged'),
  {},
];

describe('every endpoint under generated bad input', () => {
  it('answers 4xx with an error message, never a 500, and writes nothing', async () => {
    const before = await databaseFingerprint();
    for (const route of routes) {
      if (route.path.startsWith('/docs')) continue;
      await fc.assert(
        fc.asyncProperty(
          badBody,
          idSegment,
          queryString,
          fc.constantFrom(...credentials()),
          async (body, id, query, headers) => {
            const url = `${route.path.replace(/\{[^}]+\}/g, id)}?${new URLSearchParams(query).toString()}`;
            const response = await backend.app.inject({
              method: route.method as 'GET',
              url,
              headers: { ...headers, 'content-type': 'application/json' },
              payload: JSON.stringify(body) ?? 'null',
            });
            if (response.statusCode >= 500) {
              throw new Error(
                `${route.method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`,
              );
            }
            const error =
              response.statusCode >= 400
                ? response.json<{ error?: { code?: unknown; message?: unknown } }>().error
                : undefined;
            expect(
              response.statusCode < 400 ||
                (typeof error?.code === 'string' && typeof error.message === 'string'),
              `${route.method} ${url} answered ${response.statusCode} without an error code and message: ${response.body.slice(0, 300)}`,
            ).toBe(true);
          },
        ),
        { numRuns: 25, seed: 20261122 },
      );
    }
    expect(await databaseFingerprint()).toBe(before);
  });

  it('rejects invalid UTF-8 and non-JSON bodies with a 4xx', async () => {
    for (const payload of [
      Buffer.from([0x7b, 0x22, 0x6e, 0xff, 0xfe, 0x22, 0x7d]),
      Buffer.from('name=x'),
      Buffer.alloc(0),
    ]) {
      const response = await backend.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    const form = await backend.app.inject({
      method: 'POST',
      url: '/api/v1/tenants',
      headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expect(form.statusCode).toBe(415);
  });
});

describe('tenant isolation', () => {
  it("every route that takes an id answers 404 to another tenant's token and shows nothing", async () => {
    const { rows } = await backend.pool.query<{ id: number }>(
      `insert into etl_jobs (tenant_id, integration_id, streams) values ($1, $2, '["issues"]') returning id`,
      [tenant.id, integrationId],
    );
    const jobId = rows[0]!.id;
    const { rows: letters } = await backend.pool.query<{ id: number }>(
      `insert into dead_letters (tenant_id, message_id, queue, routing_key, body, reason) values ($1, 'm-1', 'etl.transform', 'transform.jira_issues', '{}', 'x') returning id`,
      [tenant.id],
    );
    const owner = (method: 'POST' | 'GET', url: string, payload?: object) =>
      backend.app.inject({ method, url, headers: bearer(tenant.token), ...(payload ? { payload } : {}) });
    const step = (
      await owner('POST', '/api/v1/flow/steps', { name: 'Doing', category: 'in_progress' })
    ).json<{ id: number }>();
    const spare = (
      await owner('POST', '/api/v1/flow/steps', { name: 'Review', category: 'in_progress' })
    ).json<{ id: number }>();
    const mapping = (
      await owner('POST', '/api/v1/flow/mappings', {
        integration_id: integrationId,
        source_status: 'In Progress',
        flow_step_id: step.id,
      })
    ).json<{ id: number }>();
    const target = await owner('POST', '/api/v1/notification-targets', {
      kind: 'webhook',
      url: 'https://hooks.example.com/x',
      events: ['job_failed'],
    });
    expect(target.statusCode, target.body).toBe(201);
    // A real id of the owner's for every resource, and a body each route accepts: a 400 would
    // only show the input was refused before any tenant check ran, so it proves nothing.
    const requests = (route: { method: string; path: string }) => {
      const id = route.path.startsWith('/api/v1/integrations/')
        ? integrationId
        : route.path.startsWith('/api/v1/jobs/')
          ? jobId
          : route.path.startsWith('/api/v1/dead-letters/')
            ? letters[0]!.id
            : route.path.startsWith('/api/v1/flow/steps/')
              ? step.id
              : route.path.startsWith('/api/v1/flow/mappings/')
                ? mapping.id
                : route.path.startsWith('/api/v1/notification-targets/')
                  ? target.json<{ id: number }>().id
                  : undefined;
      const payload =
        route.method === 'GET' || route.method === 'DELETE'
          ? undefined
          : route.path.endsWith('/runs')
            ? {}
            : route.path.startsWith('/api/v1/flow/mappings/')
              ? { active: false }
              : { name: 'stolen' };
      // Deleting a step needs the step that takes over its mappings.
      const query =
        route.method === 'DELETE' && route.path.startsWith('/api/v1/flow/steps/')
          ? `?reassign_to=${spare.id}`
          : '';
      return { id, url: `${route.path.replace('{id}', String(id))}${query}`, payload };
    };
    /** The route's request (above) with the token of the tenant it is sent as. */
    const send = async (route: { method: string; path: string }, token: string) => {
      const { url, payload } = requests(route);
      const response = await backend.app.inject({
        method: route.method as 'GET',
        url,
        headers: bearer(token),
        ...(payload ? { payload } : {}),
      });
      return { url, response };
    };
    const withId = routes.filter((r) => r.path.includes('{id}') && r.path.startsWith('/api/'));
    expect(withId.length).toBeGreaterThan(8);
    expect(withId.filter((r) => requests(r).id === undefined).map((r) => r.path)).toEqual([]);
    // The owner's flow changes above kicked a summary rebuild: let it land first, so the fingerprint
    // compares settled state (every tenant's summaries built at its configuration version).
    await waitFor(
      async () =>
        (
          await backend.pool.query(
            'select 1 from flow_summary_state where built_version is distinct from config_version',
          )
        ).rowCount === 0 || null,
      30_000,
      'flow summaries rebuilt',
    );
    const before = await databaseFingerprint();
    for (const route of withId) {
      const { url, response } = await send(route, other.token);
      expect(`${route.method} ${url} → ${response.statusCode}`).toBe(`${route.method} ${url} → 404`);
      expect(response.body).not.toContain('secret-x');
    }
    const service = await backend.app.inject({
      method: 'GET',
      url: `/internal/v1/integrations/${integrationId}`,
      headers: { ...bearer(SERVICE_TOKEN), 'x-tenant-id': String(other.id) },
    });
    expect(service.statusCode).toBe(404);
    expect(await databaseFingerprint()).toBe(before);

    // The control: the owner's same requests find the thing (no 404) and pass validation (no 400),
    // so the 404s above came from the tenant check. Deletes last, as they remove what others use
    const deletes = withId.filter((r) => r.method === 'DELETE');
    const ordered = [...withId.filter((r) => r.method !== 'DELETE'), ...deletes];
    for (const route of ordered) {
      const { url, response } = await send(route, tenant.token);
      expect(`${route.method} ${url} → ${response.statusCode}`).not.toMatch(/→ (400|404|5\d\d)$/);
    }
  });
});
