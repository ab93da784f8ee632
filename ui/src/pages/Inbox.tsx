// The team's tasks: filtered by status, assignee and type (kept in the URL), a page at a time.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap, unwrapPage, type Pagination, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { focusInvalid } from '../components/focus';
import { OPEN, words } from '../components/format';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, SelectField, TextInput, inputClass, when } from '../components/ui';

const PAGE_SIZE = 20;
const STATUSES: Schemas['TaskStatus'][] = ['open', 'in_progress', 'completed', 'cancelled', 'escalated'];
const TYPES: Schemas['TaskType'][] = ['manual', 'review', 'approval', 'data_entry', 'decision', 'escalation'];

type Filters = { status: string; assignee: string; type: string; page: number };
type Page = { items: Schemas['Task'][]; pagination?: Pagination };

async function fetchTasks(teamId: string, f: Filters): Promise<Page> {
  const query = {
    status: f.status || undefined,
    type: f.type || undefined,
    assigned_to: f.assignee === 'me' ? 'me' : undefined,
  };
  const get = (page: number, page_size: number) =>
    unwrapPage<Schemas['Task']>(
      api.GET('/v1/teams/{team_id}/tasks', { params: { path: { team_id: teamId }, query: { ...query, page, page_size } } }),
    );
  if (f.assignee !== 'unassigned') return get(f.page, PAGE_SIZE);
  // The API filters by assignee but has no "nobody": read the pages (at most 2,000 tasks)
  // and keep the unassigned ones, then page here.
  const all: Schemas['Task'][] = [];
  for (let page = 1; page <= 10; page++) {
    const { items, pagination } = await get(page, 200);
    all.push(...items.filter((t) => !t.assigned_to));
    if (!pagination?.has_next) break;
  }
  const total_pages = Math.ceil(all.length / PAGE_SIZE);
  return {
    items: all.slice((f.page - 1) * PAGE_SIZE, f.page * PAGE_SIZE),
    pagination: {
      page: f.page,
      page_size: PAGE_SIZE,
      total_count: all.length,
      total_pages,
      has_next: f.page < total_pages,
      has_previous: f.page > 1,
    },
  };
}

