import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

/** One registry per process, with Node's default metrics under a service prefix. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export { Registry, Counter, Gauge, Histogram };
