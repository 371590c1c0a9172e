import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

/**
 * A small line or bar chart (uPlot: ~50 kB, canvas, no inline style elements that
 * the strict CSP would block). `x` are unix seconds when `time`, else plain numbers.
 * The numbers are also in the accessible name, for screen readers.
 */
export function TrendChart({
  title,
  x,
  series,
  time = true,
  bars = false,
}: {
  title: string;
  x: number[];
  series: Series[];
  time?: boolean;
  bars?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.max(260, Math.min(el.clientWidth || 600, 900));
    const plot = new uPlot(
      {
        width,
        height: 200,
        title,
        scales: { x: { time } },
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: bars ? `${s.color}55` : undefined,
            width: 2,
            points: { show: !bars },
            ...(bars ? { paths: uPlot.paths.bars?.({ size: [0.8] }) } : {}),
          })),
        ],
        axes: [{}, { size: 50 }],
      },
      [x, ...series.map((s) => s.values)],
      el,
    );
    return () => plot.destroy();
  }, [title, x, series, time, bars]);
  const spoken = series.map((s) => `${s.label} ${s.values.map((v) => v ?? 'none').join(', ')}`).join('; ');
  return <div ref={ref} className="chart" role="img" aria-label={`${title}: ${spoken}`} />;
}
