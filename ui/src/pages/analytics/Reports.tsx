// Reports: the team's report definitions, a form to create one (type, format, optional cron
// schedule), running one now, its runs, and downloading what a completed run wrote.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, describe, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Badge, Button, Card, ErrorNote, Field, inputClass, Loaded, Pager, TextInput, when } from '../../components/ui';
import { download, number, usePlaybooks, words } from './common';

const TYPES: Record<Schemas['ReportType'], string> = {
  operational: 'Operational: performance, anomalies, predictions, people',
  performance: 'Performance: measures, each playbook, trends, recommendations',
  compliance: 'Compliance: SLA breaches, anomalies',
  custom: 'Custom: the sections you choose',
};
const FORMATS: Schemas['ReportFormat'][] = ['pdf', 'html', 'excel', 'csv', 'json'];
const SOURCES: Schemas['AnalyticsSource'][] = ['performance', 'processes', 'trends', 'anomalies', 'predictions', 'recommendations', 'users', 'sla', 'variants'];

export default function Reports() {
  const { can } = useTeam();
  return (
    <div className="grid grid-cols-1 gap-4">
      {can('editor') ? <NewReport /> : <p className="text-sm text-slate-700">Editors create and run reports; you can read them and download what they wrote.</p>}
      <ReportList />
    </div>
  );
}

