// One playbook on a ref (`?ref=` branch or commit, default main): what it is, its steps as a
// list and as a graph, its version history, starting an instance, and (for editors) the
// designer, loaded only when opened.
import { Suspense, lazy, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { COMMIT, playbookPath } from '../api/ids';
import { useBranches, useRoles } from '../api/queries';
import { SchemaForm, initialValue, orderedProperties, validate, type JsonSchema } from '../components/SchemaForm';
import { parseObject } from '../components/json';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, TextInput, inputClass, when } from '../components/ui';

const StepGraph = lazy(() => import('../components/StepGraph'));
const Designer = lazy(() => import('./designer/Designer'));

type Step = Schemas['PlaybookStep'];

/** "2 days (working time)". */
function duration(d?: Schemas['DurationSpec'] | null): string {
  if (!d) return '';
  const unit = d.value === 1 ? d.unit.replace(/s$/, '') : d.unit;
  return `${d.value} ${unit}${d.working_time ? ' (working time)' : ''}`;
}

/** The fields a step's form asks for, as "name (type, required)", in the form's order. */
function formFields(form?: Record<string, unknown> | null): { name: string; label: string; kind: string; required: boolean }[] {
  const schema = form as JsonSchema | null | undefined;
  return orderedProperties(schema).map(([name, s]) => ({
    name,
    label: s.title ?? name,
    kind: s.enum ? `one of ${s.enum.map(String).join(', ')}` : ([] as string[]).concat(s.type ?? 'any').join(' or '),
    required: !!schema?.required?.includes(name),
  }));
}

