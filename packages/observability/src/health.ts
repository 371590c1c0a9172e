import { errorMessage } from '@tributary/contracts';
/** One dependency's readiness: a name and a probe that throws when it is not usable. */
export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'ok' | 'unavailable'; detail?: unknown; error?: string }>;
}

/** Runs every probe in parallel, each bounded by a timeout so a hung dependency cannot hang readiness. */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  timeoutMs = 2000,
): Promise<HealthReport> {
  type Entry = readonly [string, HealthReport['checks'][string]];
  const results = await Promise.all(
    checks.map(async ({ name, check }): Promise<Entry> => {
      try {
        const detail: unknown = await withTimeout(check(), timeoutMs, name);
        return [name, detail === undefined ? { status: 'ok' } : { status: 'ok', detail }];
      } catch (error) {
        return [name, { status: 'unavailable', error: errorMessage(error) }];
      }
    }),
  );
  const entries = Object.fromEntries(results);
  const healthy = results.every(([, result]) => result.status === 'ok');
  return { status: healthy ? 'ok' : 'unavailable', checks: entries };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} check timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/readyz` on the wire: each dependency `up` or `down`, and each breaker's state — nothing else. */
export interface ReadinessReport {
  ok: boolean;
  body: Record<string, string | Record<string, string>>;
}

/**
 * Probes each dependency (bounded by a timeout) and reports `{ <name>: "up" | "down", …, breakers:
 * { <name>: "CLOSED" | "OPEN" | "HALF_OPEN" } }`; probe results (a pg result, say) never leak into it.
 */
export async function readiness(
  probes: readonly HealthCheck[],
  breakers: () => Record<string, string> = () => ({}),
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const report = await runHealthChecks(probes, timeoutMs);
  const body: ReadinessReport['body'] = {};
  for (const [name, result] of Object.entries(report.checks))
    body[name] = result.status === 'ok' ? 'up' : 'down';
  body.breakers = breakers();
  return { ok: report.status === 'ok', body };
}
