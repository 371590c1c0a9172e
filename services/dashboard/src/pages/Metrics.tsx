import { useMemo, useState } from 'react';
import { useQueries } from '@tanstack/react-query';
import { get, qs } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { TrendChart } from '../components/TrendChart.tsx';
import { useAnalytics } from '../hooks.ts';
import { asMetric, isRecord, list, metricNumber, text, type Metric } from './shapes.ts';

// The metrics API belongs to the analytics work (issue 12); every number links to the records behind it.
const DORA = [
  ['deployment_frequency', 'Deployment frequency'],
  ['change_lead_time', 'Change lead time'],
  ['change_fail_rate', 'Change fail rate'],
  ['failed_deployment_recovery_time', 'Failed deployment recovery time'],
  ['deployment_rework_rate', 'Deployment rework rate'],
] as const;
const PHASES = ['coding', 'pickup', 'review', 'deploy'] as const;
const DAY = 86_400_000;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const metricsOf = (data: unknown): Record<string, unknown> =>
  isRecord(data) && isRecord(data.metrics) ? data.metrics : isRecord(data) ? data : {};

function Tile({ label, metric, onOpen }: { label: string; metric: Metric; onOpen: () => void }) {
  return (
    <button
      type="button"
      className="tile"
      onClick={onOpen}
      aria-label={`${label}: ${metricNumber(metric.value)} ${metric.unit}, show items`}
    >
      <span className="tile-label">{label}</span>
      <span className="tile-value">{metricNumber(metric.value)}</span>
      <span className="tile-unit">{metric.unit}</span>
      {metric.band ? <span className={`badge band-${metric.band}`}>{metric.band}</span> : null}
      <span className="muted">{metric.count} records</span>
    </button>
  );
}

function Items({ title, url, onClose }: { title: string; url: string; onClose: () => void }) {
  const items = useAnalytics<unknown>(url);
  const rows = list(items.data, 'items');
  const columns = [...new Set(rows.slice(0, 20).flatMap((r) => Object.keys(r)))].slice(0, 8);
  return (
    <section className="card" aria-labelledby="items-h">
      <header>
        <h2 id="items-h">Items: {title}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      <ErrorNote error={items.error} />
      {items.data && rows.length === 0 ? <p className="muted">No records.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`items of ${title}`}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c} className="wrap">
                      {text(row[c], '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export function Metrics() {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const [from, setFrom] = useState(isoDay(today - 30 * DAY));
  const [to, setTo] = useState(isoDay(today + DAY));
  const [open, setOpen] = useState<{ title: string; url: string } | null>(null);
  const range = qs({ from, to });
  const dora = useAnalytics<unknown>(`/api/v1/metrics/dora${range}`);
  const prs = useAnalytics<unknown>(`/api/v1/metrics/pull-requests${range}`);
  const flow = useAnalytics<unknown>(`/api/v1/metrics/flow${range}`);

  // Trends: the same metrics per week over the last eight weeks of the range.
  const weeks = useMemo(() => {
    const end = new Date(`${to}T00:00:00Z`).getTime();
    return Array.from({ length: 8 }, (_, i) => end - (8 - i) * 7 * DAY);
  }, [to]);
  const weekly = useQueries({
    queries: weeks.map((start) => ({
      queryKey: ['analytics', 'dora-week', start],
      queryFn: () =>
        get<unknown>(`/api/v1/metrics/dora${qs({ from: isoDay(start), to: isoDay(start + 7 * DAY) })}`),
    })),
  });
  const trend = (key: string) => weekly.map((q) => asMetric(metricsOf(q.data)[key])?.value ?? null);
  const trendsReady = weekly.every((q) => q.isSuccess);
  const series = useMemo(
    () => [
      { label: 'deployments', values: trend('deployment_frequency'), color: '#1d4ed8' },
      { label: 'lead time', values: trend('change_lead_time'), color: '#b45309' },
    ],
    [trendsReady, weekly.map((q) => q.dataUpdatedAt).join()],
  );

  const doraMetrics = metricsOf(dora.data);
  const flowMetrics = Object.entries(metricsOf(flow.data)).flatMap(([key, value]) => {
    const metric = asMetric(value);
    return metric ? [[key, metric] as const] : [];
  });
  const phases = isRecord(prs.data) ? (isRecord(prs.data.phases) ? prs.data.phases : prs.data) : {};

  return (
    <>
      <h1>Metrics</h1>
      <form className="filters" aria-label="date range" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      <section aria-labelledby="dora-h">
        <h2 id="dora-h">DORA</h2>
        <ErrorNote error={dora.error} />
        <div className="tiles">
          {DORA.map(([key, label]) => {
            const metric = asMetric(doraMetrics[key]);
            if (!metric) return null;
            return (
              <Tile
                key={key}
                label={label}
                metric={metric}
                onOpen={() =>
                  setOpen({
                    title: label,
                    url: metric.items_url ?? `/api/v1/metrics/dora/${key}/items${range}`,
                  })
                }
              />
            );
          })}
        </div>
        {trendsReady ? (
          <TrendChart title="Per week" weeks={weeks.map((w) => w / 1000)} series={series} />
        ) : null}
      </section>
      {open ? <Items title={open.title} url={open.url} onClose={() => setOpen(null)} /> : null}
      <section aria-labelledby="prs-h">
        <h2 id="prs-h">Pull request cycle time</h2>
        <ErrorNote error={prs.error} />
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Phase</th>
                <th scope="col">Median (h)</th>
                <th scope="col">75th percentile (h)</th>
                <th scope="col">Pull requests</th>
              </tr>
            </thead>
            <tbody>
              {PHASES.map((phase) => {
                const p = isRecord(phases[phase]) ? phases[phase] : {};
                return (
                  <tr key={phase}>
                    <td>{phase}</td>
                    <td>{metricNumber(typeof p.median_hours === 'number' ? p.median_hours : null)}</td>
                    <td>{metricNumber(typeof p.p75_hours === 'number' ? p.p75_hours : null)}</td>
                    <td>{typeof p.count === 'number' ? p.count : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="flow-h">
        <h2 id="flow-h">Flow</h2>
        <ErrorNote error={flow.error} />
        <div className="tiles">
          {flowMetrics.map(([key, metric]) => (
            <Tile
              key={key}
              label={key.replaceAll('_', ' ')}
              metric={metric}
              onOpen={() =>
                setOpen({
                  title: key.replaceAll('_', ' '),
                  url: metric.items_url ?? `/api/v1/metrics/flow/items${qs({ from, to, metric: key })}`,
                })
              }
            />
          ))}
        </div>
      </section>
    </>
  );
}
