// A time series line chart drawn with uPlot on a canvas, as wide as its box (it follows the box
// on resize). The canvas is hidden from assistive technology: every chart comes with a caption
// that says what it shows and a table of its numbers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type Line = { label: string; values: (number | null)[]; color: string; dash?: number[] };

export default function LineChart({
  x,
  lines,
  height = 220,
  format,
}: {
  /** Unix seconds of each point. */
  x: number[];
  lines: Line[];
  height?: number;
  /** How the y axis writes a value. */
  format?: (v: number) => string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(200, Math.floor(el.clientWidth));
    const axis = { stroke: '#334155', grid: { stroke: '#e2e8f0' }, ticks: { stroke: '#cbd5e1' }, font: '12px system-ui, sans-serif' };
    const chart = new uPlot(
      {
        width: width(),
        height,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true } },
        axes: [
          axis,
          { ...axis, size: 56, values: (_u, splits) => splits.map((v) => (format ? format(v) : String(v))) },
        ],
        series: [
          {},
          ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash, spanGaps: false, points: { show: x.length < 60 } })),
        ],
      },
      [x, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [x, lines, height, format]);
  return <div ref={box} aria-hidden="true" className="w-full overflow-hidden" />;
}
