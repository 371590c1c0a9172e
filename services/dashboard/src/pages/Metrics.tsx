import { useMemo, useState } from 'react';
import { qs } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { Table } from '../components/Table.tsx';
import { TrendChart } from '../components/TrendChart.tsx';
import { useAnalytics } from '../hooks.ts';
import { asMetric, isRecord, list, metricNumber, text, type Metric } from './shapes.ts';

// The metrics API of the analytics work (issue 12); every number opens the records it was computed from.
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
const seconds = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso).getTime() / 1000;

interface Phase {
  median_hours: number | null;
  p75_hours: number | null;
  count: number;
}
function asPhase(value: unknown): Phase | null {
  if (!isRecord(value) || !('median_hours' in value)) return null;
  const n = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    median_hours: n(value.median_hours),
    p75_hours: n(value.p75_hours),
    count: typeof value.count === 'number' ? value.count : 0,
  };
}

/** `[{week_start|day, count}]` → chart columns. */
function counts(data: unknown, key: 'week_start' | 'day'): { x: number[]; y: number[] } {
  const rows = Array.isArray(data) ? data.filter(isRecord) : [];
  return {
    x: rows.map((r) => seconds(text(r[key]))),
    y: rows.map((r) => (typeof r.count === 'number' ? r.count : 0)),
  };
}

function Tile({
  label,
  value,
  unit,
  band,
  count,
  onOpen,
}: {
  label: string;
  value: number | null;
  unit: string;
  band?: string | null;
  count: number;
  onOpen: () => void;
}) {
  return (
    <button
      type="button"
      className="tile"
      onClick={onOpen}
      aria-label={`${label}: ${metricNumber(value)} ${unit}, show items`}
    >
      <span className="tile-label">{label}</span>
      <span className="tile-value">{metricNumber(value)}</span>
      <span className="tile-unit">{unit}</span>
      {band ? <span className={`badge band-${band}`}>{band}</span> : null}
      <span className="muted">{count} records</span>
    </button>
  );
}

function Items({ title, url, onClose }: { title: string; url: string; onClose: () => void }) {
  const items = useAnalytics<unknown>(url);
  const rows = list(items.data, 'items');
  const total = isRecord(items.data) && typeof items.data.total === 'number' ? items.data.total : rows.length;
  const columns = [...new Set(rows.slice(0, 20).flatMap((r) => Object.keys(r)))].slice(0, 9);
  return (
    <section className="card" aria-labelledby="items-h">
      <header>
        <h2 id="items-h">Items: {title}</h2>
        <span className="muted">
          {rows.length} of {total}
        </span>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      <ErrorNote error={items.error} />
      {items.data && rows.length === 0 ? <p className="muted">No records.</p> : null}
      {rows.length > 0 ? (
        <Table label={`items of ${title}`} columns={columns}>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c} className="wrap">
                  {text(row[c], '—')}
                </td>
              ))}
            </tr>
          ))}
        </Table>
      ) : null}
    </section>
  );
}