function NewReport() {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [type, setType] = useState<Schemas['ReportType']>('performance');
  const [format, setFormat] = useState<Schemas['ReportFormat']>('pdf');
  const [periodDays, setPeriodDays] = useState('30');
  const [processId, setProcessId] = useState('');
  const [schedule, setSchedule] = useState('');
  const [runNow, setRunNow] = useState(true);
  const [sections, setSections] = useState<Schemas['AnalyticsSource'][]>([]);
  const sectionsId = useId();
  const create = useMutation({
    mutationFn: () =>
      unwrap<Schemas['ReportCreated']>(
        api.POST('/v1/teams/{team_id}/analytics/reports', {
          params: { path: { team_id: teamId! } },
          body: {
            name,
            type,
            format,
            period_days: periodDays ? Number(periodDays) : null,
            process_id: processId || null,
            schedule: schedule.trim() || null,
            run_now: schedule.trim() ? runNow : undefined,
            sections: type === 'custom' ? sections : undefined,
          },
        }),
      ),
    onSuccess: () => {
      setName('');
      setSchedule('');
      setSections([]);
      setOpen(false);
      void client.invalidateQueries({ queryKey: ['team', teamId, 'reports'] });
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  if (!open)
    return (
      <div>
        <Button onClick={() => setOpen(true)}>New report</Button>
        {create.isSuccess && (
          <p role="status" className="mt-2 text-sm text-green-800">
            Report created{create.data.execution ? '; its first run is queued' : ''}.
          </p>
        )}
      </div>
    );
  return (
    <Card title="New report">
      <form className="grid gap-3 sm:grid-cols-2" onSubmit={submit} noValidate>
        <Field label="Name" error={fields['/name']}>
          {(p) => <TextInput {...p} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Type" error={fields['/type']}>
          {(p) => (
            <select {...p} className={inputClass} value={type} onChange={(e) => setType(e.target.value as Schemas['ReportType'])}>
              {Object.entries(TYPES).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Format" error={fields['/format']}>
          {(p) => (
            <select {...p} className={inputClass} value={format} onChange={(e) => setFormat(e.target.value as Schemas['ReportFormat'])}>
              {FORMATS.map((f) => (
                <option key={f} value={f}>
                  {f === 'excel' ? 'Excel' : f.toUpperCase()}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Days covered" hint="The days before each run, 1 to 366." error={fields['/period_days']}>
          {(p) => (
            <TextInput {...p} type="number" min={1} max={366} inputMode="numeric" value={periodDays} onChange={(e) => setPeriodDays(e.target.value)} />
          )}
        </Field>
        <Field label="Playbook" hint="Optional: every playbook on main when none is chosen." error={fields['/process_id']}>
          {(p) => (
            <select {...p} className={inputClass} value={processId} onChange={(e) => setProcessId(e.target.value)}>
              <option value="">Every playbook</option>
              {playbooks.data?.items.map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {pb.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Schedule (optional)"
          hint="A 5-field cron expression in the team's time zone, e.g. 0 8 * * 1 for Mondays at 08:00. Empty: it runs once now."
          error={fields['/schedule']}
        >
          {(p) => <TextInput {...p} value={schedule} spellCheck={false} autoComplete="off" onChange={(e) => setSchedule(e.target.value)} />}
        </Field>
        {schedule.trim() && (
          <label className="flex items-center gap-2 text-sm sm:col-span-2">
            <input type="checkbox" className="h-5 w-5" checked={runNow} onChange={(e) => setRunNow(e.target.checked)} />
            Run it now as well
          </label>
        )}
        {type === 'custom' && (
          <fieldset className="sm:col-span-2" aria-describedby={fields['/sections'] ? `${sectionsId}-error` : undefined}>
            <legend className="text-sm font-medium text-slate-800">Sections (1 to 9)</legend>
            <div className="mt-1 grid grid-cols-1 gap-1 min-[420px]:grid-cols-2 sm:grid-cols-3">
              {SOURCES.map((s) => (
                <label key={s} className="flex min-h-10 items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="h-5 w-5"
                    checked={sections.includes(s)}
                    onChange={(e) => setSections((now) => (e.target.checked ? [...now, s] : now.filter((x) => x !== s)))}
                  />
                  {s === 'sla' ? 'SLA breaches' : words(s)}
                </label>
              ))}
            </div>
            {fields['/sections'] && (
              <p id={`${sectionsId}-error`} className="text-sm text-red-700">
                {fields['/sections']}
              </p>
            )}
          </fieldset>
        )}
        <div className="sm:col-span-2">
          <ErrorNote error={create.error} title="Could not create the report" />
        </div>
        <div className="flex flex-wrap gap-2 sm:col-span-2">
          <Button type="submit" busy={create.isPending}>
            Create report
          </Button>
          <Button tone="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ReportList() {
  const { teamId } = useTeam();
  const [page, setPage] = useState(1);
  const reports = useQuery({
    queryKey: ['team', teamId, 'reports', { page }],
    queryFn: () =>
      unwrapPage<Schemas['Report']>(
        api.GET('/v1/teams/{team_id}/analytics/reports', { params: { path: { team_id: teamId! }, query: { page, page_size: 20 } } }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  return (
    <Card title={`Reports${reports.data?.pagination ? ` (${reports.data.pagination.total_count})` : ''}`}>
      <Loaded query={reports} empty={(d) => (d.items.length ? null : 'The team has no report yet.')}>
        {(d) => (
          <>
            <ul className="divide-y divide-slate-100">
              {d.items.map((r) => (
                <ReportRow key={r.id} report={r} />
              ))}
            </ul>
            <Pager pagination={d.pagination} onPage={setPage} label="Report pages" />
          </>
        )}
      </Loaded>
    </Card>
  );
}

function ReportRow({ report: r }: { report: Schemas['Report'] }) {
  const { teamId, can } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [open, setOpen] = useState(false);
  const runsId = useId();
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId, 'reports'] });
  const run = useMutation({
    mutationFn: () =>
      unwrap<Schemas['ReportExecution']>(
        api.POST('/v1/teams/{team_id}/analytics/reports/{report_id}/executions', { params: { path: { team_id: teamId!, report_id: r.id } } }),
      ),
    onSuccess: () => {
      setOpen(true);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Deleted']>(
        api.DELETE('/v1/teams/{team_id}/analytics/reports/{report_id}', { params: { path: { team_id: teamId!, report_id: r.id } } }),
      ),
    onSuccess: () => void refresh(),
  });
  const playbook = r.process_id ? (playbooks.data?.items.find((p) => p.id === r.process_id)?.name ?? 'One playbook') : 'Every playbook';

  return (
    <li className="py-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="font-medium break-words">{r.name}</h3>
          <p className="text-sm text-slate-700">
            {words(r.type)} · {r.format === 'excel' ? 'Excel' : r.format.toUpperCase()} · last {number(r.period_days)} days · {playbook}
          </p>
          <p className="text-sm text-slate-700">
            {r.schedule ? (
              <>
                Schedule <code className="rounded bg-slate-100 px-1">{r.schedule}</code>, next run {when(r.next_run_at)}
              </>
            ) : (
              'Not scheduled'
            )}
          </p>
          <p className="text-xs text-slate-600">Sections: {r.sections.map((s) => (s === 'sla' ? 'SLA breaches' : s)).join(', ')}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button tone="secondary" aria-expanded={open} aria-controls={runsId} onClick={() => setOpen((o) => !o)}>
            {open ? 'Hide runs' : 'Show runs'}
          </Button>
          {can('editor') && (
            <>
              <Button tone="secondary" busy={run.isPending} onClick={() => run.mutate()}>
                Run now
              </Button>
              <Button
                tone="danger"
                busy={remove.isPending}
                onClick={() => {
                  if (confirm(`Delete the report “${r.name}” with its runs and documents?`)) remove.mutate();
                }}
              >
                Delete
              </Button>
            </>
          )}
        </div>
      </div>
      <ErrorNote error={run.error ?? remove.error} title="Could not change the report" />
      <div id={runsId} hidden={!open}>
        {open && <Runs report={r} />}
      </div>
    </li>
  );
}

function Runs({ report }: { report: Schemas['Report'] }) {
  const { teamId } = useTeam();
  const [failed, setFailed] = useState<{ id: string; error: unknown } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const runs = useQuery({
    queryKey: ['team', teamId, 'reports', report.id, 'executions'],
    queryFn: () =>
      unwrapPage<Schemas['ReportExecution']>(
        api.GET('/v1/teams/{team_id}/analytics/reports/{report_id}/executions', {
          params: { path: { team_id: teamId!, report_id: report.id }, query: { page_size: 20 } },
        }),
      ),
    enabled: !!teamId,
    // a queued run is written by the job runner: look again until it is done
    refetchInterval: (q) => (q.state.data?.items.some((x) => x.status === 'pending') ? 2000 : false),
  });
  const save = async (x: Schemas['ReportExecution']) => {
    setFailed(null);
    setSaved(null);
    try {
      const name = await download(
        `/v1/teams/${teamId}/analytics/reports/${report.id}/executions/${x.id}/output`,
        x.file_name ?? `${report.name}.${x.format === 'excel' ? 'xlsx' : x.format}`,
      );
      setSaved(name);
    } catch (error) {
      setFailed({ id: x.id, error });
    }
  };
  return (
    <div className="mt-3 rounded-md bg-slate-50 p-3">
      <h4 className="mb-2 text-sm font-semibold">Runs of {report.name}</h4>
      <Loaded query={runs} empty={(d) => (d.items.length ? null : 'It has not run yet.')}>
        {(d) => (
          <ul className="divide-y divide-slate-200">
            {d.items.map((x) => (
              <li key={x.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                <span className="min-w-0">
                  <Badge value={x.status} /> <span className="text-slate-800">{x.trigger === 'manual' ? 'run by hand' : 'scheduled'}</span>
                  <span className="block text-slate-700">
                    {x.status === 'pending' ? `due ${when(x.scheduled_for)}` : `finished ${when(x.completed_at)}`}
                    {x.size_bytes != null && ` · ${formatBytes(x.size_bytes)}`}
                  </span>
                  {x.error && <span className="block text-red-800">{x.error}</span>}
                  {failed?.id === x.id && <span className="block text-red-800" role="alert">{describe(failed.error)}</span>}
                </span>
                {x.status === 'completed' && (
                  <Button tone="secondary" onClick={() => void save(x)}>
                    Download<span className="sr-only"> {x.file_name ?? `the ${x.format} document`}</span>
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {saved && (
        <p role="status" className="mt-2 text-sm text-green-800">
          Saved {saved}.
        </p>
      )}
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
