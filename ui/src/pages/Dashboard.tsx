// The day's overview: my open tasks, overdue work, running instances and the team's recent
// activity, all refreshed by live events.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiError, api, unwrapPage, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { Badge, Card, Loaded, PageHeader, when } from '../components/ui';

export function Dashboard() {
  const { teamId, me, can } = useTeam();
  // the audit trail is for team admins: others are not asked for it (it would be refused)
  const admin = can('admin');
  const userId = me.data?.id;
  const mine = useQuery({
    queryKey: ['team', teamId, 'tasks', { assigned_to: userId, open: true }],
    queryFn: async () => {
      const [open, progress] = await Promise.all(
        (['open', 'in_progress'] as const).map((status) =>
          unwrapPage<Schemas['Task']>(
            api.GET('/v1/teams/{team_id}/tasks', {
              params: { path: { team_id: teamId! }, query: { assigned_to: userId, status, page_size: 100 } },
            }),
          ),
        ),
      );
      return [...progress.items, ...open.items];
    },
    enabled: !!teamId && !!userId,
  });
  const running = useQuery({
    queryKey: ['team', teamId, 'instances', { status: 'running' }],
    queryFn: () =>
      unwrapPage<Schemas['ProcessInstance']>(
        api.GET('/v1/teams/{team_id}/process-instances', {
          params: { path: { team_id: teamId! }, query: { status: 'running', page_size: 20 } },
        }),
      ),
    enabled: !!teamId,
  });
  const activity = useQuery({
    queryKey: ['team', teamId, 'audit', 'recent'],
    queryFn: () =>
      unwrapPage<Schemas['AuditEntry']>(
        api.GET('/v1/teams/{team_id}/audit', { params: { path: { team_id: teamId! }, query: { page_size: 10 } } }),
      ),
    enabled: !!teamId && admin,
    retry: false,
  });
  const members = useMembers(teamId);
  const now = Date.now();
  const overdue = (mine.data ?? []).filter((t) => t.due_date && Date.parse(t.due_date) < now);

  return (
    <div>
      <PageHeader title="Dashboard" />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title={`My open tasks${mine.data ? ` (${mine.data.length})` : ''}`}>
          <Loaded query={mine} empty={(d) => (d.length ? null : 'Nothing is waiting for you.')}>
            {(tasks) => (
              <ul className="divide-y divide-slate-100">
                {tasks.slice(0, 8).map((t) => (
                  <li key={t.id} className="flex items-center justify-between gap-2 py-2">
                    <Link to={`/tasks/${t.id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                      {t.title}
                    </Link>
                    <Badge value={t.status} />
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </Card>
        <Card title="Overdue">
          <Loaded query={mine} empty={() => (overdue.length ? null : 'Nothing of yours is overdue.')}>
            {() => (
              <ul className="divide-y divide-slate-100">
                {overdue.map((t) => (
                  <li key={t.id} className="flex items-center justify-between gap-2 py-2">
                    <Link to={`/tasks/${t.id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                      {t.title}
                    </Link>
                    <span className="text-sm text-red-800">due {when(t.due_date)}</span>
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </Card>
        <Card title={`Running instances${running.data?.pagination ? ` (${running.data.pagination.total_count})` : ''}`}>
          {/* about two instances' rows: on a phone the recent activity comes below */}
          <Loaded query={running} reserve="min-h-22" empty={(d) => (d.items.length ? null : 'No instance is running.')}>
            {(d) => (
              <ul className="divide-y divide-slate-100">
                {d.items.map((i) => (
                  <li key={i.id} className="flex items-center justify-between gap-2 py-2">
                    <Link to={`/processes/${i.id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                      {i.name}
                    </Link>
                    <span className="text-sm text-slate-700">{i.current_step_id ?? ''}</span>
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </Card>
        <Card title="Recent activity">
          {me.isPending ? (
            <p className="text-sm text-slate-600" role="status">
              Loading…
            </p>
          ) : !admin || (activity.error instanceof ApiError && activity.error.code === 'FORBIDDEN') ? (
            <p className="text-sm text-slate-600">The audit trail is open to team admins.</p>
          ) : (
            <Loaded query={activity} empty={(d) => (d.items.length ? null : 'Nothing has happened yet.')}>
              {(d) => (
                <ul className="divide-y divide-slate-100">
                  {d.items.map((e) => (
                    <li key={e.id} className="py-2 text-sm">
                      <span className="font-medium">{describeEvent(e.type)}</span>{' '}
                      <span className="text-slate-700">
                        by {members.nameOf(e.actor.id) ?? ({ system: 'the runtime', agent: 'an agent', user: 'someone' } as const)[e.actor.type]} ·{' '}
                        {when(e.occurred_at)}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </Loaded>
          )}
        </Card>
      </div>
    </div>
  );
}

/** `proposal.merged` → `Proposal merged`. */
function describeEvent(type: string): string {
  const words = type.replace('.', ' ').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
