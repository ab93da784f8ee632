// Reports: the team's report definitions, one form to create or edit one (type, format, optional
// cron schedule), running one now, its runs, and downloading what a completed run wrote.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, describe, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { focusInvalid, useFocusOnClose } from '../../components/focus';
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
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Schemas['ReportCreated'] | null>(null);
  useFocusOnClose(open, 'new-report');
  if (open)
    return (
      <Card title="New report">
        <ReportForm
          onDone={(saved) => {
            setOpen(false);
            if (saved) setCreated(saved);
          }}
        />
      </Card>
    );
  return (
    <div>
      <Button id="new-report" onClick={() => setOpen(true)}>
        New report
      </Button>
      {created && (
        <p role="status" className="mt-2 text-sm text-green-800">
          Report created{created.execution ? '; its first run is queued' : ''}.
        </p>
      )}
    </div>
  );
}

/**
 * Creates a report (no `report`) or edits one: name, description, type, format, period,
 * playbook, sections of a custom report, schedule. `onDone` gets what was saved, or nothing when
 * cancelled; a failed save keeps everything typed.
 */
function ReportForm({ report, onDone }: { report?: Schemas['Report']; onDone: (saved?: Schemas['ReportCreated']) => void }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [name, setName] = useState(report?.name ?? '');
  const [description, setDescription] = useState(report?.description ?? '');
  const [type, setType] = useState<Schemas['ReportType']>(report?.type ?? 'performance');
  const [format, setFormat] = useState<Schemas['ReportFormat']>(report?.format ?? 'pdf');
  const [periodDays, setPeriodDays] = useState(String(report?.period_days ?? 30));
  const [processId, setProcessId] = useState(report?.process_id ?? '');
  const [schedule, setSchedule] = useState(report?.schedule ?? '');
  // a new scheduled report runs now too unless unticked; an edited one only when ticked
  const [runNow, setRunNow] = useState(!report);
  const [sections, setSections] = useState<Schemas['AnalyticsSource'][]>(report?.type === 'custom' ? report.sections : []);
  const sectionsId = useId();
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);
  const save = useMutation({
    mutationFn: async (): Promise<Schemas['ReportCreated']> => {
      const body = {
        name,
        description,
        type,
        format,
        period_days: periodDays ? Number(periodDays) : null,
        process_id: processId || null,
        schedule: schedule.trim() || null,
        run_now: report ? runNow : schedule.trim() ? runNow : undefined,
        sections: type === 'custom' ? sections : undefined,
      };
      if (report) {
        const saved = await unwrap<Schemas['Report']>(
          api.PUT('/v1/teams/{team_id}/analytics/reports/{report_id}', { params: { path: { team_id: teamId!, report_id: report.id } }, body }),
        );
        return { report: saved };
      }
      return unwrap<Schemas['ReportCreated']>(api.POST('/v1/teams/{team_id}/analytics/reports', { params: { path: { team_id: teamId! } }, body }));
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['team', teamId, 'reports'] });
      onDone(saved);
    },
    onError: () => focusInvalid(form.current),
  });
  // checked here before anything is sent, again on each change once a save was tried
  const [tried, setTried] = useState(false);
  const check = () => {
    const out: Record<string, string> = {};
    if (!name.trim()) out['/name'] = 'Give the report a name.';
    if (type === 'custom' && sections.length === 0) out['/sections'] = 'Choose at least one section.';
    return out;
  };
  const fields = { ...(save.error instanceof ApiError ? save.error.fields : {}), ...(tried ? check() : {}) };
  const sectionsError = Object.entries(fields)
    .filter(([k]) => k.startsWith('/sections'))
    .map(([, m]) => m)
    .join(' ');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(check()).length) {
      focusInvalid(form.current);
      return;
    }
    save.mutate();
  };

  return (
    <form ref={form} className="grid gap-3 sm:grid-cols-2" onSubmit={submit} noValidate>
      <Field label="Name" error={fields['/name']}>
        {(p) => <TextInput {...p} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Description (optional)" error={fields['/description']}>
        {(p) => <TextInput {...p} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}
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
                {formatName(f)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Days covered" hint="The days before each run, 1 to 366." error={fields['/period_days']}>
        {(p) => <TextInput {...p} type="number" min={1} max={366} inputMode="numeric" value={periodDays} onChange={(e) => setPeriodDays(e.target.value)} />}
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
        hint={`A 5-field cron expression in the team's time zone, e.g. 0 8 * * 1 for Mondays at 08:00. Empty: ${report ? 'it is not scheduled' : 'it runs once now'}.`}
        error={fields['/schedule']}
      >
        {(p) => <TextInput {...p} value={schedule} spellCheck={false} autoComplete="off" onChange={(e) => setSchedule(e.target.value)} />}
      </Field>
      {(report || schedule.trim()) && (
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input type="checkbox" className="h-5 w-5" checked={runNow} onChange={(e) => setRunNow(e.target.checked)} />
          {report ? 'Run it once now' : 'Run it now as well'}
        </label>
      )}
      {type === 'custom' && (
        <fieldset className="sm:col-span-2" aria-describedby={sectionsError ? `${sectionsId}-error` : undefined}>
          <legend className="text-sm font-medium text-slate-800">Sections (1 to 9)</legend>
          <div className="mt-1 grid grid-cols-1 gap-1 min-[420px]:grid-cols-2 sm:grid-cols-3">
            {SOURCES.map((s) => (
              <label key={s} className="flex min-h-10 items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="h-5 w-5"
                  checked={sections.includes(s)}
                  aria-invalid={sectionsError ? true : undefined}
                  onChange={(e) => setSections((now) => (e.target.checked ? [...now, s] : now.filter((x) => x !== s)))}
                />
                {sectionName(s)}
              </label>
            ))}
          </div>
          {sectionsError && (
            <p id={`${sectionsId}-error`} className="text-sm text-red-700">
              {sectionsError}
            </p>
          )}
        </fieldset>
      )}
      <div className="sm:col-span-2">
        <ErrorNote error={save.error} title={report ? 'Could not save the report' : 'Could not create the report'} />
      </div>
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <Button type="submit" busy={save.isPending}>
          {report ? 'Save report' : 'Create report'}
        </Button>
        <Button tone="secondary" onClick={() => onDone()}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

const formatName = (f: Schemas['ReportFormat']) => (f === 'excel' ? 'Excel' : f.toUpperCase());
const sectionName = (s: Schemas['AnalyticsSource']) => (s === 'sla' ? 'SLA breaches' : words(s));

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
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const runsId = useId();
  const editId = `edit-report-${r.id}`;
  useFocusOnClose(editing, editId);
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

  if (editing)
    return (
      <li className="py-3" aria-labelledby={`${editId}-title`}>
        <h3 id={`${editId}-title`} className="mb-2 font-medium break-words">
          Edit “{r.name}”
        </h3>
        <ReportForm
          report={r}
          onDone={(done) => {
            setEditing(false);
            setSaved(!!done);
          }}
        />
      </li>
    );
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 className="font-medium break-words">{r.name}</h3>
          {r.description && <p className="text-sm text-slate-700">{r.description}</p>}
          <p className="text-sm text-slate-700">
            {words(r.type)} · {formatName(r.format)} · last {number(r.period_days)} days · {playbook}
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
          <p className="text-xs text-slate-600">Sections: {r.sections.map(sectionName).join(', ')}</p>
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
              <Button id={editId} tone="secondary" onClick={() => setEditing(true)}>
                Edit<span className="sr-only"> {r.name}</span>
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
      {saved && (
        <p role="status" className="mt-1 text-sm text-green-800">
          Saved.
        </p>
      )}
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
