import { benchDatabase, benchStack, json, timed, type BenchResult } from './support.ts';

interface SimStats {
  total_requests: number;
  not_modified: number;
  graphql_points: number;
  rate_limited: { primary: number; burst: number };
  requests: Record<string, { total: number; by_status: Record<string, number> }>;
}

interface Setup {
  simulator: string;
  backend: string;
  auth: Record<string, string>;
  repositories: string[];
}

async function integration(s: Setup, api: 'rest' | 'graphql'): Promise<number> {
  const created = await json<{ id: number }>(`${s.backend}/api/v1/integrations`, {
    method: 'POST',
    headers: s.auth,
    body: JSON.stringify({
      type: 'github',
      name: `efficiency ${api}`,
      base_url: s.simulator,
      credentials: { token: 'sim-github-token' },
      config: { repositories: s.repositories, api },
    }),
  });
  await json(`${s.backend}/api/v1/integrations/${created.id}/test`, {
    method: 'POST',
    headers: { authorization: s.auth.authorization ?? '' },
  });
  await json(`${s.backend}/api/v1/integrations/${created.id}`, {
    method: 'PATCH',
    headers: s.auth,
    body: '{"enabled":true}',
  });
  return created.id;
}

/** Runs the repositories + pull_requests streams to the end; returns seconds and what the simulator saw. */
async function run(
  s: Setup,
  id: number,
  mode: 'full' | 'incremental',
): Promise<{ seconds: number; stats: SimStats }> {
  await fetch(`${s.simulator}/_sim/stats`, { method: 'DELETE' });
  const seconds = await timed(async () => {
    const started = await json<{ job_id: number }>(`${s.backend}/api/v1/integrations/${id}/runs`, {
      method: 'POST',
      headers: s.auth,
      body: JSON.stringify({ streams: ['repositories', 'pull_requests'], mode }),
    });
    let polls = 0;
    for (;;) {
      const job = await json<{ status: string; error: string | null }>(
        `${s.backend}/api/v1/jobs/${started.job_id}`,
        { headers: s.auth },
      );
      if (++polls % 150 === 0) console.error(`job ${started.job_id} (${mode}) still ${job.status}`);
      if (job.status === 'FINISHED') break;
      if (job.status === 'FAILED' || job.status === 'CANCELLED')
        throw new Error(`job ${job.status}: ${job.error}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  return { seconds, stats: await json<SimStats>(`${s.simulator}/_sim/stats`) };
}

const restRequests = (stats: SimStats): number =>
  Object.entries(stats.requests)
    .filter(([route]) => !route.includes('/graphql'))
    .reduce((sum, [, r]) => sum + r.total, 0);

async function withStack<T>(
  label: string,
  simulator: Record<string, string>,
  work: (s: Setup) => Promise<T>,
): Promise<T> {
  const db = await benchDatabase(label);
  const bench = await benchStack(db.url, { simulator });
  try {
    const urls = bench.stack.urls;
    const admin = { authorization: `Bearer ${bench.stack.adminToken}`, 'content-type': 'application/json' };
    const tenant = await json<{ token: string }>(`${urls.backend}/api/v1/tenants`, {
      method: 'POST',
      headers: admin,
      body: `{"name":"${label}"}`,
    });
    const truth = await json<{ github: { repositories: string[] } }>(`${urls.simulator}/_sim/truth/summary`);
    return await work({
      simulator: urls.simulator,
      backend: urls.backend,
      auth: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' },
      repositories: truth.github.repositories,
    });
  } finally {
    await bench.close();
    await db.drop();
  }
}

/**
 * Source efficiency (issue 14): the quota a full GitHub sync spends per pull request over REST and
 * over GraphQL on the same simulator data, what a run with nothing changed spends, and the first
 * sync under github.com's limits (5 000 points an hour, 150 ms per request, 100 concurrent) with
 * the hour compressed by `clockFactor`, for `limitedPulls` PRs in one repository.
 */
export async function benchSourceEfficiency(
  pulls = 2000,
  limitedPulls = 20_000,
  clockFactor = 60,
): Promise<BenchResult> {
  const repos = 4;
  const lines: string[] = [];
  // No quota to wait for here (the REST mode alone needs ~4 requests per PR): this part counts, it does not time.
  const unlimited = { SIM_GITHUB_RATE_LIMIT: '10000000' };
  await withStack(
    'efficiency',
    { SIM_SEED: '14', SIM_GITHUB_REPOS: String(repos), SIM_GITHUB_PRS: String(pulls), ...unlimited },
    async (s) => {
      const gql = await integration(s, 'graphql');
      const rest = await integration(s, 'rest');
      const g = await run(s, gql, 'full');
      const r = await run(s, rest, 'full');
      const g2 = await run(s, gql, 'incremental');
      const r2 = await run(s, rest, 'incremental');
      lines.push(
        `full sync of ${pulls} PRs in ${repos} repositories (reviews, review comments, commits): GraphQL ${g.stats.graphql_points} points = **${(g.stats.graphql_points / pulls).toFixed(4)} points per PR** (target ≤ 0.05) in ${g.stats.requests['POST /graphql']?.total ?? 0} queries, plus ${restRequests(g.stats)} REST requests (repositories); REST mode ${restRequests(r.stats)} requests = **${(restRequests(r.stats) / pulls).toFixed(2)} requests per PR**`,
        `wall time on an unthrottled simulator: GraphQL ${g.seconds.toFixed(1)} s, REST ${r.seconds.toFixed(1)} s`,
        `no-change re-sync (${repos} scopes): GraphQL ${g2.stats.graphql_points} points (${(g2.stats.graphql_points / repos).toFixed(2)} per scope, target ≤ 1) + ${restRequests(g2.stats)} REST requests of which ${g2.stats.not_modified} were 304 (not charged); REST mode ${restRequests(r2.stats)} requests (${(restRequests(r2.stats) / repos).toFixed(2)} per scope), ${r2.stats.not_modified} of them 304`,
      );
    },
  );

  const window = Math.round(3600 / clockFactor);
  await withStack(
    'efficiency_limits',
    {
      SIM_SEED: '15',
      SIM_GITHUB_REPOS: '1',
      SIM_GITHUB_PRS: String(limitedPulls),
      SIM_GITHUB_RATE_LIMIT: '5000',
      SIM_RATE_WINDOW_SECONDS: String(window),
      SIM_LATENCY_MS: '150',
    },
    async (s) => {
      const gql = await integration(s, 'graphql');
      const g = await run(s, gql, 'full');
      const points = g.stats.graphql_points;
      const queries = g.stats.requests['POST /graphql']?.total ?? 0;
      const windows = Math.ceil(points / 5000);
      lines.push(
        `first sync under github.com limits (5 000 points/h per token, the hour compressed ×${clockFactor} into ${window} s windows; 150 ms per request; 100 concurrent): ${limitedPulls} PRs in one repository, ${points} points (${(points / limitedPulls).toFixed(4)} per PR) in ${queries} queries, ${g.seconds.toFixed(1)} s wall time, rate-limited answers ${g.stats.rate_limited.primary + g.stats.rate_limited.burst}`,
        `projected real time for ${limitedPulls} PRs on one token: the ${points} points are ${((points / 5000) * 100).toFixed(0)} % of one hour's quota (target < 1 h), so no quota wait at real speed either: ≈ ${(g.seconds / 60).toFixed(1)} min (latency-bound, queries one after another; ${windows} hour window${windows === 1 ? '' : 's'} of quota). REST at 4 requests per PR would need ${((limitedPulls * 4) / 5000).toFixed(0)} h of quota`,
      );
    },
  );
  return { name: 'source efficiency (GitHub GraphQL vs REST)', lines };
}
