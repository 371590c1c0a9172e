import { machine } from './support.ts';
import { benchRawIngest } from './raw-ingest.ts';
import { benchTransformLoad } from './transform-load.ts';
import { benchEndToEnd, benchEndToEndLatency } from './end-to-end.ts';
import { benchQuota } from './quota.ts';
import { benchScaleOut } from './scale-out.ts';
import { benchRawRetention } from './raw-retention.ts';
import { benchMetrics } from './metrics.ts';
import { benchSourceEfficiency } from './source-efficiency.ts';
import type { BenchResult } from './support.ts';

/**
 * `pnpm bench [name…]`: runs the benchmarks (all by default) against the local
 * Postgres/RabbitMQ and prints results to paste into bench/BENCHMARKS.md.
 */
const benchmarks: Record<string, () => Promise<BenchResult>> = {
  'raw-ingest': () => benchRawIngest(Number(process.env.BENCH_RAW_RECORDS ?? 100_000)),
  'transform-load': () =>
    benchTransformLoad(
      Number(process.env.BENCH_ISSUES ?? 100_000),
      Number(process.env.BENCH_PRS ?? 20_000),
      Number(process.env.BENCH_ROUNDS ?? 1),
    ),
  quota: () => benchQuota(),
  'source-efficiency': () =>
    benchSourceEfficiency(
      Number(process.env.BENCH_EFFICIENCY_PRS ?? 2000),
      Number(process.env.BENCH_LIMITS_PRS ?? 20_000),
      Number(process.env.BENCH_CLOCK_FACTOR ?? 60),
    ),
  // BENCH_E2E_PART=latency runs only the latency comparison (minutes, not the 100 000-issue run);
  // BENCH_E2E_PART=full only the run against the COPY ceiling.
  'end-to-end': async () => {
    const part = process.env.BENCH_E2E_PART;
    const latency =
      part === 'full'
        ? undefined
        : await benchEndToEndLatency(
            Number(process.env.BENCH_LATENCY_ISSUES ?? 5000),
            Number(process.env.BENCH_LATENCY_PRS ?? 1000),
            Number(process.env.BENCH_SOURCE_LATENCY_MS ?? 100),
          );
    if (latency && part === 'latency') return latency;
    const full = await benchEndToEnd(
      Number(process.env.BENCH_ISSUES ?? 100_000),
      Number(process.env.BENCH_PRS ?? 20_000),
    );
    return latency
      ? { name: `${full.name}; ${latency.name}`, lines: [...full.lines, ...latency.lines] }
      : full;
  },
  'scale-out': () =>
    benchScaleOut(Number(process.env.BENCH_ISSUES ?? 3000), Number(process.env.BENCH_PRS ?? 300)),
  'raw-retention': () =>
    benchRawRetention(Number(process.env.BENCH_ISSUES ?? 2000), Number(process.env.BENCH_PRS ?? 200)),
  metrics: () =>
    benchMetrics({
      issues: Number(process.env.BENCH_ISSUES ?? 100_000),
      prs: Number(process.env.BENCH_PRS ?? 20_000),
      deployments: Number(process.env.BENCH_DEPLOYMENTS ?? 5_000),
      repositories: 10,
    }),
};

const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = selected.length > 0 ? selected : Object.keys(benchmarks);
console.log(`# ${new Date().toISOString().slice(0, 10)} — ${machine()}`);
for (const name of names) {
  const bench = benchmarks[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  const result = await bench();
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`- ${line}`);
}
