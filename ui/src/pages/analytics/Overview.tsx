// Overview: the team's headline measures over the period, each playbook's measures side by side,
// and the people's and roles' share of the work.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { After, Card, Loaded, when } from '../../components/ui';
import { DataTable, duration, Filters, measure, Meter, number, percent, seconds, useAnalyticsParams, words } from './common';

export default function Overview() {
  const { teamId } = useTeam();
  const { period } = useAnalyticsParams();
  const performance = useQuery({
    queryKey: ['team', teamId, 'analytics', 'performance', period],
    queryFn: () =>
      unwrap<Schemas['PerformanceOverview']>(
        api.GET('/v1/teams/{team_id}/analytics/performance', { params: { path: { team_id: teamId! }, query: period } }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const people = useQuery({
    queryKey: ['team', teamId, 'analytics', 'users', period],
    queryFn: () =>
      unwrap<Schemas['PeopleAnalytics']>(api.GET('/v1/teams/{team_id}/analytics/users', { params: { path: { team_id: teamId! }, query: period } })),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters />
      <Loaded query={performance}>
        {(p) => (
          <>
            <Card title="Performance">
              <p className="mb-3 text-sm text-slate-700">
                Instances started from {when(p.from)} to {when(p.to)}
                {!period.from && ' (the last 30 days unless you choose a period)'}.
              </p>
              <dl className="grid grid-cols-1 gap-3 min-[420px]:grid-cols-2 lg:grid-cols-4">
                {p.metrics.map((m) => (
                  <div key={m.name} className="rounded-md border border-slate-200 p-3">
                    <dt className="text-sm text-slate-700" title={m.description}>
                      {words(m.name)}
                    </dt>
                    <dd className="text-xl font-semibold tabular-nums">{measure(m.value, m.unit)}</dd>
                    <dd className="text-xs text-slate-600">{m.description}</dd>
                  </div>
                ))}
              </dl>
            </Card>
            <ByPlaybook processes={p.processes} />
          </>
        )}
      </Loaded>
      {/* below the performance cards, whose height depends on the team's playbooks */}
      <After query={performance}>
        <Loaded query={people}>{(d) => <People data={d} />}</Loaded>
      </After>
    </div>
  );
}

function ByPlaybook({ processes }: { processes: Schemas['ProcessSummary'][] }) {
  const longest = Math.max(0, ...processes.map((p) => seconds(p.metrics.median_duration) ?? 0));
  return (
    <Card title="Each playbook">
      {processes.length === 0 ? (
        <p className="text-sm text-slate-600">No instance was started in this period.</p>
      ) : (
        <DataTable
          label="Each playbook's measures"
          caption="Each playbook's instances and cycle times in the period"
          rows={processes}
          rowKey={(p) => p.process_id}
          columns={[
            {
              header: 'Playbook',
              cell: (p) => (
                <Link to={`/playbooks/${p.process_id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                  {p.name}
                </Link>
              ),
            },
            { header: 'Instances', numeric: true, cell: (p) => number(p.metrics.total_executions) },
            { header: 'Completed', numeric: true, cell: (p) => number(p.metrics.successful_executions) },
            { header: 'Running', numeric: true, cell: (p) => number(p.metrics.running_executions) },
            { header: 'Failed', numeric: true, cell: (p) => number(p.metrics.failed_executions) },
            { header: 'Cancelled', numeric: true, cell: (p) => number(p.metrics.cancelled_executions) },
            { header: 'Completion rate', numeric: true, cell: (p) => percent(p.metrics.completion_rate) },
            { header: 'Median cycle time', numeric: true, cell: (p) => duration(seconds(p.metrics.median_duration)) },
            {
              header: <span className="sr-only">Median cycle time as a bar</span>,
              className: 'w-24',
              cell: (p) => {
                const median = seconds(p.metrics.median_duration);
                return longest > 0 && median != null && <Meter value={median / longest} />;
              },
            },
            { header: '90th percentile', numeric: true, cell: (p) => duration(seconds(p.metrics.p90_duration)) },
            { header: 'SLA breaches', numeric: true, cell: (p) => percent(p.metrics.sla_breach_rate) },
            { header: 'Flow efficiency', numeric: true, cell: (p) => percent(p.metrics.efficiency_score) },
            { header: 'Cost per instance', numeric: true, cell: (p) => number(p.metrics.cost_per_execution) },
          ]}
        />
      )}
    </Card>
  );
}

function People({ data }: { data: Schemas['PeopleAnalytics'] }) {
  const t = data.team;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <Card title="People">
        <p className="mb-3 text-sm text-slate-700">
          {number(t.tasks_completed)} tasks completed ({t.tasks_per_day == null ? '—' : number(t.tasks_per_day)} a day), median handling
          time {duration(seconds(t.median_handling_time))}; {number(t.workload.open_tasks)} open tasks over {number(t.workload.members)}{' '}
          members.
        </p>
        <DataTable
          label="Each member's work"
          caption="Each member's tasks in the period"
          rows={data.users}
          rowKey={(u) => u.user_id}
          columns={[
            { header: 'Member', className: 'break-words', cell: (u) => u.display_name ?? u.email },
            { header: 'Completed', numeric: true, cell: (u) => number(u.tasks_completed) },
            { header: 'Late', numeric: true, cell: (u) => number(u.completed_late) },
            { header: 'Median handling', numeric: true, cell: (u) => duration(seconds(u.median_handling_time)) },
            { header: 'Open', numeric: true, cell: (u) => number(u.open_tasks) },
            { header: 'Overdue', numeric: true, cell: (u) => number(u.overdue) },
          ]}
        />
      </Card>
      <Card title="Roles">
        <DataTable
          label="Each role's work"
          caption="Each business role's holders and tasks"
          rows={t.roles}
          rowKey={(r) => r.role_id}
          columns={[
            { header: 'Role', cell: (r) => r.name },
            { header: 'Holders', numeric: true, cell: (r) => number(r.holders) },
            { header: 'Open tasks', numeric: true, cell: (r) => number(r.open_tasks) },
            { header: 'Completed', numeric: true, cell: (r) => number(r.tasks_completed) },
          ]}
        />
      </Card>
    </div>
  );
}
