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
    return { name: 'metrics', lines };
  } finally {
    await bench?.close();
    await db.drop();
  }
}
