// The playbook library: every playbook of the team on a branch (`?ref=`, default main), and
// for editors a form that creates one and opens it.
import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useTeam } from '../api/team';
import { playbookPath } from '../api/ids';
import { RefPicker } from '../components/RefPicker';
import { focusInvalid } from '../components/focus';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, Pager, TextInput, inputClass, when } from '../components/ui';

const PAGE_SIZE = 50;

export default function Playbooks() {
  const { teamId, can } = useTeam();
  const [params, setParams] = useSearchParams();
  const ref = params.get('ref') || 'main';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [creating, setCreating] = useState(false);

  const playbooks = useQuery({
    queryKey: ['team', teamId, 'playbooks', ref, { page }],
    queryFn: () =>
      unwrapPage<Schemas['Playbook']>(
        api.GET('/v1/teams/{team_id}/processes', { params: { path: { team_id: teamId! }, query: { ref, page, page_size: PAGE_SIZE } } }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });

  const choose = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value && !(key === 'ref' && value === 'main')) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };
  const pagination = playbooks.data?.pagination;

  return (
    <div>
      <PageHeader title="Playbooks">
        {can('editor') && !creating && <Button onClick={() => setCreating(true)}>New playbook</Button>}
      </PageHeader>
      <RefPicker teamId={teamId} value={ref} onChange={(v) => choose('ref', v)} />
      {creating && <NewPlaybook teamId={teamId!} refName={ref} onCancel={() => setCreating(false)} />}
      <Card title={`On ${ref}${pagination ? ` (${pagination.total_count})` : ''}`}>
        <Loaded
          query={playbooks}
          empty={(d) => (d.items.length ? null : `No playbooks on ${ref} yet.${can('editor') ? ' Create one with “New playbook”.' : ''}`)}
        >
          {(d) => (
            <>
              <ul className="divide-y divide-slate-100 sm:hidden">
                {d.items.map((p) => (
                  <li key={p.id} className="py-2 text-sm">
                    <Link to={playbookPath(p.id, ref)} className="font-medium text-indigo-800 underline-offset-2 hover:underline">
                      {p.name}
                    </Link>
                    {p.description && <p className="line-clamp-2 text-xs text-slate-600">{p.description}</p>}
                    <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-700">
                      {p.status && <Badge value={p.status} />}
                      {p.category && <span>{p.category}</span>}
                      <span>{p.layer ?? 'L0'}</span>
                      <span>
                        {p.steps.length} step{p.steps.length === 1 ? '' : 's'}
                      </span>
                      <span>updated {when(p.updated_at)}</span>
                    </p>
                  </li>
                ))}
              </ul>
              <div className="hidden overflow-x-auto sm:block">
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">Playbooks on {ref}</caption>
                  <thead>
                    <tr className="border-b border-slate-200 text-slate-700">
                      <th scope="col" className="py-2 pr-3 font-medium">Name</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Category</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Status</th>
                      <th scope="col" className="py-2 pr-3 font-medium">Layer</th>
                      <th scope="col" className="py-2 pr-3 text-right font-medium">Steps</th>
                      <th scope="col" className="py-2 font-medium">Updated</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {d.items.map((p) => (
                      <tr key={p.id}>
                        <th scope="row" className="py-2 pr-3 font-normal">
                          <Link to={playbookPath(p.id, ref)} className="font-medium text-indigo-800 underline-offset-2 hover:underline">
                            {p.name}
                          </Link>
                          {p.description && <p className="line-clamp-1 text-xs text-slate-600">{p.description}</p>}
                        </th>
                        <td className="py-2 pr-3">{p.category || '—'}</td>
                        <td className="py-2 pr-3">{p.status ? <Badge value={p.status} /> : '—'}</td>
                        <td className="py-2 pr-3">{p.layer ?? 'L0'}</td>
                        <td className="py-2 pr-3 text-right tabular-nums">{p.steps.length}</td>
                        <td className="py-2 whitespace-nowrap">{when(p.updated_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager pagination={pagination} onPage={(n) => choose('page', String(n))} />
            </>
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function NewPlaybook({ teamId, refName, onCancel }: { teamId: string; refName: string; onCancel: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [form, setForm] = useState({ name: '', description: '', category: '' });
  const [local, setLocal] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const create = useMutation({
    mutationFn: (body: Schemas['PlaybookInput']) =>
      unwrap<Schemas['Playbook']>(
        api.POST('/v1/teams/{team_id}/processes', { params: { path: { team_id: teamId }, query: { ref: refName } }, body }),
      ),
    onSuccess: (p) => {
      void client.invalidateQueries({ queryKey: ['team', teamId] });
      navigate(playbookPath(p.id, refName));
    },
    onError: () => focusInvalid(formRef.current),
  });
  const server = create.error instanceof ApiError ? create.error.fields : {};
  const error = (f: string) => local[f] ?? server[`/${f}`];
  const set = (f: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm({ ...form, [f]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.name.trim()) problems.name = 'Give the playbook a name.';
    setLocal(problems);
    if (Object.keys(problems).length) {
      focusInvalid(formRef.current);
      return;
    }
    create.mutate({
      name: form.name.trim(),
      description: form.description.trim(),
      category: form.category.trim(),
      steps: [],
      message: `Create ${form.name.trim()}`,
    });
  };

  return (
    <div className="mb-4">
      <Card title="New playbook">
        <form ref={formRef} onSubmit={submit} noValidate className="flex max-w-xl flex-col gap-4">
          <p className="text-sm text-slate-700">
            It is created on <strong>{refName}</strong> with no steps; add them in the designer.
          </p>
          {create.error instanceof ApiError && create.error.code === 'FORBIDDEN' && create.error.message.includes('protected') ? (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">Could not create the playbook</p>
              <p>{create.error.message}. Choose another branch above and create it there.</p>
            </div>
          ) : (
            create.error && <ErrorNote error={create.error} title="Could not create the playbook" />
          )}
          <Field label="Name" error={error('name')}>
            {(p) => <TextInput {...p} value={form.name} onChange={set('name')} maxLength={200} autoFocus />}
          </Field>
          <Field label="Description" error={error('description')}>
            {(p) => <textarea {...p} className={inputClass} rows={3} value={form.description} onChange={set('description')} maxLength={4000} />}
          </Field>
          <Field label="Category" hint="For example finance, people or operations." error={error('category')}>
            {(p) => <TextInput {...p} value={form.category} onChange={set('category')} maxLength={200} />}
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button type="submit" busy={create.isPending}>
              Create playbook
            </Button>
            <Button tone="secondary" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}
