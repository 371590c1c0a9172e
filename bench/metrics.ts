import pg from 'pg';
import { fillMetricsData, type MetricsDataSize } from './metrics-data.ts';
import { benchDatabase, benchStack, timed, type BenchResult, type BenchStack } from './support.ts';

function percentileOf(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * Metric response times: the backend as a real process over a database holding `size` (issues,
 * PRs, deployments) of normalized rows written straight with SQL (see metrics-data.ts), each
 * endpoint asked `rounds` times after two warm-up calls, for a 90-day and a 365-day range.
 */
/** Waits (polling) until the tenant's flow summaries are built for its current configuration. */
async function summariesBuilt(url: string, tenantId: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let k = 0; k < 1200; k++) {
      const { rows } = await client.query<{ current: boolean }>(
        `select coalesce((select built_version = config_version from flow_summary_state where tenant_id = $1), false) as current`,
        [tenantId],
      );
      if (rows[0]?.current) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('flow summaries not built within 2 minutes');
  } finally {
    await client.end();
  }
}

export async function benchMetrics(size: MetricsDataSize, rounds = 15): Promise<BenchResult> {
  const db = await benchDatabase('metrics');
  let bench: BenchStack | undefined;
  try {
    bench = await benchStack(db.url, {}, ['backend']);
    const base = bench.stack.urls.backend;
    const created = await fetch(`${base}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bench.stack.adminToken}`, 'content-type': 'application/json' },
      body: '{"name":"metrics"}',
    });
    const tenant = (await created.json()) as { id: number; token: string };
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const fillSeconds = await timed(() => fillMetricsData(client, tenant.id, size));
    await client.end();
    const lines = [
      `data: ${size.issues} issues (~${Math.round(size.issues * 3.85)} transitions), ${size.prs} PRs (3 commits, 2 reviews each), ` +
        `${size.deployments} deployments (3 statuses each) in ${size.repositories} repositories over two years, ` +
        `written with SQL in ${fillSeconds.toFixed(1)} s`,
    ];
    const end = Date.parse('2026-12-01');
    const yearUrl = `${base}/api/v1/metrics/flow?from=${new Date(end - 365 * 86_400_000).toISOString()}&to=${new Date(end).toISOString()}`;
    const yearFlow = async () => {
      const response = await fetch(yearUrl, { headers: { authorization: `Bearer ${tenant.token}` } });
      if (!response.ok) throw new Error(`flow answered ${response.status}`);
      await response.arrayBuffer();
    };
    // The first flow request after the data (and its flow configuration) was written: the summaries
    // are not built yet. Then wait until they are, so the rounds below time the steady state.
    const firstFlow = (await timed(yearFlow)) * 1000;
    const builtAfter = await timed(() => summariesBuilt(db.url, tenant.id));
    lines.push(
      `/api/v1/metrics/flow over 365 days, first request after the data was written: ${firstFlow.toFixed(0)} ms ` +
        `(summaries current ${builtAfter.toFixed(1)} s after it)`,
    );
    for (const days of [90, 365]) {
      const range = `from=${new Date(end - days * 86_400_000).toISOString()}&to=${new Date(end).toISOString()}`;
      for (const path of ['/api/v1/metrics/dora', '/api/v1/metrics/pull-requests', '/api/v1/metrics/flow']) {
        const url = `${base}${path}?${range}`;
        const call = async () => {
          const response = await fetch(url, { headers: { authorization: `Bearer ${tenant.token}` } });
          if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
        };
        await call();
        await call();
        const times: number[] = [];
        for (let k = 0; k < rounds; k++) times.push((await timed(call)) * 1000);
        lines.push(
          `${path} over ${days} days: p50 ${percentileOf(times, 0.5).toFixed(0)} ms, p95 ${percentileOf(times, 0.95).toFixed(0)} ms (${rounds} calls)`,
        );
      }
    }
    // A flow configuration change, then at once a flow request over a year: the request must not
    // wait for the tenant's summaries to be rebuilt. In Review moves between its waiting step and
    // In Progress (active) and back, each time through the API as a person would.
    const auth = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json' };
    const listed = (await (await fetch(`${base}/api/v1/flow/mappings`, { headers: auth })).json()) as {
      mappings: Array<{ id: number; source_status: string; flow_step_id: number }>;
    };
    const review = listed.mappings.find((m) => m.source_status === 'In Review');
    const progress = listed.mappings.find((m) => m.source_status === 'In Progress');
    if (!review || !progress) throw new Error('bench mappings missing');
    const afterChange: number[] = [];
    for (const target of [progress.flow_step_id, review.flow_step_id, progress.flow_step_id]) {
      const patched = await fetch(`${base}/api/v1/flow/mappings/${review.id}`, {
        method: 'PATCH',
        headers: auth,
        body: JSON.stringify({ flow_step_id: target }),
      });
      if (!patched.ok) throw new Error(`mapping change answered ${patched.status}`);
      afterChange.push((await timed(yearFlow)) * 1000);
    }
    lines.push(
      `/api/v1/metrics/flow over 365 days right after a mapping change: ${afterChange.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
    return { name: 'metrics', lines };
  } finally {
    await bench?.close();
    await db.drop();
  }
}