/** Cycle times of the issues behind the flow metrics, in buckets of doubling width. */
function CycleDistribution({ url }: { url: string }) {
  const items = useAnalytics<unknown>(url);
  const hours = list(items.data, 'items').flatMap((r) =>
    typeof r.cycle_hours === 'number' ? [r.cycle_hours] : [],
  );
  const chart = useMemo(() => {
    const edges = [1, 4, 8, 24, 48, 96, 168, 336, 720, Infinity];
    const buckets = edges.map(() => 0);
    for (const h of hours) buckets[edges.findIndex((e) => h < e)]! += 1;
    return {
      x: edges.map((_, i) => i),
      series: [{ label: 'issues', values: buckets, color: '#7c3aed' }],
      labels: ['<1h', '<4h', '<8h', '<1d', '<2d', '<4d', '<1w', '<2w', '<30d', '30d+'],
    };
  }, [hours.join()]);
  if (hours.length === 0) return null;
  return (
    <>
      <TrendChart
        title={`Cycle time distribution (${chart.labels.join(', ')})`}
        x={chart.x}
        series={chart.series}
        time={false}
        bars
      />
    </>
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

  const doraData = isRecord(dora.data) ? dora.data : {};
  const prData = isRecord(prs.data) ? prs.data : {};
  const flowData = isRecord(flow.data) ? flow.data : {};
  const perWeek = useMemo(
    () =>
      counts(
        isRecord(doraData.deployment_frequency) ? doraData.deployment_frequency.per_week : [],
        'week_start',
      ),
    [dora.dataUpdatedAt],
  );
  const throughput = useMemo(() => counts(flowData.throughput, 'week_start'), [flow.dataUpdatedAt]);
  const wip = useMemo(() => counts(flowData.wip, 'day'), [flow.dataUpdatedAt]);
  const deploymentsSeries = useMemo(
    () => [{ label: 'deployments', values: perWeek.y, color: '#1d4ed8' }],
    [perWeek],
  );
  const throughputSeries = useMemo(
    () => [{ label: 'issues done', values: throughput.y, color: '#047857' }],
    [throughput],
  );
  const wipSeries = useMemo(() => [{ label: 'in progress', values: wip.y, color: '#b45309' }], [wip]);
  const flowItems =
    typeof flowData.items_url === 'string' ? flowData.items_url : `/api/v1/metrics/flow/items${range}`;
  const prItems =
    typeof prData.items_url === 'string' ? prData.items_url : `/api/v1/metrics/pull-requests/items${range}`;
  const efficiency = isRecord(flowData.flow_efficiency) ? flowData.flow_efficiency : {};
  const timeInStep = Array.isArray(flowData.time_in_step) ? flowData.time_in_step.filter(isRecord) : [];

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
            const metric: Metric | null = asMetric(doraData[key]);
            if (!metric) return null;
            return (
              <Tile
                key={key}
                label={label}
                value={metric.value}
                unit={metric.unit}
                band={metric.band}
                count={metric.count}
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
        {perWeek.x.length > 0 ? (
          <TrendChart title="Deployments per week" x={perWeek.x} series={deploymentsSeries} />
        ) : null}
      </section>
      {open ? <Items key={open.url} title={open.title} url={open.url} onClose={() => setOpen(null)} /> : null}
      <section aria-labelledby="prs-h">
        <h2 id="prs-h">Pull request cycle time</h2>
        <ErrorNote error={prs.error} />
        <div className="tiles">
          {PHASES.map((phase) => {
            const p = asPhase(prData[phase]);
            if (!p) return null;
            return (
              <Tile
                key={phase}
                label={`PR ${phase} (median)`}
                value={p.median_hours}
                unit={`hours · p75 ${metricNumber(p.p75_hours)}`}
                count={p.count}
                onOpen={() => setOpen({ title: 'Pull requests', url: prItems })}
              />
            );
          })}
        </div>
      </section>
      <section aria-labelledby="flow-h">
        <h2 id="flow-h">Flow</h2>
        <ErrorNote error={flow.error} />
        <div className="tiles">
          {(['cycle_time', 'lead_time'] as const).map((key) => {
            const p = asPhase(flowData[key]);
            if (!p) return null;
            const label = key === 'cycle_time' ? 'Cycle time (median)' : 'Lead time (median)';
            return (
              <Tile
                key={key}
                label={label}
                value={p.median_hours}
                unit={`hours · p75 ${metricNumber(p.p75_hours)}`}
                count={p.count}
                onOpen={() => setOpen({ title: 'Issues', url: flowItems })}
              />
            );
          })}
          {'value' in efficiency ? (
            <Tile
              label="Flow efficiency"
              value={typeof efficiency.value === 'number' ? efficiency.value : null}
              unit="of cycle time active"
              count={typeof efficiency.count === 'number' ? efficiency.count : 0}
              onOpen={() => setOpen({ title: 'Issues', url: flowItems })}
            />
          ) : null}
        </div>
        <CycleDistribution
          url={
            flowItems.includes('limit=')
              ? flowItems
              : `${flowItems}${flowItems.includes('?') ? '&' : '?'}limit=1000`
          }
        />
        {throughput.x.length > 0 ? (
          <TrendChart title="Throughput per week" x={throughput.x} series={throughputSeries} />
        ) : null}
        {wip.x.length > 0 ? (
          <TrendChart title="Work in progress per day" x={wip.x} series={wipSeries} />
        ) : null}
        {timeInStep.length > 0 ? (
          <Table label="time in step" columns={['Step', 'Category', 'Hours in all', 'Issues']}>
            {timeInStep.map((s) => (
              <tr key={text(s.step_id)}>
                <td>{text(s.step)}</td>
                <td>
                  {text(s.category)}
                  {s.kind ? ` (${text(s.kind)})` : ''}
                </td>
                <td>{metricNumber(typeof s.total_hours === 'number' ? s.total_hours : null)}</td>
                <td>{text(s.issues)}</td>
              </tr>
            ))}
          </Table>
        ) : null}
      </section>
    </>
  );
}
