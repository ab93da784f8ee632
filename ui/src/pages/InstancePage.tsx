// One process instance: its graph coloured by step state, its steps with their actions
// (skip, retry, override), its timeline, its exceptions with their handling, and pause, resume
// and cancel. Everything refreshes from live events.
import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, problemsUnder, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { focusInvalid } from '../components/focus';
import { parseObject } from '../components/json';
import { words } from '../components/format';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, SelectField, TextInput, inputClass, when } from '../components/ui';

const StepGraph = lazy(() => import('../components/StepGraph'));
type Execution = Schemas['StepExecution'];

export default function InstancePage() {
  const { instanceId } = useParams();
  const { teamId, can } = useTeam();
  const client = useQueryClient();
  const path = { team_id: teamId!, instance_id: instanceId! };
  const instance = useQuery({
    queryKey: ['team', teamId, 'instance', instanceId],
    queryFn: () => unwrap<Schemas['ProcessInstance']>(api.GET('/v1/teams/{team_id}/process-instances/{instance_id}', { params: { path } })),
    enabled: !!teamId,
  });
  const playbook = useQuery({
    queryKey: ['team', teamId, 'playbook', instance.data?.playbook_id, instance.data?.playbook_version],
    queryFn: () =>
      unwrap<Schemas['Playbook']>(
        api.GET('/v1/teams/{team_id}/processes/{process_id}', {
          params: { path: { team_id: teamId!, process_id: instance.data!.playbook_id }, query: { ref: instance.data!.playbook_version } },
        }),
      ),
    enabled: !!instance.data,
    // a commit never changes: 'static' keeps it out of the live events' invalidation too
    staleTime: 'static',
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId] });
  const act = useMutation({
    mutationFn: async ({ action, reason }: { action: 'pause' | 'resume' | 'cancel'; reason?: string }) => {
      const body = { reason: reason || undefined };
      const params = { params: { path }, body };
      if (action === 'pause') return unwrap(api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/pause', params));
      if (action === 'resume') return unwrap(api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/resume', params));
      return unwrap(api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/cancel', params));
    },
    onSuccess: refresh,
  });
  const [selected, setSelected] = useState<string | null>(null);
  const editor = can('member');
  // the page appears with its playbook (the graph's box, the steps, their names in the
  // timeline) rather than in two steps, the second pushing the exceptions and timeline down;
  // a playbook that cannot be loaded leaves the page without them
  const loaded = { data: instance.data, error: instance.error, isPending: instance.isPending || (!!instance.data && playbook.isPending) };

  return (
    <Loaded query={loaded}>
      {(i) => {
        const latest = latestByStep(i.step_executions ?? []);
        const states = Object.fromEntries([...latest].map(([id, e]) => [id, e.status]));
        const live = i.status === 'running' || i.status === 'paused';
        return (
          <div className="flex flex-col gap-4">
            <PageHeader title={i.name}>
              <Badge value={i.status} />
            </PageHeader>
            <p className="text-sm text-slate-700">
              {playbook.data ? (
                <Link className="text-indigo-800 underline" to={`/playbooks/${i.playbook_id}?ref=${encodeURIComponent(i.playbook_version)}`}>
                  {playbook.data.name}
                </Link>
              ) : (
                'Playbook'
              )}{' '}
              at version <code>{i.playbook_version.slice(0, 10)}</code> from {i.started_from}
              {i.business_key && ` · key ${i.business_key}`} · started {when(i.start_time)}
              {i.end_time && ` · ended ${when(i.end_time)}`}
              {i.reason && ` · ${i.reason}`}
            </p>
            {editor && live && (
              <div className="flex flex-wrap gap-2">
                {i.status === 'running' ? (
                  <Button tone="secondary" onClick={() => act.mutate({ action: 'pause' })} busy={act.isPending}>
                    Pause
                  </Button>
                ) : (
                  <Button tone="secondary" onClick={() => act.mutate({ action: 'resume' })} busy={act.isPending}>
                    Resume
                  </Button>
                )}
                <Button
                  tone="danger"
                  busy={act.isPending}
                  onClick={() => {
                    const reason = window.prompt('Why cancel this instance?');
                    if (reason !== null) act.mutate({ action: 'cancel', reason });
                  }}
                >
                  Cancel instance
                </Button>
              </div>
            )}
            <ErrorNote error={act.error} title="Could not change the instance" />
            <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
              <Card title="Steps">
                {playbook.data && (
                  <div className="mb-4 h-80">
                    <Suspense fallback={<p className="text-sm text-slate-600">Drawing the graph…</p>}>
                      <StepGraph
                        steps={playbook.data.steps}
                        states={states}
                        selected={selected ?? undefined}
                        onSelect={setSelected}
                        ariaLabel={`Steps of ${i.name}, coloured by state`}
                      />
                    </Suspense>
                  </div>
                )}
                <ol className="divide-y divide-slate-100">
                  {(playbook.data?.steps ?? []).map((s) => (
                    <StepRow
                      key={s.id}
                      step={s}
                      execution={latest.get(s.id!)}
                      instance={i}
                      highlighted={selected === s.id}
                      canAct={editor && live}
                    />
                  ))}
                </ol>
              </Card>
              <div className="flex flex-col gap-4">
                <Exceptions instance={i} canAct={editor} names={new Map((playbook.data?.steps ?? []).map((s) => [s.id!, s.name]))} />
                <Card title="Timeline">
                  <Timeline executions={i.step_executions ?? []} names={new Map((playbook.data?.steps ?? []).map((s) => [s.id!, s.name]))} />
                </Card>
              </div>
            </div>
          </div>
        );
      }}
    </Loaded>
  );
}

/** The latest execution of each step (a retry makes a new one). */
function latestByStep(executions: Execution[]): Map<string, Execution> {
  const latest = new Map<string, Execution>();
  for (const e of executions) {
    const seen = latest.get(e.step_id);
    if (!seen || e.iteration >= seen.iteration) latest.set(e.step_id, e);
  }
  return latest;
}

function StepRow({
  step,
  execution,
  instance,
  highlighted,
  canAct,
}: {
  step: Schemas['PlaybookStep'];
  execution?: Execution;
  instance: Schemas['ProcessInstance'];
  highlighted: boolean;
  canAct: boolean;
}) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [mode, setMode] = useState<'execute' | 'skip' | 'override' | 'retry' | null>(null);
  const [reason, setReason] = useState('');
  const [output, setOutput] = useState('{}');
  const [outputError, setOutputError] = useState<string | null>(null);
  const path = { team_id: teamId!, instance_id: instance.id, step_id: step.id! };
  const run = useMutation({
    mutationFn: async (parsed?: Record<string, unknown>) => {
      if (mode === 'execute')
        return unwrap(
          api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/execute', {
            params: { path },
            body: { output: parsed ?? {} },
          }),
        );
      if (mode === 'skip') return unwrap(api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/skip', { params: { path }, body: { reason } }));
      if (mode === 'retry')
        return unwrap(api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/retry', { params: { path }, body: { reason: reason || undefined } }));
      return unwrap(
        api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/steps/{step_id}/override', { params: { path }, body: { reason, output: parsed ?? {} } }),
      );
    },
    onSuccess: () => {
      setMode(null);
      setReason('');
      void client.invalidateQueries({ queryKey: ['team', teamId] });
    },
  });
  const status = execution?.status ?? 'pending';
  const open = status === 'running' || status === 'awaiting_approval' || status === 'pending';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode !== 'override' && mode !== 'execute') return run.mutate(undefined);
    const parsed = parseObject(output);
    if ('error' in parsed) return setOutputError(parsed.error);
    setOutputError(null);
    run.mutate(parsed.value);
  };
  return (
    <li className={`py-3 ${highlighted ? 'bg-indigo-50' : ''}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span>
          <span className="font-medium">{step.name}</span> <span className="text-sm text-slate-700">({step.type})</span>
          {execution?.due_at && open && <span className="block text-sm text-slate-700">due {when(execution.due_at)}</span>}
          {execution?.reason && <span className="block text-sm text-slate-700">{execution.reason}</span>}
        </span>
        <span className="flex flex-wrap items-center gap-2">
          <Badge value={status} />
          {canAct && status === 'running' && (
            <Button tone="secondary" onClick={() => setMode(mode === 'execute' ? null : 'execute')} aria-expanded={mode === 'execute'}>
              Complete<span className="sr-only"> {step.name}</span>
            </Button>
          )}
          {canAct && open && (
            <>
              <Button tone="secondary" onClick={() => setMode(mode === 'skip' ? null : 'skip')} aria-expanded={mode === 'skip'}>
                Skip<span className="sr-only"> {step.name}</span>
              </Button>
              <Button tone="secondary" onClick={() => setMode(mode === 'override' ? null : 'override')} aria-expanded={mode === 'override'}>
                Override<span className="sr-only"> {step.name}</span>
              </Button>
            </>
          )}
          {canAct && status === 'failed' && (
            <Button tone="secondary" onClick={() => setMode(mode === 'retry' ? null : 'retry')} aria-expanded={mode === 'retry'}>
              Retry<span className="sr-only"> {step.name}</span>
            </Button>
          )}
        </span>
      </div>
      {mode && (
        <form onSubmit={submit} className="mt-2 flex flex-col gap-2 rounded-md border border-slate-200 p-3">
          {mode !== 'execute' && (
            <Field label={mode === 'retry' ? 'Reason (optional)' : 'Reason'}>
              {(p) => <TextInput {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
          )}
          {(mode === 'override' || mode === 'execute') && (
            <Field
              label="Output (JSON)"
              hint={
                mode === 'execute'
                  ? "A JSON object: the step's output, checked against its form and rules."
                  : 'A JSON object: what the step would have produced.'
              }
              error={outputError ?? (run.error instanceof ApiError ? problemsUnder(run.error.fields, '/output') : undefined)}
            >
              {(p) => (
                <textarea
                  {...p}
                  className={`${inputClass} font-mono`}
                  rows={4}
                  value={output}
                  onChange={(e) => {
                    setOutput(e.target.value);
                    setOutputError(null);
                  }}
                />
              )}
            </Field>
          )}
          <ErrorNote error={run.error} title="Could not do that" />
          <div className="flex gap-2">
            <Button type="submit" busy={run.isPending}>
              {{ execute: 'Complete step', skip: 'Skip step', retry: 'Retry step', override: 'Override step' }[mode]}
            </Button>
            <Button tone="secondary" onClick={() => setMode(null)}>
              Close
            </Button>
          </div>
        </form>
      )}
    </li>
  );
}

function Timeline({ executions, names }: { executions: Execution[]; names: Map<string, string> }) {
  const entries = executions
    .flatMap((e) => {
      const name = names.get(e.step_id) ?? e.step_id;
      const out: { at: string; text: string }[] = [];
      if (e.start_time) out.push({ at: e.start_time, text: `${name} started${e.iteration > 1 ? ` (attempt ${e.iteration})` : ''}` });
      if (e.end_time) out.push({ at: e.end_time, text: `${name} ${e.status.replace('_', ' ')}` });
      return out;
    })
    // oldest first (stable, so a step that ends as the next starts keeps that order), then newest on top
    .sort((a, b) => a.at.localeCompare(b.at))
    .reverse();
  if (!entries.length) return <p className="text-sm text-slate-600">Nothing has happened yet.</p>;
  return (
    <ol className="flex flex-col gap-2 border-l-2 border-slate-200 pl-3">
      {entries.map((e, n) => (
        <li key={n} className="text-sm">
          <time className="block text-xs text-slate-600" dateTime={e.at}>
            {when(e.at)}
          </time>
          {e.text}
        </li>
      ))}
    </ol>
  );
}

const STRATEGIES: Schemas['HandlingStrategy'][] = ['retry', 'skip', 'override', 'reassign', 'cancel'];

function Exceptions({ instance, canAct, names }: { instance: Schemas['ProcessInstance']; canAct: boolean; names: Map<string, string> }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const path = { team_id: teamId!, instance_id: instance.id };
  const exceptions = useQuery({
    queryKey: ['team', teamId, 'exceptions', instance.id],
    queryFn: () =>
      unwrapPage<Schemas['ProcessException']>(
        api.GET('/v1/teams/{team_id}/process-instances/{instance_id}/exceptions', { params: { path, query: { page_size: 100 } } }),
      ),
  });
  const members = useMembers(teamId);
  const people = (members.data?.items ?? []).filter((m) => m.status === 'active' && m.user_id);
  const [handling, setHandling] = useState<string | null>(null);
  const [strategy, setStrategy] = useState<Schemas['HandlingStrategy']>('retry');
  const [reason, setReason] = useState('');
  const [output, setOutput] = useState('{}');
  const [assignee, setAssignee] = useState('');
  const [problems, setProblems] = useState<{ output?: string; assignee?: string }>({});
  const handle = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['HandleException'] }) =>
      unwrap(
        api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/exceptions/{exception_id}/handle', {
          params: { path: { ...path, exception_id: id } },
          body,
        }),
      ),
    onSuccess: () => {
      setHandling(null);
      setReason('');
      setOutput('{}');
      setAssignee('');
      void client.invalidateQueries({ queryKey: ['team', teamId] });
    },
  });
  const submit = (e: FormEvent, id: string) => {
    e.preventDefault();
    const body: Schemas['HandleException'] = { strategy, reason };
    if (strategy === 'override') {
      const parsed = parseObject(output);
      if ('error' in parsed) return setProblems({ output: parsed.error });
      body.output = parsed.value;
    }
    if (strategy === 'reassign') {
      if (!assignee) return setProblems({ assignee: 'Choose who takes the step over.' });
      body.assignee = assignee;
    }
    setProblems({});
    handle.mutate({ id, body });
  };
  // the server's field problems (`/output`, `/assignee`) next to their fields
  const fields = handle.error instanceof ApiError ? handle.error.fields : {};
  const [raising, setRaising] = useState(false);
  return (
    <Card
      title="Exceptions"
      actions={
        canAct && (
          <Button tone="secondary" aria-expanded={raising} onClick={() => setRaising(!raising)}>
            Raise an exception
          </Button>
        )
      }
    >
      {raising && <RaiseException instance={instance} names={names} onDone={() => setRaising(false)} />}
      <Loaded query={exceptions} empty={(d) => (d.items.length ? null : 'No exceptions.')}>
        {(d) => (
          <ul className="divide-y divide-slate-100">
            {d.items.map((x) => {
              const type = x.type.replaceAll('_', ' ');
              const step = x.step_id ? (names.get(x.step_id) ?? x.step_id) : null;
              return (
                <li key={x.id} className="py-2 text-sm">
                  <div className="flex flex-wrap items-center justify-between gap-2">
                    <span>
                      <Badge value={x.severity} /> <span className="font-medium">{type}</span>
                      {step && ` at ${step}`}
                    </span>
                    {x.handled ? (
                      <span className="text-slate-700">handled: {x.resolution_strategy ?? 'yes'}</span>
                    ) : (
                      canAct && (
                        <Button tone="secondary" aria-expanded={handling === x.id} onClick={() => setHandling(handling === x.id ? null : x.id)}>
                          Handle
                          <span className="sr-only">
                            {' '}
                            {type}
                            {step && ` at ${step}`}
                          </span>
                        </Button>
                      )
                    )}
                  </div>
                  <p className="text-slate-800">{x.message}</p>
                  <p className="text-xs text-slate-600">{when(x.created_at)}</p>
                  {handling === x.id && (
                    <form className="mt-2 flex flex-col gap-2 rounded-md border border-slate-200 p-3" onSubmit={(e) => submit(e, x.id)}>
                      <Field label="Strategy">
                        {(p) => (
                          <select
                            {...p}
                            className={inputClass}
                            value={strategy}
                            onChange={(e) => {
                              setStrategy(e.target.value as Schemas['HandlingStrategy']);
                              setProblems({});
                            }}
                          >
                            {STRATEGIES.map((s) => (
                              <option key={s}>{s}</option>
                            ))}
                          </select>
                        )}
                      </Field>
                      <Field label="Reason">{(p) => <TextInput {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}</Field>
                      {strategy === 'override' && (
                        <Field label="Output (JSON)" hint="A JSON object: what the step would have produced." error={problems.output ?? problemsUnder(fields, '/output')}>
                          {(p) => (
                            <textarea
                              {...p}
                              className={`${inputClass} font-mono`}
                              rows={4}
                              value={output}
                              onChange={(e) => {
                                setOutput(e.target.value);
                                setProblems({});
                              }}
                            />
                          )}
                        </Field>
                      )}
                      {strategy === 'reassign' && (
                        <Field label="Assign to" hint="The step's open tasks move to this person." error={problems.assignee ?? fields['/assignee']}>
                          {(p) => (
                            <select
                              {...p}
                              className={inputClass}
                              value={assignee}
                              onChange={(e) => {
                                setAssignee(e.target.value);
                                setProblems({});
                              }}
                            >
                              <option value="">{members.isPending ? 'Loading the members…' : 'Choose a member'}</option>
                              {people.map((m) => (
                                <option key={m.user_id} value={m.user_id!}>
                                  {m.display_name ? `${m.display_name} (${m.email})` : m.email}
                                  {m.kind === 'agent' ? ' · agent' : ''}
                                </option>
                              ))}
                            </select>
                          )}
                        </Field>
                      )}
                      <ErrorNote error={handle.error ?? members.error} title="Could not handle it" />
                      <div>
                        <Button type="submit" busy={handle.isPending}>
                          Handle exception
                        </Button>
                      </div>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Loaded>
    </Card>
  );
}

const SEVERITIES: Schemas['Severity'][] = ['warning', 'error', 'critical'];
const EXCEPTION_TYPES: Schemas['ExceptionType'][] = ['manual_override', 'validation_failure', 'timeout', 'resource_unavailable', 'business_rule_violation'];

/** Raising an exception by hand: something is wrong that the engine did not see. */
function RaiseException({ instance, names, onDone }: { instance: Schemas['ProcessInstance']; names: Map<string, string>; onDone: () => void }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [form, setForm] = useState({ message: '', severity: 'warning', type: 'manual_override', step_id: '' });
  const formRef = useRef<HTMLFormElement>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const raise = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/teams/{team_id}/process-instances/{instance_id}/exceptions', {
          params: { path: { team_id: teamId!, instance_id: instance.id } },
          body: {
            message: form.message,
            severity: form.severity as Schemas['Severity'],
            type: form.type as Schemas['ExceptionType'],
            step_id: form.step_id || null,
          },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['team', teamId] });
      onDone();
    },
    onError: () => focusInvalid(formRef.current),
  });
  const fields = raise.error instanceof ApiError ? raise.error.fields : {};
  const choice = (label: string, k: keyof typeof form, options: [string, string][]) => (
    <SelectField label={label} value={form[k]} options={options} onChange={(v) => setForm({ ...form, [k]: v })} error={fields[`/${k}`]} />
  );
  return (
    <form
      ref={formRef}
      className="mb-3 grid gap-2 rounded-md border border-slate-200 p-3 sm:grid-cols-3"
      onSubmit={(e) => {
        e.preventDefault();
        raise.mutate();
      }}
    >
      <div className="sm:col-span-3">
        <Field label="What is wrong" error={fields['/message']}>
          {(p) => <TextInput {...p} required value={form.message} onChange={set('message')} />}
        </Field>
      </div>
      {choice('Severity', 'severity', SEVERITIES.map((v) => [v, v]))}
      {choice('Kind', 'type', EXCEPTION_TYPES.map((v) => [v, words(v)]))}
      {choice('Step', 'step_id', [['', 'The whole instance'], ...[...names].map(([id, name]): [string, string] => [id, name])])}
      <div className="sm:col-span-3">
        <ErrorNote error={raise.error && !Object.keys(fields).length ? raise.error : null} title="Could not raise it" />
      </div>
      <div className="flex gap-2 sm:col-span-3">
        <Button type="submit" busy={raise.isPending}>
          Raise exception
        </Button>
        <Button tone="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
