/**
 * Creates a demo tenant with a Jira and a GitHub integration pointing at the
 * simulator, tests and enables them, and starts a first run of each. Used by
 * `pnpm start` and by the compose stack's one-shot `seed` service.
 *
 * Env: BACKEND_URL, SIMULATOR_URL, TRIBUTARY_ADMIN_TOKEN. Prints the tenant token.
 */
interface Truth {
  jira: { projects: string[] };
  github: { repositories: string[] };
}

export interface SeedResult {
  tenantId: number;
  token: string;
  integrations: { jira: number; github: number };
  jobs: number[];
}

async function call<T>(base: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Seeds the demo; the simulator URL is what the backend (not this script) will call. */
export async function seedDemo(options: {
  backendUrl: string;
  adminToken: string;
  simulatorUrl: string;
  /** Where this script itself reaches the simulator (differs inside compose). */
  simulatorUrlFromHere?: string;
}): Promise<SeedResult> {
  const truth = await (await fetch(new URL('/_sim/truth/summary', options.simulatorUrlFromHere ?? options.simulatorUrl))).json() as Truth;
  const tenant = await call<{ id: number; token: string }>(options.backendUrl, options.adminToken, 'POST', '/api/v1/tenants', {
    name: 'Demo',
  });
  const api = <T>(method: string, path: string, body?: unknown) => call<T>(options.backendUrl, tenant.token, method, path, body);
  const create = async (body: object) => {
    const { id } = await api<{ id: number }>('POST', '/api/v1/integrations', body);
    const test = await api<{ ok: boolean; error: string | null }>('POST', `/api/v1/integrations/${id}/test`);
    if (!test.ok) throw new Error(`connection test of integration ${id} failed: ${test.error}`);
    await api('PATCH', `/api/v1/integrations/${id}`, { enabled: true });
    return id;
  };
  const jira = await create({
    type: 'jira',
    name: 'Demo Jira (simulator)',
    base_url: options.simulatorUrl,
    credentials: { email: 'sim@example.com', api_token: 'sim-token' },
    config: { projects: truth.jira.projects },
    schedule: '*/15 * * * *',
  });
  const github = await create({
    type: 'github',
    name: 'Demo GitHub (simulator)',
    base_url: options.simulatorUrl,
    credentials: { token: 'sim-github-token' },
    config: { repositories: truth.github.repositories },
    schedule: '*/15 * * * *',
  });
  const jobs: number[] = [];
  for (const id of [jira, github]) {
    jobs.push((await api<{ job_id: number }>('POST', `/api/v1/integrations/${id}/runs`, {})).job_id);
  }
  return { tenantId: tenant.id, token: tenant.token, integrations: { jira, github }, jobs };
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
