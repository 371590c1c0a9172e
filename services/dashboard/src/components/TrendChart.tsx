import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A small weekly line chart (uPlot: ~50 kB, canvas, no runtime styles that a strict CSP would block). */
export function TrendChart({
  title,
  weeks,
  series,
}: {
  title: string;
  weeks: number[];
  series: { label: string; values: (number | null)[]; color: string }[];
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = Math.max(280, Math.min(el.clientWidth || 600, 900));
    const plot = new uPlot(
      {
        width,
        height: 220,
        title,
        scales: { x: { time: true } },
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true } })),
        ],
        axes: [{}, { size: 50 }],
      },
      [weeks, ...series.map((s) => s.values)],
      el,
    );
    return () => plot.destroy();
  }, [title, weeks, series]);
  return (
    <div
      ref={ref}
      className="chart"
      role="img"
      aria-label={`${title}: ${series.map((s) => `${s.label} ${s.values.map((v) => v ?? 'none').join(', ')}`).join('; ')}`}
    />
  );
}
