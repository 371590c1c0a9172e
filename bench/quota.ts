import { benchDatabase, benchStack, json, timed, type BenchResult, type BenchStack } from './support.ts';

interface SimStats {
  total_requests: number;
  rate_limited: { primary: number; burst: number };
  requests: Record<string, { total: number; by_status: Record<string, number> }>;
}

/**
 * Rate-limit efficiency: a GitHub run against a simulator that allows `limit`
 * requests per `windowSeconds`, needing several windows' worth of requests.
 * Reports quota used / quota allowed over the run and every 403/429 the
 * governor failed to prevent (none are injected).
 */
export async function benchQuota(limit = 300, windowSeconds = 10, pulls = 300): Promise<BenchResult> {
  const db = await benchDatabase('quota');
  let bench: BenchStack | undefined;
  try {
    bench = await benchStack(db.url, {
      simulator: {
        SIM_SEED: '5',
        SIM_GITHUB_REPOS: '2',
        SIM_GITHUB_PRS: String(pulls),
        SIM_GITHUB_RATE_LIMIT: String(limit),
        SIM_RATE_WINDOW_SECONDS: String(windowSeconds),
      },
    });
    const { stack } = bench;
    const urls = stack.urls;
    const admin = { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
    const tenant = await json<{ token: string }>(`${urls.backend}/api/v1/tenants`, {
      method: 'POST',
      headers: admin,
      body: '{"name":"quota"}',
    });
    const auth = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' };
    const truth = await json<{ github: { repositories: string[] } }>(`${urls.simulator}/_sim/truth/summary`);
    const integration = await json<{ id: number }>(`${urls.backend}/api/v1/integrations`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        type: 'github',
        name: 'quota',
        base_url: urls.simulator,
        credentials: { token: 'sim-github-token' },
        // The REST governor's benchmark; GraphQL's quota is measured by source-efficiency.
        config: { repositories: truth.github.repositories, api: 'rest' },
      }),
    });
    await json(`${urls.backend}/api/v1/integrations/${integration.id}/test`, {
      method: 'POST',
      headers: { authorization: auth.authorization },
    });
    await json(`${urls.backend}/api/v1/integrations/${integration.id}`, {
      method: 'PATCH',
      headers: auth,
      body: '{"enabled":true}',
    });
    // Start on a fresh window so the run is not measured against quota the test already spent.
    await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1000));
    await fetch(`${urls.simulator}/_sim/stats`, { method: 'DELETE' });

    const elapsed = await timed(async () => {
      const run = await json<{ job_id: number }>(
        `${urls.backend}/api/v1/integrations/${integration.id}/runs`,
        {
          method: 'POST',
          headers: auth,
          body: '{"streams":["repositories","pull_requests"]}',
        },
      );
      for (;;) {
        const job = await json<{ status: string; error: string | null }>(
          `${urls.backend}/api/v1/jobs/${run.job_id}`,
          { headers: auth },
        );
        if (job.status === 'FINISHED') break;
        if (job.status === 'FAILED' || job.status === 'CANCELLED')
          throw new Error(`job ${job.status}: ${job.error}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    const stats = await json<SimStats>(`${urls.simulator}/_sim/stats`);
    const limited = stats.rate_limited.primary + stats.rate_limited.burst;
    const allowed = (limit * elapsed) / windowSeconds;
    return {
      name: 'rate-limit efficiency',
      lines: [
        `GitHub run of ${pulls} PRs against a limit of ${limit} requests / ${windowSeconds} s`,
        `requests: ${stats.total_requests} in ${elapsed.toFixed(1)} s; quota allowed over that time: ${allowed.toFixed(0)}`,
        `quota used / allowed: ${((stats.total_requests / allowed) * 100).toFixed(1)} % (target ≥ 90 %)`,
        `rate-limited answers (403/429, none injected): ${limited} (target 0)`,
      ],
    };
  } finally {
    await bench?.close();
    await db.drop();
  }
}
