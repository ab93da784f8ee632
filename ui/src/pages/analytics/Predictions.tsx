// Predictions: when each running instance is expected to complete, with its 80% interval drawn
// on a shared time line (the table states every number), how well such intervals did on held-out
// history, and how likely the instance is to complete at all.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Card, Loaded, when } from '../../components/ui';
import { DataTable, Filters, number, percent, useAnalyticsParams, usePlaybooks } from './common';

export default function Predictions() {
  const { teamId } = useTeam();
  const { processId } = useAnalyticsParams();
  const playbooks = usePlaybooks();
  const predictions = useQuery({
    queryKey: ['team', teamId, 'analytics', 'predictions', processId],
    queryFn: () =>
      unwrap<Schemas['PredictionReport']>(
        api.GET('/v1/teams/{team_id}/analytics/predictions', {
          params: { path: { team_id: teamId! }, query: { process_id: processId || undefined, limit: 200 } },
        }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const running = useQuery({
    queryKey: ['team', teamId, 'instances', { status: 'running', page_size: 200 }],
    queryFn: () =>
      unwrapPage<Schemas['ProcessInstance']>(
        api.GET('/v1/teams/{team_id}/process-instances', {
          params: { path: { team_id: teamId! }, query: { status: 'running', page_size: 200 } },
        }),
      ),
    enabled: !!teamId,
  });
  const instanceName = (id: string) => running.data?.items.find((i) => i.id === id)?.name;
  const playbook = (id: string) => playbooks.data?.items.find((p) => p.id === id);

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters playbook="optional" period={false} />
      <Loaded query={predictions} empty={(d) => (d.predictions.length ? null : 'No instance is running.')}>
        {(d) => {
          const now = Date.now();
          const ends = d.predictions.map((p) => Date.parse(p.interval_high ?? p.expected_completion ?? '') || now);
          const last = Math.max(now + 1, ...ends);
          const at = (iso?: string | null) => (iso ? Math.max(0, Math.min(1, (Date.parse(iso) - now) / (last - now))) : null);
          return (
            <Card title={`${number(d.predictions.length)} running instances`}>
              <p className="mb-3 text-sm text-slate-700">
                Expected completion is the median of simulated completions; the interval holds 80% of them. The bars place each interval between
                now and {when(new Date(last).toISOString())}.
              </p>
              <DataTable
                label="Predicted completions"
                caption="Each running instance's expected completion, its 80% interval and its chance to complete"
                rows={d.predictions}
                rowKey={(p) => p.instance_id}
                columns={[
                  {
                    header: 'Instance',
                    className: 'min-w-40',
                    cell: (p) => (
                      <>
                        <Link to={`/processes/${p.instance_id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                          {instanceName(p.instance_id) ?? `Instance ${p.instance_id.slice(-8)}`}
                        </Link>
                        <span className="block text-xs text-slate-600">{playbook(p.process_id)?.name ?? 'Playbook'}</span>
                      </>
                    ),
                  },
                  {
                    header: 'Expected completion',
                    className: 'whitespace-nowrap',
                    cell: (p) => (p.expected_completion ? when(p.expected_completion) : 'No completed history'),
                  },
                  {
                    header: '80% interval',
                    className: 'whitespace-nowrap',
                    cell: (p) =>
                      p.interval_low && p.interval_high ? (
                        <>
                          {when(p.interval_low)} <span aria-hidden="true">–</span>
                          <span className="sr-only">to</span> {when(p.interval_high)}
                        </>
                      ) : (
                        '—'
                      ),
                  },
                  {
                    header: <span className="sr-only">Interval on a time line</span>,
                    className: 'w-32 min-w-24',
                    cell: (p) => {
                      const low = at(p.interval_low);
                      const high = at(p.interval_high);
                      const mid = at(p.expected_completion);
                      return (
                        low != null &&
                        high != null && (
                          <span aria-hidden="true" className="relative block h-3 rounded bg-slate-100">
                            <span
                              className="absolute top-0 h-3 rounded bg-indigo-300"
                              style={{ left: `${low * 100}%`, width: `${Math.max(0.02, high - low) * 100}%` }}
                            />
                            {mid != null && <span className="absolute top-0 h-3 w-0.5 bg-indigo-900" style={{ left: `${mid * 100}%` }} />}
                          </span>
                        )
                      );
                    },
                  },
                  {
                    header: 'Chance to complete',
                    numeric: true,
                    cell: (p) => (
                      <>
                        {percent(p.completion_probability)}
                        <span className="block text-xs text-slate-600">of {number(p.completion_basis)} finished</span>
                      </>
                    ),
                  },
                  {
                    header: 'Interval coverage measured',
                    numeric: true,
                    cell: (p) => (
                      <>
                        {p.coverage.measured == null ? 'too little history' : percent(p.coverage.measured)}
                        <span className="block text-xs text-slate-600">
                          aim {percent(p.coverage.level)}, {number(p.coverage.evaluated)} checked
                        </span>
                      </>
                    ),
                  },
                  {
                    header: 'Remaining steps',
                    className: 'min-w-48',
                    cell: (p) => {
                      const pb = playbook(p.process_id);
                      const step = (id: string) => pb?.steps.find((s) => s.id === id)?.name ?? id;
                      return (
                        <>
                          {p.remaining_steps.length ? p.remaining_steps.map(step).join(', ') : 'none'}
                          {p.steps_without_history.length > 0 && (
                            <span className="block text-xs text-amber-900">
                              No history for {p.steps_without_history.map(step).join(', ')} (counted as taking no time)
                            </span>
                          )}
                        </>
                      );
                    },
                  },
                ]}
              />
            </Card>
          );
        }}
      </Loaded>
    </div>
  );
}
