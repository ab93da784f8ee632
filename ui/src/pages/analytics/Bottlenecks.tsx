// Bottlenecks: one playbook's graph coloured by where its time goes (a heat value per step,
// 0 to 1 of the hottest), the numbers behind it, the steps ranked by share of cycle time, and
// the paths its instances took.
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState, type CSSProperties } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { After, Card, Field, inputClass, Loaded } from '../../components/ui';
import { DataTable, duration, Filters, Meter, number, percent, seconds, useAnalyticsParams, usePlaybooks } from './common';

const StepGraph = lazy(() => import('../../components/StepGraph'));

const MEASURES = {
  total: { label: 'Total time held', short: 'total time' },
  waiting: { label: 'Mean waiting time', short: 'mean waiting' },
  work: { label: 'Mean work time', short: 'mean work' },
} as const;
type MeasureKey = keyof typeof MEASURES;

function raw(s: Schemas['StepMetrics'], m: MeasureKey): number {
  const wait = seconds(s.waiting_time.mean) ?? 0;
  const work = seconds(s.work_time.mean) ?? 0;
  if (m === 'waiting') return wait;
  if (m === 'work') return work;
  return s.executions * (wait + work);
}

export default function Bottlenecks() {
  const { teamId } = useTeam();
  const { processId, period, get, set } = useAnalyticsParams();
  const playbooks = usePlaybooks();
  const id = processId || playbooks.data?.items[0]?.id || '';
  const playbook = playbooks.data?.items.find((p) => p.id === id);
  const measureKey = (get('heat') in MEASURES ? get('heat') : 'total') as MeasureKey;
  const [selected, setSelected] = useState<string | undefined>();

  const analytics = useQuery({
    queryKey: ['team', teamId, 'analytics', 'processes', id, period],
    queryFn: async () => {
      const answer = await unwrap<Schemas['ProcessAnalyticsAnswer']>(
        api.GET('/v1/teams/{team_id}/analytics/processes', {
          params: { path: { team_id: teamId! }, query: { process_id: id, ...period } },
        }),
      );
      // with a `process_id` the answer is that playbook's measures, never the list
      if (Array.isArray(answer)) throw new Error('The server answered with every playbook instead of one.');
      return answer;
    },
    enabled: !!teamId && !!id,
    placeholderData: (previous) => previous,
  });
  const mining = useQuery({
    queryKey: ['team', teamId, 'analytics', 'variants', id, period],
    queryFn: () =>
      unwrap<Schemas['ProcessMining']>(
        api.GET('/v1/teams/{team_id}/analytics/variants', {
          params: { path: { team_id: teamId! }, query: { process_id: id, limit: 10, ...period } },
        }),
      ),
    enabled: !!teamId && !!id,
    placeholderData: (previous) => previous,
  });

  if (playbooks.data && playbooks.data.items.length === 0) return <p className="text-sm text-slate-600">The team has no playbook yet.</p>;

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters playbook="required" />
      <Field
        label="Colour steps by"
        hint="Total time held: executions × (mean waiting + mean work). Waiting: from ready until work starts. Work: from the start of work until finished."
      >
        {(p) => (
          <select {...p} className={`${inputClass} sm:max-w-md`} value={measureKey} onChange={(e) => set('heat', e.target.value)}>
            {Object.entries(MEASURES).map(([k, m]) => (
              <option key={k} value={k}>
                {m.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Loaded query={analytics}>
        {(a) => <Heat analytics={a} steps={playbook?.steps ?? []} measure={measureKey} selected={selected} onSelect={setSelected} />}
      </Loaded>
      {/* below the heat map, whose height depends on the playbook */}
      <After query={analytics}>
        <Loaded query={mining}>{(m) => <Variants mining={m} steps={playbook?.steps ?? []} />}</Loaded>
      </After>
    </div>
  );
}

function Heat({
  analytics,
  steps,
  measure,
  selected,
  onSelect,
}: {
  analytics: Schemas['ProcessAnalytics'];
  steps: Schemas['PlaybookStep'][];
  measure: MeasureKey;
  selected?: string;
  onSelect: (id: string) => void;
}) {
  const values = new Map(analytics.steps.map((s) => [s.step_id, raw(s, measure)]));
  const max = Math.max(0, ...values.values());
  const heat: Record<string, number> = {};
  for (const [id, v] of values) heat[id] = max > 0 ? v / max : 0;
  const rank = new Map(analytics.bottlenecks.map((b) => [b.step_id, b]));
  const rows = [...analytics.steps].sort((a, b) => (heat[b.step_id] ?? 0) - (heat[a.step_id] ?? 0));
  const hottest = rows[0];
  const label = MEASURES[measure].short;

  return (
    <>
      <Card title={`Where ${analytics.name}'s time goes`}>
        <p className="mb-3 text-sm text-slate-700">
          {analytics.steps.length === 0 || max === 0
            ? 'No step has measured time in this period.'
            : `Each step is coloured by its ${label}, from pale (none) to deep red (the most: ${hottest.name}, ${
                measure === 'total' ? duration(values.get(hottest.step_id)) + ' in all' : duration(values.get(hottest.step_id))
              }). The table below gives every number.`}
        </p>
        {steps.length > 0 && (
          <div
            className="h-96 rounded-md border border-slate-200 sm:h-(--graph-h)"
            // a tall graph for many steps where they stack (wide screens lay steps out left to right)
            style={{ '--graph-h': `${Math.min(720, Math.max(320, steps.length * 48))}px` } as CSSProperties}
          >
            <Suspense fallback={<p className="p-3 text-sm text-slate-600">Drawing the graph…</p>}>
              <StepGraph
                steps={steps}
                heat={heat}
                heatText={(id, v) => `${Math.round(v * 100)}% · ${duration(values.get(id))}`}
                selected={selected}
                onSelect={onSelect}
                ariaLabel={`Steps of ${analytics.name}, coloured by ${label}; the table below lists the numbers`}
              />
            </Suspense>
          </div>
        )}
      </Card>
      <Card title="Step measures">
        <DataTable
          label="Step measures"
          caption={`Each step's heat (${label}, 0 to 100% of the hottest step), waiting and work times, hottest first`}
          rows={rows}
          rowKey={(s) => s.step_id}
          rowProps={(s) => ({ className: s.step_id === selected ? 'bg-indigo-50' : undefined, 'aria-current': s.step_id === selected || undefined })}
          columns={[
            { header: 'Step', rowHeader: true, className: 'min-w-36', cell: (s) => s.name },
            { header: 'Heat', numeric: true, cell: (s) => percent(heat[s.step_id]) },
            {
              header: <span className="sr-only">Heat as a bar</span>,
              className: 'w-24',
              cell: (s) => <Meter value={heat[s.step_id] ?? 0} tone="bg-red-700" />,
            },
            { header: 'Bottleneck rank', numeric: true, cell: (s) => rank.get(s.step_id)?.rank ?? '—' },
            { header: 'Share of cycle time', numeric: true, cell: (s) => percent(rank.get(s.step_id)?.share_of_cycle_time) },
            { header: 'Executions', numeric: true, cell: (s) => number(s.executions) },
            { header: 'Mean waiting', numeric: true, cell: (s) => duration(seconds(s.waiting_time.mean)) },
            { header: 'Median waiting', numeric: true, cell: (s) => duration(seconds(s.waiting_time.median)) },
            { header: 'Mean work', numeric: true, cell: (s) => duration(seconds(s.work_time.mean)) },
            { header: 'Median work', numeric: true, cell: (s) => duration(seconds(s.work_time.median)) },
            { header: '90th pct. work', numeric: true, cell: (s) => duration(seconds(s.work_time.p90)) },
            {
              header: 'SLA breaches',
              numeric: true,
              cell: (s) => `${number(s.sla_breaches)}${s.sla_breach_rate != null ? ` (${percent(s.sla_breach_rate)})` : ''}`,
            },
            { header: 'Failure rate', numeric: true, cell: (s) => percent(s.failure_rate) },
            { header: 'Skip rate', numeric: true, cell: (s) => percent(s.skip_rate) },
          ]}
        />
      </Card>
    </>
  );
}

function Variants({ mining, steps }: { mining: Schemas['ProcessMining']; steps: Schemas['PlaybookStep'][] }) {
  const name = (id: string) => steps.find((s) => s.id === id)?.name ?? id;
  return (
    <Card title="Paths taken">
      <p className="mb-3 text-sm text-slate-700">
        {number(mining.cases)} finished {mining.cases === 1 ? 'instance' : 'instances'} took {mining.variants_truncated ? 'more than ' : ''}
        {number(mining.variants.length)} distinct {mining.variants.length === 1 && !mining.variants_truncated ? 'path' : 'paths'}
        {mining.variants_truncated ? '; the 10 most frequent are listed' : ''}.
      </p>
      {mining.variants.length > 0 && (
        <DataTable
          label="Paths taken"
          caption="The most frequent paths through the playbook with their cycle times"
          rows={mining.variants}
          rowKey={(v) => v.steps.join('>')}
          columns={[
            { header: 'Path', className: 'min-w-60', cell: (v) => v.steps.map(name).join(' → ') },
            { header: 'Instances', numeric: true, cell: (v) => number(v.count) },
            { header: 'Share', numeric: true, cell: (v) => percent(v.share) },
            { header: 'Median cycle time', numeric: true, cell: (v) => duration(seconds(v.duration.median)) },
            { header: '90th percentile', numeric: true, cell: (v) => duration(seconds(v.duration.p90)) },
          ]}
        />
      )}
    </Card>
  );
}
