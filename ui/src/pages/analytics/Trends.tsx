// Trends: throughput and median cycle time per day or week, each with its robust slope and
// whether the trend is significant; a line chart per measure, with a summary and the numbers.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Card, Field, inputClass, Loaded } from '../../components/ui';
import LineChart from './LineChart';
import { DataTable, duration, Filters, number, useAnalyticsParams } from './common';

const META: Record<Schemas['TrendMetric'], { title: string; color: string; unit: (v: number) => string; axis?: (v: number) => string }> = {
  throughput: { title: 'Throughput (instances completed)', color: '#4338ca', unit: (v) => number(v) },
  cycle_time: { title: 'Median cycle time', color: '#0f766e', unit: (v) => duration(v), axis: (v) => duration(v) },
};

const pValue = (p?: number | null) => (p == null ? '—' : p < 0.001 ? 'p < 0.001' : `p = ${number(p, 2)}`);

const when = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

export default function Trends() {
  const { teamId } = useTeam();
  const { processId, period, get, set } = useAnalyticsParams();
  const length = (get('period') === 'week' ? 'week' : 'day') as Schemas['TrendPeriod'];
  const trends = useQuery({
    queryKey: ['team', teamId, 'analytics', 'trends', processId, length, period],
    queryFn: () =>
      unwrap<Schemas['TrendAnalysis']>(
        api.GET('/v1/teams/{team_id}/analytics/trends', {
          params: { path: { team_id: teamId! }, query: { process_id: processId || undefined, period: length, ...period } },
        }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters playbook="optional" />
      <Field label="Periods of" hint="Instances are counted in the period they completed (UTC).">
        {(p) => (
          <select {...p} className={`${inputClass} sm:max-w-xs`} value={length} onChange={(e) => set('period', e.target.value)}>
            <option value="day">a day</option>
            <option value="week">a week (Monday to Sunday)</option>
          </select>
        )}
      </Field>
      <Loaded query={trends} empty={(d) => (d.trends.every((t) => t.points.length === 0) ? 'No instance completed in this period.' : null)}>
        {(d) => (
          <>
            {d.trends.map((t) => (
              <TrendCard key={t.metric} trend={t} level={d.significance_level} />
            ))}
            <Numbers trends={d.trends} />
          </>
        )}
      </Loaded>
    </div>
  );
}

function summary(t: Schemas['Trend'], level: number): string {
  const m = META[t.metric];
  const n = t.points.filter((p) => p.value != null).length;
  const per = t.period === 'week' ? 'a week' : 'a day';
  const parts = [`${n} ${t.period}${n === 1 ? '' : 's'} with a value`];
  if (t.points.length) parts.push(`from ${when(t.points[0].period_start)} to ${when(t.points[t.points.length - 1].period_start)}`);
  const values = t.points.map((p) => p.value).filter((v): v is number => v != null);
  if (values.length) parts.push(`lowest ${m.unit(Math.min(...values))}, highest ${m.unit(Math.max(...values))}`);
  const direction =
    t.direction === 'no_trend'
      ? `No significant trend${t.p_value != null ? ` (${pValue(t.p_value)}, not below ${level})` : ' (too few points to test)'}`
      : `${t.direction === 'increasing' ? 'Increasing' : 'Decreasing'} significantly (${pValue(t.p_value)})`;
  const slope = t.slope != null ? `; slope ${t.slope >= 0 ? '+' : '−'}${m.unit(Math.abs(t.slope))} ${per}` : '';
  return `${direction}${slope}. ${parts.join(', ')}.`;
}

function TrendCard({ trend, level }: { trend: Schemas['Trend']; level: number }) {
  return (
    <Card title={META[trend.metric].title}>
      <TrendFigure trend={trend} level={level} />
    </Card>
  );
}

/** A trend's line chart with its summary as the caption (the chart itself is hidden from screen readers). */
export function TrendFigure({ trend, level, height }: { trend: Schemas['Trend']; level: number; height?: number }) {
  const m = META[trend.metric];
  const x = useMemo(() => trend.points.map((p) => Date.parse(`${p.period_start}T00:00:00Z`) / 1000), [trend]);
  const lines = useMemo(() => [{ label: m.title, color: m.color, values: trend.points.map((p) => p.value ?? null) }], [trend, m]);
  return (
    <figure className="m-0">
      <figcaption className="mb-2 text-sm text-slate-700">{summary(trend, level)}</figcaption>
      {trend.points.length > 0 && <LineChart x={x} lines={lines} format={m.axis} height={height} />}
    </figure>
  );
}

export const trendTitle = (metric: Schemas['TrendMetric']) => META[metric].title;

function Numbers({ trends }: { trends: Schemas['Trend'][] }) {
  const days = [...new Set(trends.flatMap((t) => t.points.map((p) => p.period_start)))].sort();
  const value = (metric: Schemas['TrendMetric'], day: string) => trends.find((t) => t.metric === metric)?.points.find((p) => p.period_start === day)?.value;
  return (
    <details className="rounded-lg border border-slate-200 bg-white p-4">
      <summary className="cursor-pointer text-sm font-medium">The numbers behind the charts ({days.length} periods)</summary>
      <div className="mt-3">
        <DataTable
          label="Trend numbers"
          caption="Throughput and median cycle time per period"
          rows={days.slice().reverse()}
          rowKey={(d) => d}
          columns={[
            { header: 'Period starting', cell: (d) => when(d) },
            { header: 'Completed', numeric: true, cell: (d) => number(value('throughput', d)) },
            { header: 'Median cycle time', numeric: true, cell: (d) => duration(value('cycle_time', d)) },
          ]}
        />
      </div>
    </details>
  );
}