export default function PlaybookPage() {
  const { playbookId } = useParams();
  const [params, setParams] = useSearchParams();
  const ref = params.get('ref') || 'main';
  const { teamId, can } = useTeam();
  const navigate = useNavigate();
  const [selected, setSelected] = useState<string | undefined>();
  const [starting, setStarting] = useState(false);
  const [designing, setDesigning] = useState(false);
  const [designDirty, setDesignDirty] = useState(false);

  const playbook = useQuery({
    queryKey: ['team', teamId, 'playbook', playbookId, ref],
    queryFn: () =>
      unwrap<Schemas['Playbook']>(
        api.GET('/v1/teams/{team_id}/processes/{process_id}', {
          params: { path: { team_id: teamId!, process_id: playbookId! }, query: { ref } },
        }),
      ),
    enabled: !!teamId && !!playbookId,
    placeholderData: (previous) => previous,
  });
  const history = useQuery({
    queryKey: ['team', teamId, 'playbook', playbookId, ref, 'history'],
    queryFn: () =>
      unwrapPage<Schemas['Commit']>(
        api.GET('/v1/teams/{team_id}/processes/{process_id}/history', {
          params: { path: { team_id: teamId!, process_id: playbookId! }, query: { ref, page_size: 50 } },
        }),
      ),
    enabled: !!teamId && !!playbookId,
  });
  const roles = useRoles(teamId);
  const members = useMembers(teamId);
  const branches = useBranches(teamId);

  const roleName = (id?: string | null) => (id ? (roles.data?.items.find((r) => r.id === id)?.name ?? 'Unknown role') : '');
  const author = (id?: string | null) => (id ? (members.nameOf(id) ?? 'a former member') : 'the system');
  const setRef = (value: string) => {
    const next = new URLSearchParams(params);
    if (value && value !== 'main') next.set('ref', value);
    else next.delete('ref');
    setParams(next, { replace: true });
  };
  const toggleDesigner = () => {
    if (designing && designDirty && !window.confirm('Close the designer and lose your unsaved changes?')) return;
    setDesigning((d) => !d);
    setDesignDirty(false);
  };

  const atCommit = COMMIT.test(ref);
  const client = useQueryClient();
  const archive = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/v1/teams/{team_id}/processes/{process_id}', {
          params: { path: { team_id: teamId!, process_id: playbookId! }, query: { ref } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['team', teamId] }),
  });

  return (
    <div>
      <p className="mb-2 text-sm">
        <Link to={`/playbooks${ref !== 'main' && !atCommit ? `?ref=${encodeURIComponent(ref)}` : ''}`} className="text-indigo-800 underline">
          ← Playbooks
        </Link>
      </p>
      <Loaded query={playbook}>
        {(p) => {
          const startable = p.status === 'active' || p.status === 'draft';
          return (
            <>
              <PageHeader title={p.name}>
                {can('member') && (
                  <Button onClick={() => setStarting((s) => !s)} aria-expanded={starting} disabled={!startable}>
                    Start instance
                  </Button>
                )}
                {can('editor') && (
                  <Button tone="secondary" onClick={toggleDesigner}>
                    {designing ? 'Close designer' : 'Edit in designer'}
                  </Button>
                )}
                {can('editor') && !atCommit && p.status !== 'archived' && (
                  <Button
                    tone="secondary"
                    busy={archive.isPending}
                    onClick={() => {
                      if (window.confirm(`Archive ${p.name} on ${ref}? It can start no more instances; running ones continue.`)) archive.mutate();
                    }}
                  >
                    Archive
                  </Button>
                )}
              </PageHeader>
              <ErrorNote error={archive.error} title="Could not archive the playbook" />
              <div className="mb-4 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-700">
                {p.status && <Badge value={p.status} />}
                <span>Layer {p.layer ?? 'L0'}</span>
                {p.category && <span>Category: {p.category}</span>}
                <span>
                  {p.steps.length} step{p.steps.length === 1 ? '' : 's'}
                </span>
                <span>Updated {when(p.updated_at)}</span>
                <label className="flex items-center gap-2">
                  <span className="font-medium text-slate-800">Branch</span>
                  <select className={`${inputClass} w-auto`} value={atCommit ? '' : ref} onChange={(e) => setRef(e.target.value)}>
                    {atCommit && <option value="">commit {ref.slice(0, 10)}</option>}
                    {!atCommit && !branches.data?.items.some((b) => b.name === ref) && <option value={ref}>{ref}</option>}
                    {(branches.data?.items ?? [])
                      .filter((b) => b.status !== 'abandoned' || b.name === ref)
                      .map((b) => (
                        <option key={b.id} value={b.name}>
                          {b.name}
                          {b.protected ? ' (protected)' : ''}
                        </option>
                      ))}
                  </select>
                </label>
                {!atCommit && (
                  <Link to={`/branches/${encodeURIComponent(ref)}`} className="text-indigo-800 underline">
                    Branch {ref}: commits and compare
                  </Link>
                )}
              </div>
              {playbook.isPlaceholderData && (
                <p role="status" className="mb-2 text-sm text-slate-600">
                  Loading {ref}…
                </p>
              )}
              {atCommit && (
                <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
                  You are looking at the version of commit <code>{ref.slice(0, 10)}</code>.{' '}
                  <Link to={playbookPath(p.id, 'main')} className="font-medium underline">
                    See the latest on main
                  </Link>
                </p>
              )}
              {p.description && <p className="mb-4 max-w-3xl whitespace-pre-line text-slate-800">{p.description}</p>}
              {!startable && <p className="mb-4 text-sm text-slate-700">This playbook is {p.status}: it cannot start instances.</p>}

              {starting && startable && (
                <StartInstance
                  teamId={teamId!}
                  playbook={p}
                  refName={ref}
                  onCancel={() => setStarting(false)}
                  onStarted={(i) => navigate(`/processes/${i.id}`)}
                />
              )}

              {designing ? (
                <Suspense fallback={<p role="status" className="text-sm text-slate-600">Loading the designer…</p>}>
                  <Designer
                    key={p.id}
                    playbook={p}
                    refName={ref}
                    onDirtyChange={setDesignDirty}
                    onSaved={(branch) => setRef(branch)}
                  />
                </Suspense>
              ) : (
                <Card title="Steps">
                  {p.steps.length === 0 ? (
                    <p className="text-sm text-slate-600">
                      No steps yet.{can('editor') ? ' Add them with “Edit in designer”.' : ''}
                    </p>
                  ) : (
                    <>
                      <div className="mb-4 h-96">
                        <Suspense fallback={<p role="status" className="text-sm text-slate-600">Drawing the graph…</p>}>
                          <StepGraph
                            steps={p.steps}
                            selected={selected}
                            onSelect={setSelected}
                            ariaLabel={`Graph of the ${p.steps.length} steps of ${p.name}; the same steps are listed below`}
                          />
                        </Suspense>
                      </div>
                      <StepList steps={p.steps} roleName={roleName} selected={selected} />
                    </>
                  )}
                </Card>
              )}

              <div className="mt-4">
                <Card title="Version history">
                  <Loaded query={history} empty={(d) => (d.items.length ? null : 'No commits yet.')}>
                    {(d) => (
                      <ol className="divide-y divide-slate-100">
                        {d.items.map((c) => (
                          <li key={c.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2 text-sm">
                            <div className="min-w-0">
                              <p className="font-medium text-slate-900">{c.message || '(no message)'}</p>
                              <p className="text-slate-700">
                                <code className="rounded bg-slate-100 px-1" title={c.id}>
                                  {c.id.slice(0, 10)}
                                </code>{' '}
                                by {author(c.author_id)} · {when(c.created_at)}
                                {c.id === p.version && ' · this version'}
                              </p>
                            </div>
                            {c.id !== ref && (
                              <Link to={playbookPath(p.id, c.id)} className="text-indigo-800 underline">
                                View<span className="sr-only"> the playbook at commit {c.id.slice(0, 10)}</span>
                              </Link>
                            )}
                          </li>
                        ))}
                      </ol>
                    )}
                  </Loaded>
                  {history.data?.pagination?.has_next && (
                    <p className="mt-2 text-sm text-slate-600">Older commits are not shown.</p>
                  )}
                </Card>
              </div>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

/** The steps in list order with everything a reader needs; `selected` is highlighted. */
function StepList({ steps, roleName, selected }: { steps: Step[]; roleName: (id?: string | null) => string; selected?: string }) {
  const names = new Map(steps.map((s) => [s.id, s.name]));
  return (
    <ol className="flex flex-col gap-2">
      {steps.map((s, i) => {
        const fields = formFields(s.form);
        const deps = s.dependencies ?? [];
        return (
          <li
            key={s.id ?? i}
            aria-current={selected === s.id ? 'true' : undefined}
            className={`rounded-md border p-3 text-sm ${selected === s.id ? 'border-indigo-700 bg-indigo-50' : 'border-slate-200'}`}
          >
            <p className="font-semibold text-slate-900">
              {i + 1}. {s.name} <span className="font-normal text-slate-600">({s.id})</span>
            </p>
            <dl className="mt-1 grid gap-x-4 gap-y-1 sm:grid-cols-[max-content_1fr]">
              <dt className="text-slate-600">Done by</dt>
              <dd>
                {s.type === 'algorithm' ? 'automation' : s.type}
                {s.assigned_role ? ` · ${roleName(s.assigned_role)}` : ''}
              </dd>
              <dt className="text-slate-600">Runs</dt>
              <dd>
                {s.execution_type ?? 'sequential'}
                {deps.length ? ` · after ${deps.map((d) => names.get(d) ?? d).join(', ')}` : ' · at the start'}
              </dd>
              {s.due && (
                <>
                  <dt className="text-slate-600">Due (SLA)</dt>
                  <dd>{duration(s.due)}</dd>
                </>
              )}
              {s.condition && (
                <>
                  <dt className="text-slate-600">Only if</dt>
                  <dd>
                    <code className="break-all rounded bg-slate-100 px-1">{s.condition}</code>
                  </dd>
                </>
              )}
              {fields.length > 0 && (
                <>
                  <dt className="text-slate-600">Form</dt>
                  <dd>
                    <ul>
                      {fields.map((f) => (
                        <li key={f.name}>
                          {f.label} <span className="text-slate-600">({f.kind}{f.required ? ', required' : ''})</span>
                        </li>
                      ))}
                    </ul>
                  </dd>
                </>
              )}
              {s.form_document_id && !s.form && (
                <>
                  <dt className="text-slate-600">Form</dt>
                  <dd>from a document</dd>
                </>
              )}
              {typeof s.agent_config?.instructions === 'string' && (
                <>
                  <dt className="text-slate-600">Agent instructions</dt>
                  <dd>{s.agent_config.instructions}</dd>
                </>
              )}
              {typeof s.automation_config?.action === 'string' && (
                <>
                  <dt className="text-slate-600">Automation</dt>
                  <dd>{s.automation_config.action.replaceAll('_', ' ')}</dd>
                </>
              )}
            </dl>
            {s.description && <p className="mt-1 text-slate-700">{s.description}</p>}
          </li>
        );
      })}
    </ol>
  );
}

function StartInstance({
  teamId,
  playbook,
  refName,
  onCancel,
  onStarted,
}: {
  teamId: string;
  playbook: Schemas['Playbook'];
  refName: string;
  onCancel: () => void;
  onStarted: (i: Schemas['ProcessInstance']) => void;
}) {
  const client = useQueryClient();
  const schema = playbook.variables_schema as JsonSchema | null | undefined;
  const [name, setName] = useState('');
  const [businessKey, setBusinessKey] = useState('');
  const [variables, setVariables] = useState<Record<string, unknown>>(() => (schema ? initialValue(schema) : {}));
  const [json, setJson] = useState('{}');
  const [local, setLocal] = useState<Record<string, string>>({});
  const start = useMutation({
    mutationFn: (body: Schemas['StartInstance']) =>
      unwrap<Schemas['ProcessInstance']>(
        api.POST('/v1/teams/{team_id}/processes/{process_id}/instances', {
          params: { path: { team_id: teamId, process_id: playbook.id } },
          body,
        }),
      ),
    onSuccess: (i) => {
      void client.invalidateQueries({ queryKey: ['team', teamId] });
      onStarted(i);
    },
  });
  const server = start.error instanceof ApiError ? start.error.fields : {};
  // the server's pointers are into the request (/variables/x); the form's into the variables (/x)
  const variableErrors: Record<string, string> = { ...local };
  for (const [field, message] of Object.entries(server)) {
    if (field === '/variables' || field.startsWith('/variables/')) variableErrors[field.slice('/variables'.length)] ??= message;
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let vars: Record<string, unknown> = variables;
    let problems: Record<string, string> = {};
    if (schema) {
      problems = validate(schema, variables);
    } else {
      const parsed = parseObject(json || '{}', '{"amount": 1200}');
      if ('error' in parsed) problems.json = parsed.error;
      else vars = parsed.value;
    }
    setLocal(problems);
    if (Object.keys(problems).length) return;
    start.mutate({
      name: name.trim() || undefined,
      business_key: businessKey.trim() || undefined,
      variables: vars,
      ref: refName !== 'main' ? refName : undefined,
    });
  };

  return (
    <div className="mb-4">
      <Card title="Start an instance">
        <form onSubmit={submit} noValidate className="flex max-w-xl flex-col gap-4">
          {start.error && <ErrorNote error={start.error} title="Could not start the instance" />}
          {refName !== 'main' && (
            <p className="text-sm text-slate-700">
              It runs the version on <strong>{COMMIT.test(refName) ? `commit ${refName.slice(0, 10)}` : refName}</strong>.
            </p>
          )}
          <Field label="Name" hint={`Optional; defaults to the playbook's name.`} error={server['/name']}>
            {(p) => <TextInput {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />}
          </Field>
          <Field label="Business key" hint="Optional: an order or case number to find it by." error={server['/business_key']}>
            {(p) => <TextInput {...p} value={businessKey} onChange={(e) => setBusinessKey(e.target.value)} maxLength={200} />}
          </Field>
          {schema ? (
            <fieldset className="flex flex-col gap-3 rounded-md border border-slate-200 p-3">
              <legend className="px-1 text-sm font-medium">Variables</legend>
              <SchemaForm schema={schema} value={variables} onChange={setVariables} errors={variableErrors} disabled={start.isPending} />
            </fieldset>
          ) : (
            <Field
              label="Variables (JSON)"
              hint='A JSON object the steps can read as variables, e.g. {"amount": 1200}.'
              error={local.json ?? server['/variables']}
            >
              {(p) => (
                <textarea {...p} className={`${inputClass} font-mono`} rows={5} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
              )}
            </Field>
          )}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" busy={start.isPending}>
              Start
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
