/**
 * Creates a demo tenant with a Jira and a GitHub integration pointing at the
 * simulator, tests and enables them, and starts a first run of each. Used by
 * `pnpm start` and by the compose stack's one-shot `seed` service.
 *
 * Env: BACKEND_URL, SIMULATOR_URL, TRIBUTARY_ADMIN_TOKEN. Prints the tenant token.
 */
import { sendJson } from '@tributary/cli';
import type { TruthSummary as Truth } from '../services/simulator/src/control/truth.ts';

export interface SeedResult {
  tenantId: number | null;
  token: string;
  /** False when an earlier start's demo tenant was found again (by its token) and reused. */
  createdTenant: boolean;
  integrations: { jira: number; github: number };
  jobs: number[];
}

class HttpError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

async function call<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await sendJson(fetch, base, token, method, path, body);
  const text = await response.text();
  if (!response.ok)
    throw new HttpError(`${method} ${path} answered ${response.status}: ${text}`, response.status);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface IntegrationSummary {
  id: number;
  name: string;
  base_url: string;
  enabled: boolean;
  last_test: { ok: boolean } | null;
}

export const DEMO_TENANT_NAME = 'Demo';
const JIRA_NAME = 'Demo Jira (simulator)';
const GITHUB_NAME = 'Demo GitHub (simulator)';

/**
 * Seeds the demo, or finds the one an earlier start seeded: the tenant by the token
 * kept from that start, its integrations by name. The simulator URL is what the
 * backend (not this script) will call.
 */
export async function seedDemo(options: {
  backendUrl: string;
  adminToken: string;
  simulatorUrl: string;
  /** Where this script itself reaches the simulator (differs inside compose). */
  simulatorUrlFromHere?: string;
  /** The demo tenant's token from an earlier start, if any. */
  tenantToken?: string | undefined;
  /** Start a first run of each integration (default true). */
  startRuns?: boolean;
}): Promise<SeedResult> {
  const truth = (await (
    await fetch(new URL('/_sim/truth/summary', options.simulatorUrlFromHere ?? options.simulatorUrl))
  ).json()) as Truth;
  let token = options.tenantToken;
  let tenantId: number | null = null;
  let createdTenant = false;
  let existing: IntegrationSummary[] = [];
  if (token) {
    try {
      existing = (
        await call<{ integrations: IntegrationSummary[] }>(
          options.backendUrl,
          token,
          'GET',
          '/api/v1/integrations?limit=200',
        )
      ).integrations;
    } catch (error) {
      // A token of another database (DATABASE_URL changed) or a revoked one: seed afresh.
      if (!(error instanceof HttpError && error.status === 401)) throw error;
      token = undefined;
    }
  }
  if (!token) {
    const tenant = await call<{ id: number; token: string }>(
      options.backendUrl,
      options.adminToken,
      'POST',
      '/api/v1/tenants',
      {
        name: DEMO_TENANT_NAME,
      },
    );
    token = tenant.token;
    tenantId = tenant.id;
    createdTenant = true;
  }
  const tenantToken = token;
  const api = <T>(method: string, path: string, body?: unknown) =>
    call<T>(options.backendUrl, tenantToken, method, path, body);
  const ensure = async (name: string, body: Record<string, unknown>) => {
    const found = existing.find((integration) => integration.name === name);
    let id: number;
    let needsTest: boolean;
    if (found) {
      id = found.id;
      // The simulator may listen on another port this time (SIMULATOR_PORT).
      if (found.base_url !== options.simulatorUrl)
        await api('PATCH', `/api/v1/integrations/${id}`, { base_url: options.simulatorUrl });
      needsTest = found.base_url !== options.simulatorUrl || found.last_test?.ok !== true || !found.enabled;
    } else {
      id = (await api<{ id: number }>('POST', '/api/v1/integrations', { name, ...body })).id;
      needsTest = true;
    }
    if (needsTest) {
      const test = await api<{ ok: boolean; error: string | null }>(
        'POST',
        `/api/v1/integrations/${id}/test`,
      );
      if (!test.ok) throw new Error(`connection test of integration ${id} failed: ${test.error}`);
      await api('PATCH', `/api/v1/integrations/${id}`, { enabled: true });
    }
    return id;
  };
  const jira = await ensure(JIRA_NAME, {
    type: 'jira',
    base_url: options.simulatorUrl,
    credentials: { email: 'sim@example.com', api_token: 'sim-token' },
    config: { projects: truth.jira.projects },
    schedule: '*/15 * * * *',
  });
  const github = await ensure(GITHUB_NAME, {
    type: 'github',
    base_url: options.simulatorUrl,
    credentials: { token: 'sim-github-token' },
    config: { repositories: truth.github.repositories },
    schedule: '*/15 * * * *',
  });
  const jobs: number[] = [];
  if (options.startRuns ?? true) {
    for (const id of [jira, github]) {
      try {
        jobs.push((await api<{ job_id: number }>('POST', `/api/v1/integrations/${id}/runs`, {})).job_id);
      } catch (error) {
        // A run left active by the previous start carries on (it is taken over); no second one.
        if (!(error instanceof HttpError && error.status === 409)) throw error;
      }
    }
  }
  return { tenantId, token: tenantToken, createdTenant, integrations: { jira, github }, jobs };
}

if (import.meta.main) {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) {
      console.error(`${name} is required`);
      process.exit(2);
    }
    return value;
  };
  const result = await seedDemo({
    backendUrl: need('BACKEND_URL'),
    adminToken: need('TRIBUTARY_ADMIN_TOKEN'),
    simulatorUrl: need('SIMULATOR_URL'),
  });
  console.log(JSON.stringify(result, null, 2));
}