export default function Inbox() {
  const { teamId, me, can } = useTeam();
  const [creating, setCreating] = useState(false);
  const [params, setParams] = useSearchParams();
  const filters: Filters = {
    status: STATUSES.includes(params.get('status') as Schemas['TaskStatus']) ? params.get('status')! : '',
    assignee: ['me', 'unassigned'].includes(params.get('assignee') ?? '') ? params.get('assignee')! : '',
    type: TYPES.includes(params.get('type') as Schemas['TaskType']) ? params.get('type')! : '',
    page: Math.max(1, Math.floor(Number(params.get('page'))) || 1),
  };
  const tasks = useQuery({
    queryKey: ['team', teamId, 'tasks', 'inbox', filters],
    queryFn: () => fetchTasks(teamId!, filters),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const members = useMembers(teamId);
  const who = (id?: string | null) => {
    if (!id) return 'Unassigned';
    if (id === me.data?.id) return 'You';
    return members.nameOf(id) ?? 'Someone not in this team';
  };

  /** The URL with one filter changed (back to page 1) or another page. */
  const link = (change: Partial<Record<keyof Filters, string>>) => {
    const next = new URLSearchParams(params);
    if (!('page' in change)) next.delete('page');
    for (const [k, v] of Object.entries(change)) {
      if (v && !(k === 'page' && v === '1')) next.set(k, v);
      else next.delete(k);
    }
    return next;
  };
  const filtered = filters.status || filters.assignee || filters.type;
  const now = Date.now();

  const select = (name: keyof Filters, label: string, options: [string, string][]) => (
    <SelectField label={label} value={String(filters[name])} options={options} onChange={(v) => setParams(link({ [name]: v }), { replace: true })} />
  );

  return (
    <div>
      <PageHeader title="Inbox">
        {can('member') && (
          <Button tone="secondary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            New task
          </Button>
        )}
      </PageHeader>
      {creating && teamId && <NewTask teamId={teamId} onCancel={() => setCreating(false)} />}
      <form
        role="search"
        aria-label="Filter tasks"
        className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-3"
        onSubmit={(e) => e.preventDefault()}
      >
        {select('status', 'Status', [['', 'Any status'], ...STATUSES.map((s): [string, string] => [s, words(s)])])}
        {select('assignee', 'Assigned to', [
          ['', 'Anyone or no one'],
          ['me', 'Me'],
          ['unassigned', 'No one (unassigned)'],
        ])}
        {select('type', 'Type', [['', 'Any type'], ...TYPES.map((t): [string, string] => [t, words(t)])])}
        {filtered && (
          <p className="sm:col-span-3">
            <Link to={{ search: '' }} className="text-sm text-indigo-800 underline">
              Clear filters
            </Link>
          </p>
        )}
      </form>

      <Loaded query={tasks}>
        {({ items, pagination }) => (
          <>
            <p className="mb-2 text-sm text-slate-700">
              <span role="status">
                {pagination?.total_count ?? items.length} {(pagination?.total_count ?? items.length) === 1 ? 'task' : 'tasks'}
                {filtered ? ' match these filters' : ''}
              </span>
              {tasks.isFetching && <span aria-hidden="true"> · updating…</span>}
            </p>
            {items.length === 0 ? (
              <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
                {filters.page > 1 ? (
                  <>
                    Nothing on this page.{' '}
                    <Link to={{ search: `?${link({ page: '1' })}` }} className="text-indigo-800 underline">
                      Go to the first page
                    </Link>
                  </>
                ) : filtered ? (
                  'No task matches these filters.'
                ) : (
                  'This team has no tasks yet.'
                )}
              </p>
            ) : (
              <ul className="flex flex-col gap-2" aria-label="Tasks">
                {items.map((t) => {
                  const overdue = !!t.due_date && OPEN.has(t.status) && Date.parse(t.due_date) < now;
                  const instance = t.context?.instance_name;
                  return (
                    <li key={t.id} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
                      <div className="flex flex-wrap items-start justify-between gap-2">
                        <div className="min-w-0">
                          <Link
                            to={`/tasks/${t.id}`}
                            className="font-medium break-words text-indigo-800 underline-offset-2 hover:underline"
                          >
                            {t.title}
                          </Link>
                          {typeof instance === 'string' && (
                            <p className="text-xs break-words text-slate-600">in {instance}</p>
                          )}
                        </div>
                        <Badge value={t.status} />
                      </div>
                      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-4">
                        <Item term="Priority">{t.priority}</Item>
                        <Item term="Due">
                          {overdue ? (
                            <strong className="font-semibold text-red-800">Overdue, was due {when(t.due_date)}</strong>
                          ) : t.due_date ? (
                            when(t.due_date)
                          ) : (
                            'No due date'
                          )}
                        </Item>
                        <Item term="Assignee">{who(t.assigned_to)}</Item>
                        <Item term="Type">{words(t.type)}</Item>
                      </dl>
                    </li>
                  );
                })}
              </ul>
            )}
            {pagination && pagination.total_pages > 1 && (
              <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm">
                <PageLink to={pagination.has_previous ? link({ page: String(pagination.page - 1) }) : null}>
                  Previous page
                </PageLink>
                <span>
                  Page {pagination.page} of {pagination.total_pages}
                </span>
                <PageLink to={pagination.has_next ? link({ page: String(pagination.page + 1) }) : null}>Next page</PageLink>
              </nav>
            )}
          </>
        )}
      </Loaded>
    </div>
  );
}

function Item({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="flex gap-1">
      <dt className="text-slate-600">{term}:</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}

function PageLink({ to, children }: { to: URLSearchParams | null; children: React.ReactNode }) {
  const style = 'inline-flex min-h-10 items-center rounded-md border px-4 py-2 font-medium';
  if (!to)
    return (
      <span className={`${style} border-slate-200 text-slate-500`} aria-disabled="true">
        {children}
      </span>
    );
  return (
    <Link to={{ search: `?${to}` }} className={`${style} border-slate-300 bg-white text-indigo-800 hover:bg-slate-100`}>
      {children}
    </Link>
  );
}

const PRIORITIES: Schemas['TaskPriority'][] = ['low', 'medium', 'high', 'critical'];

/** A standalone task, not part of any process: for a one-off piece of work. */
function NewTask({ teamId, onCancel }: { teamId: string; onCancel: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const members = useMembers(teamId);
  const [form, setForm] = useState({ title: '', description: '', priority: 'medium', type: 'manual', assigned_to: '', due: '' });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const formRef = useRef<HTMLFormElement>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Task']>(
        api.POST('/v1/teams/{team_id}/tasks', {
          params: { path: { team_id: teamId } },
          body: {
            title: form.title,
            description: form.description,
            priority: form.priority as Schemas['TaskPriority'],
            type: form.type as Schemas['TaskType'],
            assigned_to: form.assigned_to || null,
            due_date: form.due ? new Date(form.due).toISOString() : null,
          },
        }),
      ),
    onSuccess: (t) => {
      void client.invalidateQueries({ queryKey: ['team', teamId, 'tasks'] });
      navigate(`/tasks/${t.id}`);
    },
    onError: () => focusInvalid(formRef.current),
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const choice = (label: string, k: keyof typeof form, options: [string, string][], error?: string) => (
    <SelectField label={label} value={form[k]} options={options} onChange={(v) => setForm({ ...form, [k]: v })} error={error} />
  );
  return (
    <div className="mb-4">
      <Card title="New task">
        <form ref={formRef} onSubmit={submit} className="grid gap-3 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <Field label="Title" error={fields['/title']}>
              {(p) => <TextInput {...p} required value={form.title} onChange={set('title')} />}
            </Field>
          </div>
          <div className="sm:col-span-2">
            <Field label="Description" error={fields['/description']}>
              {(p) => <textarea {...p} className={inputClass} rows={3} value={form.description} onChange={set('description')} />}
            </Field>
          </div>
          {choice('Priority', 'priority', PRIORITIES.map((v) => [v, words(v)]), fields['/priority'])}
          {choice('Type', 'type', TYPES.map((v) => [v, words(v)]), fields['/type'])}
          {choice(
            'Assign to',
            'assigned_to',
            [['', 'No one yet'], ...(members.data?.items ?? []).flatMap((m): [string, string][] => (m.status === 'active' && m.user_id ? [[m.user_id, m.display_name ?? m.email]] : []))],
            fields['/assigned_to'],
          )}
          <Field label="Due (optional)" error={fields['/due_date']}>
            {(p) => <TextInput {...p} type="datetime-local" value={form.due} onChange={set('due')} />}
          </Field>
          <div className="sm:col-span-2">
            <ErrorNote error={create.error && !Object.keys(fields).length ? create.error : null} title="Could not create the task" />
          </div>
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit" busy={create.isPending}>
              Create task
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
