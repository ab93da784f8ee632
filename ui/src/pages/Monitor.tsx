// The process monitor: every instance of the team with filters (status, playbook, business key),
// refreshed live.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTextParam, useUrlFilters } from '../components/urlFilters';
import { api, unwrapPage, type Schemas } from '../api/client';
import { usePlaybooks } from '../api/queries';
import { useTeam } from '../api/team';
import { Badge, Card, Field, Loaded, PageHeader, Pager, TextInput, inputClass, when } from '../components/ui';

const STATUSES: Schemas['InstanceStatus'][] = ['running', 'paused', 'completed', 'failed', 'cancelled', 'not_started'];

export default function Monitor() {
  const { teamId } = useTeam();
  const { get, set, page } = useUrlFilters();
  const status = get('status') as Schemas['InstanceStatus'] | '';
  const processId = get('process_id');
  const [businessKey, setBusinessKey] = useTextParam('business_key', set, get('business_key'));
  const playbooks = usePlaybooks(teamId);
  const instances = useQuery({
    queryKey: ['team', teamId, 'instances', { status, processId, businessKey: get('business_key'), page }],
    queryFn: () =>
      unwrapPage<Schemas['ProcessInstance']>(
        api.GET('/v1/teams/{team_id}/process-instances', {
          params: {
            path: { team_id: teamId! },
            query: {
              status: status || undefined,
              process_id: processId || undefined,
              business_key: get('business_key') || undefined,
              page,
              page_size: 25,
            },
          },
        }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const name = (id: string) => playbooks.data?.items.find((p) => p.id === id)?.name ?? 'Playbook';

  return (
    <div>
      <PageHeader title="Process monitor" />
      <Card>
        <form className="mb-4 grid gap-3 sm:grid-cols-3" role="search" onSubmit={(e) => e.preventDefault()}>
          <Field label="Status">
            {(p) => (
              <select {...p} className={inputClass} value={status} onChange={(e) => set('status', e.target.value)}>
                <option value="">Any status</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s.replace('_', ' ')}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Playbook">
            {(p) => (
              <select {...p} className={inputClass} value={processId} onChange={(e) => set('process_id', e.target.value)}>
                <option value="">Any playbook</option>
                {playbooks.data?.items.map((pb) => (
                  <option key={pb.id} value={pb.id}>
                    {pb.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Business key">
            {(p) => <TextInput {...p} value={businessKey} onChange={(e) => setBusinessKey(e.target.value)} />}
          </Field>
        </form>
        <Loaded query={instances} empty={(d) => (d.items.length ? null : 'No instance matches.')}>
          {(d) => (
            <>
              <ul className="divide-y divide-slate-100">
                {d.items.map((i) => (
                  <li key={i.id} className="grid gap-1 py-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-center">
                    <span>
                      <Link to={`/processes/${i.id}`} className="font-medium text-indigo-800 underline-offset-2 hover:underline">
                        {i.name}
                      </Link>
                      <span className="block text-sm text-slate-700">
                        {name(i.playbook_id)}
                        {i.business_key && ` · ${i.business_key}`}
                        {i.trial && ' · trial'}
                      </span>
                    </span>
                    <span className="text-sm text-slate-700">{i.current_step_id ? `at ${i.current_step_id}` : ''}</span>
                    <span className="text-sm text-slate-700">started {when(i.start_time ?? i.created_at)}</span>
                    <Badge value={i.status} />
                  </li>
                ))}
              </ul>
              <Pager pagination={d.pagination} onPage={(n) => set('page', String(n))} />
            </>
          )}
        </Loaded>
      </Card>
    </div>
  );
}
