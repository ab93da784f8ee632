// Overview: the team's headline measures over the period, each playbook's measures side by side,
// and the people's and roles' share of the work.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { After, Card, Loaded, when } from '../../components/ui';
import { duration, Filters, measure, Meter, num, number, percent, seconds, TableBox, td, th, useAnalyticsParams, words } from './common';

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
        <TableBox label="Each playbook's measures">
          <caption className="sr-only">Each playbook's instances and cycle times in the period</caption>
          <thead>
            <tr>
              <th className={th}>Playbook</th>
              <th className={`${th} text-right`}>Instances</th>
              <th className={`${th} text-right`}>Completed</th>
              <th className={`${th} text-right`}>Running</th>
              <th className={`${th} text-right`}>Failed</th>
              <th className={`${th} text-right`}>Cancelled</th>
              <th className={`${th} text-right`}>Completion rate</th>
              <th className={`${th} text-right`}>Median cycle time</th>
              <th className={th}>
                <span className="sr-only">Median cycle time as a bar</span>
              </th>
              <th className={`${th} text-right`}>90th percentile</th>
              <th className={`${th} text-right`}>SLA breaches</th>
              <th className={`${th} text-right`}>Flow efficiency</th>
              <th className={`${th} text-right`}>Cost per instance</th>
            </tr>
          </thead>
          <tbody>
            {processes.map((p) => {
              const m = p.metrics;
              const median = seconds(m.median_duration);
              return (
                <tr key={p.process_id}>
                  <td className={td}>
                    <Link to={`/playbooks/${p.process_id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                      {p.name}
                    </Link>
                  </td>
                  <td className={num}>{number(m.total_executions)}</td>
                  <td className={num}>{number(m.successful_executions)}</td>
                  <td className={num}>{number(m.running_executions)}</td>
                  <td className={num}>{number(m.failed_executions)}</td>
                  <td className={num}>{number(m.cancelled_executions)}</td>
                  <td className={num}>{percent(m.completion_rate)}</td>
                  <td className={num}>{duration(median)}</td>
                  <td className={`${td} w-24`}>{longest > 0 && median != null && <Meter value={median / longest} />}</td>
                  <td className={num}>{duration(seconds(m.p90_duration))}</td>
                  <td className={num}>{percent(m.sla_breach_rate)}</td>
                  <td className={num}>{percent(m.efficiency_score)}</td>
                  <td className={num}>{number(m.cost_per_execution)}</td>
                </tr>
              );
            })}
          </tbody>
        </TableBox>
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
        <TableBox label="Each member's work">
          <caption className="sr-only">Each member's tasks in the period</caption>
          <thead>
            <tr>
              <th className={th}>Member</th>
              <th className={`${th} text-right`}>Completed</th>
              <th className={`${th} text-right`}>Late</th>
              <th className={`${th} text-right`}>Median handling</th>
              <th className={`${th} text-right`}>Open</th>
              <th className={`${th} text-right`}>Overdue</th>
            </tr>
          </thead>
          <tbody>
            {data.users.map((u) => (
              <tr key={u.user_id}>
                <td className={`${td} break-words`}>{u.display_name ?? u.email}</td>
                <td className={num}>{number(u.tasks_completed)}</td>
                <td className={num}>{number(u.completed_late)}</td>
                <td className={num}>{duration(seconds(u.median_handling_time))}</td>
                <td className={num}>{number(u.open_tasks)}</td>
                <td className={num}>{number(u.overdue)}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      </Card>
      <Card title="Roles">
        <TableBox label="Each role's work">
          <caption className="sr-only">Each business role's holders and tasks</caption>
          <thead>
            <tr>
              <th className={th}>Role</th>
              <th className={`${th} text-right`}>Holders</th>
              <th className={`${th} text-right`}>Open tasks</th>
              <th className={`${th} text-right`}>Completed</th>
            </tr>
          </thead>
          <tbody>
            {t.roles.map((r) => (
              <tr key={r.role_id}>
                <td className={td}>{r.name}</td>
                <td className={num}>{number(r.holders)}</td>
                <td className={num}>{number(r.open_tasks)}</td>
                <td className={num}>{number(r.tasks_completed)}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      </Card>
    </div>
  );
}
