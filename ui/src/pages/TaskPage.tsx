// One task: its details and context, claiming, reassigning, completing with the step's form,
// and its comments. Every change refreshes the team's queries; a failure keeps what was typed.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, inputClass, when } from '../components/ui';
import { SchemaForm, initialValue, validate, type JsonSchema } from '../components/SchemaForm';
import { focusInvalid } from '../components/focus';
import { OPEN, words } from '../components/format';
import { pointerKey } from '../components/json';

type Task = Schemas['Task'];
type Done = (message: string, task?: Task, focus?: boolean) => void;
const link = 'text-indigo-800 underline underline-offset-2';

export default function TaskPage() {
  const { taskId } = useParams();
  const { teamId, me, can } = useTeam();
  const client = useQueryClient();
  const key = ['team', teamId, 'task', taskId];
  const task = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap<Task>(api.GET('/v1/teams/{team_id}/tasks/{task_id}', { params: { path: { team_id: teamId!, task_id: taskId! } } })),
    enabled: !!teamId && !!taskId,
  });
  const members = useMembers(teamId);
  const [notice, setNotice] = useState('');
  const noticeRef = useRef<HTMLParagraphElement>(null);

  const who = (id?: string | null) => {
    if (!id) return 'No one';
    const name = members.nameOf(id) ?? 'someone not in this team';
    return id === me.data?.id ? `${name} (you)` : name;
  };
  const done: Done = (message, updated, focus) => {
    if (updated) client.setQueryData(key, updated);
    setNotice(message);
    void client.invalidateQueries({ queryKey: ['team', teamId] });
    if (focus) requestAnimationFrame(() => noticeRef.current?.focus());
  };

  return (
    <div className="flex flex-col gap-4">
      <p>
        <Link to="/tasks" className={`text-sm ${link}`}>
          Back to the inbox
        </Link>
      </p>
      <div role="status" aria-live="polite">
        {notice && (
          <p
            ref={noticeRef}
            tabIndex={-1}
            className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900"
          >
            Done: {notice}
          </p>
        )}
      </div>
      <Loaded query={task}>
        {(t) => {
          const open = OPEN.has(t.status);
          const work = open && can('member');
          return (
            <>
              <PageHeader title={t.title} />
              <Details task={t} who={who} />
              {work && (
                <Card title="Assignment">
                  <Assignment
                    task={t}
                    teamId={teamId!}
                    me={me.data?.id}
                    members={members.data?.items ?? []}
                    who={who}
                    onDone={done}
                  />
                </Card>
              )}
              {work && (
                <Card title="Complete the task">
                  <Complete key={t.id} task={t} teamId={teamId!} onDone={done} onStart={() => setNotice('')} />
                </Card>
              )}
              {t.output && Object.keys(t.output).length > 0 && (
                <Card title="Submitted output">
                  <Values value={t.output} />
                </Card>
              )}
              <Comments teamId={teamId!} task={t} who={who} canWrite={can('member')} onDone={done} />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

function Details({ task: t, who }: { task: Task; who: (id?: string | null) => string }) {
  const overdue = !!t.due_date && OPEN.has(t.status) && Date.parse(t.due_date) < Date.now();
  const ctx = t.context ?? {};
  const instructions = (ctx.agent_config as { instructions?: unknown } | undefined)?.instructions;
  const inputs = ctx.inputs as Record<string, unknown> | undefined;
  return (
    <Card title="Details">
      <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3">
        <Term term="Status">
          <Badge value={t.status} />
        </Term>
        <Term term="Priority">{t.priority}</Term>
        <Term term="Type">{words(t.type)}</Term>
        <Term term="Due">
          {overdue ? (
            <strong className="font-semibold text-red-800">Overdue: was due {when(t.due_date)}</strong>
          ) : t.due_date ? (
            when(t.due_date)
          ) : (
            'No due date'
          )}
        </Term>
        <Term term="Assigned to">{who(t.assigned_to)}</Term>
        {t.process_instance_id && (
          <Term term="Process">
            <Link to={`/processes/${t.process_instance_id}`} className={link}>
              {typeof ctx.instance_name === 'string' ? ctx.instance_name : 'Open the process instance'}
            </Link>
          </Term>
        )}
        {t.step_id && (
          <Term term="Step">
            <code className="break-all">{t.step_id}</code>
          </Term>
        )}
        <Term term="Created">{when(t.created_at)}</Term>
        {t.completed_at && (
          <Term term="Completed">
            {when(t.completed_at)} by {who(t.completed_by)}
          </Term>
        )}
      </dl>
      {t.description && <p className="mt-4 text-sm whitespace-pre-wrap text-slate-800">{t.description}</p>}
      {typeof instructions === 'string' && (
        <div className="mt-4">
          <h3 className="text-sm font-semibold">Instructions</h3>
          <p className="text-sm whitespace-pre-wrap text-slate-800">{instructions}</p>
        </div>
      )}
      {inputs && Object.keys(inputs).length > 0 && (
        <div className="mt-4">
          <h3 className="text-sm font-semibold">Inputs</h3>
          <Values value={inputs} />
        </div>
      )}
      {ctx.output !== undefined && ctx.output !== null && (
        <div className="mt-4">
          <h3 className="text-sm font-semibold">Output to approve</h3>
          <Values value={ctx.output as Record<string, unknown>} />
        </div>
      )}
    </Card>
  );
}

function Term({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-slate-600">{term}</dt>
      <dd className="break-words text-slate-900">{children}</dd>
    </div>
  );
}

/** A JSON object as a list of names and values. */
function Values({ value }: { value: Record<string, unknown> }) {
  return (
    <dl className="mt-1 grid gap-1 text-sm">
      {Object.entries(value).map(([k, v]) => (
        <div key={k} className="flex flex-wrap gap-x-2">
          <dt className="font-medium text-slate-700">{words(k)}:</dt>
          <dd className="min-w-0 break-words whitespace-pre-wrap text-slate-900">
            {typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'yes' : 'no') : JSON.stringify(v)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Assignment({
  task,
  teamId,
  me,
  members,
  who,
  onDone,
}: {
  task: Task;
  teamId: string;
  me?: string;
  members: Schemas['TeamMember'][];
  who: (id?: string | null) => string;
  onDone: Done;
}) {
  const path = { team_id: teamId, task_id: task.id };
  const [to, setTo] = useState(task.assigned_to ?? '');
  const [local, setLocal] = useState<string>();
  const claim = useMutation({
    mutationFn: () => unwrap<Task>(api.POST('/v1/teams/{team_id}/tasks/{task_id}/claim', { params: { path } })),
    onSuccess: (t) => onDone('You claimed this task; it is now in progress.', t, true),
  });
  const reassign = useMutation({
    mutationFn: (assigned_to: string) =>
      unwrap<Task>(api.PUT('/v1/teams/{team_id}/tasks/{task_id}', { params: { path }, body: { assigned_to } })),
    onSuccess: (t) => onDone(`The task is now assigned to ${who(t.assigned_to)}.`, t),
  });
  const people = members.filter((m) => m.user_id && m.status === 'active');
  const serverError = reassign.error instanceof ApiError ? reassign.error.fields['/assigned_to'] : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = !to
      ? 'Choose a member.'
      : to === task.assigned_to
        ? 'The task is already assigned to them: choose someone else.'
        : undefined;
    setLocal(problem);
    if (problem) return;
    claim.reset();
    reassign.mutate(to);
  };

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">
        {task.assigned_to ? `Assigned to ${who(task.assigned_to)}.` : 'No one has this task yet.'}
      </p>
      {!task.assigned_to && (
        <div>
          <Button busy={claim.isPending} onClick={() => {
              reassign.reset();
              claim.mutate();
            }}>
            Claim this task
          </Button>
        </div>
      )}
      <ErrorNote error={claim.error} title="Could not claim the task" />
      <form onSubmit={submit} noValidate className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="min-w-0 flex-1">
          <Field label="Assign to" error={local ?? serverError}>
            {(p) => (
              <select {...p} className={inputClass} value={to} onChange={(e) => setTo(e.target.value)}>
                <option value="">Choose a member…</option>
                {people.map((m) => (
                  <option key={m.user_id} value={m.user_id!}>
                    {m.display_name ? `${m.display_name} (${m.kind === 'agent' ? 'agent' : m.email})` : m.email}
                    {m.user_id === me ? ' — you' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Button type="submit" tone="secondary" busy={reassign.isPending}>
          Reassign
        </Button>
      </form>
      <ErrorNote error={reassign.error} title="Could not reassign the task" />
    </div>
  );
}

/** The field errors of a completion, relative to `output` (the form's own pointers). */
function outputErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [pointer, message] of Object.entries(error.fields)) {
    let at = pointer.startsWith('/output') ? pointer.slice('/output'.length) : '';
    let text = message;
    // "required" is reported on the object that lacks the field: move it to the field
    const missing = /^"(.+)" is a required property$/.exec(message);
    if (missing) {
      at += `/${pointerKey(missing[1])}`;
      text = 'This field is required.';
    }
    out[at] = out[at] ? `${out[at]} ${text}` : text;
  }
  return out;
}

function Complete({ task, teamId, onDone, onStart }: { task: Task; teamId: string; onDone: Done; onStart: () => void }) {
  const raw = task.context?.form;
  const schema = raw && typeof raw === 'object' ? (raw as JsonSchema) : undefined;
  const [value, setValue] = useState(() => (schema ? initialValue(schema) : {}));
  const [local, setLocal] = useState<Record<string, string>>({});
  const form = useRef<HTMLFormElement>(null);
  const complete = useMutation({
    mutationFn: (output?: Record<string, unknown>) =>
      unwrap<Task>(
        api.POST('/v1/teams/{team_id}/tasks/{task_id}/complete', {
          params: { path: { team_id: teamId, task_id: task.id } },
          body: output ? { output } : {},
        }),
      ),
    onSuccess: (t) => onDone('The task is completed.', t, true),
    onError: () => focusInvalid(form.current),
  });
  const errors = Object.keys(local).length ? local : outputErrors(complete.error);
  const count = Object.keys(local).length;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onStart();
    const problems = schema ? validate(schema, value) : {};
    setLocal(problems);
    if (Object.keys(problems).length) {
      complete.reset();
      focusInvalid(form.current);
      return;
    }
    complete.mutate(schema ? value : undefined);
  };

  return (
    <form ref={form} onSubmit={submit} noValidate className="flex max-w-2xl flex-col gap-4">
      {schema ? (
        <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} disabled={complete.isPending} />
      ) : (
        <p className="text-sm text-slate-700">This step asks for no data: complete it when the work is done.</p>
      )}
      {count > 0 && (
        <p role="alert" className="text-sm text-red-800">
          {count === 1 ? 'One field needs' : `${count} fields need`} attention: see the messages above.
        </p>
      )}
      <ErrorNote error={complete.error} title="Could not complete the task" />
      <div>
        <Button type="submit" busy={complete.isPending}>
          Complete task
        </Button>
      </div>
    </form>
  );
}

function Comments({
  teamId,
  task,
  who,
  canWrite,
  onDone,
}: {
  teamId: string;
  task: Task;
  who: (id?: string | null) => string;
  canWrite: boolean;
  onDone: Done;
}) {
  const path = { team_id: teamId, task_id: task.id };
  const list = useQuery({
    queryKey: ['team', teamId, 'task', task.id, 'comments'],
    queryFn: () =>
      unwrapPage<Schemas['TaskComment']>(
        api.GET('/v1/teams/{team_id}/tasks/{task_id}/comments', { params: { path, query: { page_size: 100 } } }),
      ),
  });
  const [body, setBody] = useState('');
  const [local, setLocal] = useState<string>();
  const add = useMutation({
    mutationFn: (text: string) =>
      unwrap<Schemas['TaskComment']>(
        api.POST('/v1/teams/{team_id}/tasks/{task_id}/comments', { params: { path }, body: { body: text } }),
      ),
    onSuccess: () => {
      setBody('');
      onDone('Your comment is added.');
    },
  });
  const serverError = add.error instanceof ApiError ? add.error.fields['/body'] : undefined;
  const total = list.data?.pagination?.total_count;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problem = !body.trim()
      ? 'Write a comment first.'
      : body.length > 10000
        ? `Use at most 10,000 characters (now ${body.length}).`
        : undefined;
    setLocal(problem);
    if (!problem) add.mutate(body);
  };

  return (
    <Card title={`Comments${total !== undefined ? ` (${total})` : ''}`}>
      <Loaded query={list} empty={(d) => (d.items.length ? null : 'No comments yet.')}>
        {(d) => (
          <>
            <p className="mb-2 text-xs text-slate-600">
              Newest first{d.pagination?.has_next ? `; the latest ${d.items.length} are shown` : ''}.
            </p>
            <ol className="flex flex-col divide-y divide-slate-100">
              {d.items.map((c) => (
                <li key={c.id} className="py-2">
                  <p className="text-xs text-slate-600">
                    <span className="font-medium text-slate-800">{who(c.author_id)}</span> · {when(c.created_at)}
                  </p>
                  <p className="text-sm break-words whitespace-pre-wrap">{c.body}</p>
                </li>
              ))}
            </ol>
          </>
        )}
      </Loaded>
      {canWrite && (
        <form onSubmit={submit} noValidate className="mt-4 flex flex-col gap-2">
          <Field label="Add a comment" error={local ?? serverError}>
            {(p) => (
              <textarea
                {...p}
                className={`${inputClass} min-h-24`}
                value={body}
                maxLength={10000}
                onChange={(e) => setBody(e.target.value)}
              />
            )}
          </Field>
          <ErrorNote error={add.error} title="Could not add the comment" />
          <div>
            <Button type="submit" tone="secondary" busy={add.isPending}>
              Add comment
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}
