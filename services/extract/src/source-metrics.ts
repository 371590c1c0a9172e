import { Counter, Gauge, type Registry } from '@tributary/observability';

/**
 * What the extractor sees of its sources, for `/metrics`: answers by source, integration and
 * HTTP status, and the quota the source says is left. One set per process, registered in
 * the extract app's registry.
 */
const requests = new Counter({
  name: 'tributary_source_requests_total',
  help: 'Requests to Jira / GitHub by source, integration and HTTP status',
  labelNames: ['source', 'integration_id', 'status'],
  registers: [],
});
const remaining = new Gauge({
  name: 'tributary_source_ratelimit_remaining',
  help: 'Requests left in the current rate-limit window, as the source last reported (x-ratelimit-remaining)',
  labelNames: ['source', 'integration_id'],
  registers: [],
});

export function registerSourceMetrics(registry: Registry): void {
  registry.registerMetric(requests);
  registry.registerMetric(remaining);
}

/** Called for every answer a source gives (any status). */
export function recordSourceResponse(
  source: string,
  integrationId: number | string,
  status: number,
  headers: Readonly<Record<string, string>>,
): void {
  const labels = { source, integration_id: String(integrationId) };
  requests.inc({ ...labels, status: String(status) });
  const left = Number(headers['x-ratelimit-remaining']);
  if (headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(left)) remaining.set(labels, left);
}
