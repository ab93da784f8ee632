// Dashboards: the team's saved dashboards, each widget answered now by its analytics query and
// drawn by what it shows; editors create and edit them in one editor (name, description, the
// widgets: added, removed, moved, changed) and delete them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { focusInvalid, useFocusOnClose } from '../../components/focus';
import { Button, Card, ErrorNote, Field, inputClass, Loaded, TextInput, when } from '../../components/ui';
import { TrendFigure, trendTitle } from './Trends';
import { DataTable, duration, measure, number, percent, seconds, usePlaybooks, words } from './common';

type Source = Schemas['AnalyticsSource'];
type WidgetType = Schemas['WidgetType'];

/** Each source with the way it is usually drawn and its name. */
const SOURCES: Record<Source, { type: WidgetType; label: string }> = {
  performance: { type: 'metric', label: 'Performance' },
  trends: { type: 'chart', label: 'Trends' },
  processes: { type: 'table', label: 'Each playbook' },
  sla: { type: 'table', label: 'SLA breaches' },
  anomalies: { type: 'list', label: 'Anomalies' },
  predictions: { type: 'list', label: 'Predictions' },
  recommendations: { type: 'list', label: 'Recommendations' },
  users: { type: 'table', label: 'People' },
  variants: { type: 'table', label: 'Paths taken' },
};
const TYPES: WidgetType[] = ['metric', 'chart', 'table', 'list', 'calendar', 'heatmap'];
const WIDTHS: [number, string][] = [
  [3, 'A quarter'],
  [4, 'A third'],
  [6, 'Half'],
  [8, 'Two thirds'],
  [12, 'The whole width'],
];
// literal class names, so the stylesheet has them: a widget's width on the 12-column grid
const SPAN = ['', 'lg:col-span-1', 'lg:col-span-2', 'lg:col-span-3', 'lg:col-span-4', 'lg:col-span-5', 'lg:col-span-6', 'lg:col-span-7', 'lg:col-span-8', 'lg:col-span-9', 'lg:col-span-10', 'lg:col-span-11', 'lg:col-span-12'];

/** A dashboard's widgets in reading order (rows, then left to right). */
const ordered = (widgets: Schemas['Widget'][]) => [...widgets].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);

export default function Dashboards() {
  const { teamId, can } = useTeam();
  const [chosen, setChosen] = useState('');
  const [creating, setCreating] = useState(false);
  useFocusOnClose(creating, 'new-dashboard');
  const list = useQuery({
    queryKey: ['team', teamId, 'dashboards'],
    queryFn: () =>
      unwrapPage<Schemas['Dashboard']>(api.GET('/v1/teams/{team_id}/dashboards', { params: { path: { team_id: teamId! }, query: { page_size: 200 } } })),
    enabled: !!teamId,
  });
  const id = chosen || list.data?.items[0]?.id || '';
  const dashboard = list.data?.items.find((d) => d.id === id);
  return (
    <div className="grid grid-cols-1 gap-4">
      {can('editor') &&
        (creating ? (
          <DashboardEditor
            onDone={(saved) => {
              setCreating(false);
              if (saved) setChosen(saved.id);
            }}
          />
        ) : (
          <div>
            <Button id="new-dashboard" onClick={() => setCreating(true)}>
              New dashboard
            </Button>
          </div>
        ))}
      <Loaded query={list} empty={(d) => (d.items.length ? null : 'The team has no dashboard yet.')}>
        {(d) => (
          <Field label="Dashboard">
            {(p) => (
              <select {...p} className={`${inputClass} sm:max-w-md`} value={id} onChange={(e) => setChosen(e.target.value)}>
                {d.items.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </Loaded>
      {dashboard && <DashboardView key={dashboard.id} dashboard={dashboard} onDeleted={() => setChosen('')} />}
    </div>
  );
}

function DashboardView({ dashboard, onDeleted }: { dashboard: Schemas['Dashboard']; onDeleted: () => void }) {
  const { teamId, can } = useTeam();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const editId = `edit-${dashboard.id}`;
  useFocusOnClose(editing, editId);
  const data = useQuery({
    queryKey: ['team', teamId, 'dashboards', dashboard.id, 'data'],
    queryFn: () =>
      unwrap<Schemas['DashboardData']>(
        api.GET('/v1/teams/{team_id}/dashboards/{dashboard_id}/data', { params: { path: { team_id: teamId!, dashboard_id: dashboard.id } } }),
      ),
    enabled: !!teamId,
  });
  const remove = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Deleted']>(
        api.DELETE('/v1/teams/{team_id}/dashboards/{dashboard_id}', { params: { path: { team_id: teamId!, dashboard_id: dashboard.id } } }),
      ),
    onSuccess: () => {
      client.setQueryData<{ items: Schemas['Dashboard'][] }>(['team', teamId, 'dashboards'], (old) => old && { ...old, items: old.items.filter((d) => d.id !== dashboard.id) });
      onDeleted();
      void client.invalidateQueries({ queryKey: ['team', teamId, 'dashboards'], exact: true });
    },
  });
  if (editing) return <DashboardEditor dashboard={dashboard} onDone={() => setEditing(false)} />;
  const widgets = ordered(dashboard.widgets);
  return (
    <section aria-labelledby={`dashboard-${dashboard.id}`}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <h2 id={`dashboard-${dashboard.id}`} className="text-lg font-semibold break-words">
            {dashboard.name}
          </h2>
          {dashboard.description && <p className="text-sm text-slate-700">{dashboard.description}</p>}
          {data.data && <p className="text-xs text-slate-600">Answered {when(data.data.generated_at)}</p>}
        </div>
        {can('editor') && (
          <div className="flex flex-wrap gap-2">
            <Button id={editId} tone="secondary" onClick={() => setEditing(true)}>
              Edit dashboard
            </Button>
            <Button
              tone="danger"
              busy={remove.isPending}
              onClick={() => {
                if (confirm(`Delete the dashboard “${dashboard.name}”?`)) remove.mutate();
              }}
            >
              Delete dashboard
            </Button>
          </div>
        )}
      </div>
      <ErrorNote error={remove.error} title="Could not delete the dashboard" />
      <Loaded query={data} empty={() => (widgets.length ? null : 'This dashboard has no widget.')}>
        {(d) => (
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-12">
            {widgets.map((w) => {
              const answer = d.widgets.find((x) => x.widget_id === w.id);
              return (
                <div key={w.id} className={`min-w-0 ${SPAN[Math.min(12, Math.max(1, w.position.w))]}`}>
                  <Card title={w.title}>{answer ? <Widget widget={w} data={answer.data} /> : <p className="text-sm text-slate-600">No answer.</p>}</Card>
                </div>
              );
            })}
          </div>
        )}
      </Loaded>
    </section>
  );
}

type SlaData = {
  playbooks: { process_id: string; name: string; sla_breach_rate?: number | null; total_executions: number }[];
  steps: { process: string; step_id: string; name: string; executions: number; sla_breaches: number; sla_breach_rate?: number | null }[];
};
type ProcessesData = { playbooks: { process_id: string; name: string; metrics: Schemas['ProcessMetrics'] }[] };

/** One widget's answer, drawn by what its source gives (the answer is the source's own shape). */
function Widget({ widget, data }: { widget: Schemas['Widget']; data: unknown }) {
  // a widget whose playbook is gone answers with its error
  const failed = (data as { error?: { message?: string } } | null)?.error;
  if (failed) return <p className="text-sm text-red-800">Could not answer this widget: {failed.message ?? 'its query failed'}.</p>;
  switch (widget.source) {
    case 'performance': {
      const p = data as Schemas['PerformanceOverview'];
      return (
        <dl className="grid grid-cols-1 gap-2 min-[420px]:grid-cols-2">
          {p.metrics.map((m) => (
            <div key={m.name}>
              <dt className="text-xs text-slate-700">{words(m.name)}</dt>
              <dd className="font-semibold tabular-nums">{measure(m.value, m.unit)}</dd>
            </div>
          ))}
        </dl>
      );
    }
    case 'trends': {
      const t = data as Schemas['TrendAnalysis'];
      return (
        <div className="grid gap-4">
          {t.trends.map((x) => (
            <div key={x.metric}>
              <h3 className="text-sm font-semibold">{trendTitle(x.metric)}</h3>
              <TrendFigure trend={x} level={t.significance_level} height={160} />
            </div>
          ))}
        </div>
      );
    }
    case 'processes': {
      const p = data as ProcessesData;
      return (
        <DataTable
          label={widget.title}
          rows={p.playbooks}
          rowKey={(x) => x.process_id}
          columns={[
            { header: 'Playbook', cell: (x) => x.name },
            { header: 'Instances', numeric: true, cell: (x) => number(x.metrics.total_executions) },
            { header: 'Completion', numeric: true, cell: (x) => percent(x.metrics.completion_rate) },
            { header: 'Median cycle', numeric: true, cell: (x) => duration(seconds(x.metrics.median_duration)) },
          ]}
        />
      );
    }
    case 'sla': {
      const s = data as SlaData;
      return (
        <DataTable
          label={widget.title}
          rows={s.playbooks}
          rowKey={(x) => x.process_id}
          columns={[
            { header: 'Playbook', cell: (x) => x.name },
            { header: 'Instances', numeric: true, cell: (x) => number(x.total_executions) },
            { header: 'Breach rate', numeric: true, cell: (x) => percent(x.sla_breach_rate) },
          ]}
        />
      );
    }
    case 'anomalies': {
      const a = data as Schemas['AnomalyReport'];
      return (
        <p className="text-sm">
          {number(a.anomalies.length)} anomalies above a score of {number(a.threshold)}
          {a.anomalies[0] && `; the largest: ${words(a.anomalies[0].kind)} of ${duration(a.anomalies[0].value.value)} against a median of ${duration(a.anomalies[0].median.value)}`}.
        </p>
      );
    }
    case 'predictions': {
      const p = data as Schemas['PredictionReport'];
      return (
        <ul className="divide-y divide-slate-100 text-sm">
          {p.predictions.length === 0 && <li className="py-1 text-slate-600">No instance is running.</li>}
          {p.predictions.slice(0, 5).map((x) => (
            <li key={x.instance_id} className="py-1">
              Instance {x.instance_id.slice(-8)}: expected {x.expected_completion ? when(x.expected_completion) : '—'}
              {x.completion_probability != null && ` (${percent(x.completion_probability)} likely to complete)`}
            </li>
          ))}
        </ul>
      );
    }
    case 'recommendations': {
      const r = data as Schemas['RecommendationReport'];
      return (
        <ul className="list-disc pl-5 text-sm">
          {r.recommendations.length === 0 && <li className="text-slate-600">Nothing to change.</li>}
          {r.recommendations.map((x, i) => (
            <li key={i}>
              <span className="font-medium">{x.title}</span> ({x.priority})
            </li>
          ))}
        </ul>
      );
    }
    case 'users': {
      const u = data as Schemas['PeopleAnalytics'];
      return (
        <DataTable
          label={widget.title}
          rows={u.users}
          rowKey={(x) => x.user_id}
          columns={[
            { header: 'Member', cell: (x) => x.display_name ?? x.email },
            { header: 'Completed', numeric: true, cell: (x) => number(x.tasks_completed) },
            { header: 'Open', numeric: true, cell: (x) => number(x.open_tasks) },
            { header: 'Overdue', numeric: true, cell: (x) => number(x.overdue) },
          ]}
        />
      );
    }
    case 'variants': {
      const m = data as Schemas['ProcessMining'];
      return (
        <ul className="divide-y divide-slate-100 text-sm">
          {m.variants.length === 0 && <li className="py-1 text-slate-600">No finished instance in the period.</li>}
          {m.variants.slice(0, 5).map((v) => (
            <li key={v.steps.join('>')} className="py-1">
              {number(v.count)} ({percent(v.share)}): {v.steps.join(' → ')}
            </li>
          ))}
        </ul>
      );
    }
    default:
      return <p className="text-sm text-slate-600">This widget's source is not drawn here yet.</p>;
  }
}

/** A widget as the editor holds it: numbers typed as text, no playbook as ''. */
type Draft = { id: string; title: string; type: WidgetType; source: Source; process_id: string; days: string; w: number; h: number };

const toDraft = (w: Schemas['Widget'], i: number): Draft => ({
  id: w.id || `w${i + 1}`,
  title: w.title,
  type: w.type,
  source: w.source,
  process_id: w.process_id ?? '',
  days: w.period_days == null ? '' : String(w.period_days),
  w: w.position.w,
  h: w.position.h,
});

/** An id no other widget of the draft has (the server only numbers widgets without one). */
const freshId = (drafts: Draft[]) => {
  let n = drafts.length + 1;
  while (drafts.some((d) => d.id === `w${n}`)) n++;
  return `w${n}`;
};

const newDraft = (drafts: Draft[], source: Source = 'performance'): Draft => ({
  id: freshId(drafts),
  title: SOURCES[source].label,
  type: SOURCES[source].type,
  source,
  process_id: '',
  days: '30',
  w: 6,
  h: 4,
});

/** What the editor can tell before sending, by JSON Pointer as the server reports it. */
function check(name: string, drafts: Draft[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!name.trim()) out['/name'] = 'Give the dashboard a name.';
  drafts.forEach((d, i) => {
    if (!d.title.trim()) out[`/widgets/${i}/title`] = 'Give the widget a title.';
    if (d.source === 'variants' && !d.process_id) out[`/widgets/${i}/process_id`] = 'Choose the playbook whose paths it shows.';
  });
  return out;
}

/** A new dashboard's widgets until changed. */
const starter = () => {
  const first = newDraft([], 'performance');
  return [first, newDraft([first], 'trends')];
};

/** The widgets in the draft's order, laid out left to right in rows of 12 columns. */
function layout(drafts: Draft[]): Schemas['Widget'][] {
  let x = 0;
  let y = 0;
  let row = 0;
  return drafts.map((d) => {
    if (x + d.w > 12) {
      x = 0;
      y += row;
      row = 0;
    }
    const position = { x, y, w: d.w, h: d.h };
    x += d.w;
    row = Math.max(row, d.h);
    return {
      id: d.id,
      title: d.title,
      type: d.type,
      source: d.source,
      process_id: d.process_id || null,
      period_days: d.days.trim() ? Number(d.days) : null,
      position,
    };
  });
}

/**
 * Creates a dashboard (no `dashboard`) or edits one: name, description and its widgets, each
 * with its query (source, playbook, days) and how it is drawn (type, title, width), moved with
 * up and down buttons. `onDone` gets the saved dashboard, or nothing when cancelled.
 */
function DashboardEditor({ dashboard, onDone }: { dashboard?: Schemas['Dashboard']; onDone: (saved?: Schemas['Dashboard']) => void }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [name, setName] = useState(dashboard?.name ?? '');
  const [description, setDescription] = useState(dashboard?.description ?? '');
  const [drafts, setDrafts] = useState<Draft[]>(() =>
    dashboard ? ordered(dashboard.widgets).map(toDraft) : starter(),
  );
  const [announcement, setAnnouncement] = useState('');
  const form = useRef<HTMLFormElement>(null);
  // the control to focus once the widgets are drawn again (after a move, a removal, an addition)
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    const want = focusNext.current;
    if (!want || !form.current) return;
    focusNext.current = null;
    const target = form.current.querySelector<HTMLElement>(`[data-focus="${want}"]:not(:disabled)`);
    (target ?? form.current.querySelector<HTMLElement>('[data-focus="add"]'))?.focus();
  }, [drafts]);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input')?.focus();
  }, []);

  const save = useMutation({
    mutationFn: (sent: Draft[]) => {
      const body = { name, description, widgets: layout(sent) };
      return unwrap<Schemas['Dashboard']>(
        dashboard
          ? api.PUT('/v1/teams/{team_id}/dashboards/{dashboard_id}', { params: { path: { team_id: teamId!, dashboard_id: dashboard.id } }, body })
          : api.POST('/v1/teams/{team_id}/dashboards', { params: { path: { team_id: teamId! } }, body }),
      );
    },
    onSuccess: (saved) => {
      // the list shows the saved dashboard at once, then everything about dashboards is read again
      client.setQueryData<{ items: Schemas['Dashboard'][] }>(['team', teamId, 'dashboards'], (old) =>
        old && { ...old, items: dashboard ? old.items.map((d) => (d.id === saved.id ? saved : d)) : [saved, ...old.items] },
      );
      void client.invalidateQueries({ queryKey: ['team', teamId, 'dashboards'] });
      onDone(saved);
    },
    onError: () => focusInvalid(form.current),
  });
  // checked here before anything is sent, again on each change once a save was tried
  const [tried, setTried] = useState(false);
  const problems = tried ? check(name, drafts) : {};
  const server = save.error instanceof ApiError ? save.error.fields : {};
  const fields = { ...server, ...problems };
  // a widget's problems by field: the server's found at its place when sent (it may have moved
  // since, and others come and go), this editor's at its place now
  const sent = save.variables?.map((d) => d.id) ?? [];
  const widgetErrors = (d: Draft, i: number) => {
    const out: Record<string, string> = {};
    const take = (all: Record<string, string>, at: number) => {
      const prefix = `/widgets/${at}/`;
      for (const [k, m] of Object.entries(all)) if (k.startsWith(prefix)) out[k.slice(prefix.length).split('/')[0]] = m;
    };
    if (sent.includes(d.id)) take(server, sent.indexOf(d.id));
    take(problems, i);
    return out;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(check(name, drafts)).length) {
      focusInvalid(form.current);
      return;
    }
    save.mutate(drafts);
  };

  const change = (id: string, patch: Partial<Draft>) => setDrafts((all) => all.map((d) => (d.id === id ? { ...d, ...patch } : d)));
  const label = (d: Draft) => d.title.trim() || 'untitled widget';
  const move = (from: number, to: number) => {
    if (to < 0 || to >= drafts.length) return;
    const d = drafts[from];
    setDrafts((all) => {
      const next = [...all];
      next.splice(from, 1);
      next.splice(to, 0, d);
      return next;
    });
    setAnnouncement(`Moved ${label(d)} to position ${to + 1} of ${drafts.length}.`);
    focusNext.current = `${d.id}-${to < from ? 'up' : 'down'}`;
  };
  const remove = (i: number) => {
    const d = drafts[i];
    const rest = drafts.filter((x) => x.id !== d.id);
    setDrafts(rest);
    setAnnouncement(`Removed ${label(d)}.`);
    const neighbour = rest[i] ?? rest[i - 1];
    focusNext.current = neighbour ? `${neighbour.id}-remove` : 'add';
  };
  const add = () => {
    const d = newDraft(drafts);
    setDrafts((all) => [...all, d]);
    setAnnouncement(`Added widget ${drafts.length + 1}.`);
    focusNext.current = `${d.id}-title`;
  };
  const widgetsError = fields['/widgets'];

  return (
    <Card title={dashboard ? `Edit “${dashboard.name}”` : 'New dashboard'}>
      <form ref={form} className="grid gap-3 sm:grid-cols-2" onSubmit={submit} noValidate>
        <Field label="Name" error={fields['/name']}>
          {(p) => <TextInput {...p} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Description (optional)" error={fields['/description']}>
          {(p) => <TextInput {...p} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <fieldset className="min-w-0 sm:col-span-2">
          <legend className="text-sm font-medium text-slate-800">Widgets, in the order shown</legend>
          <p className="text-xs text-slate-600">Wide screens place them left to right in rows; phones show one below the other.</p>
          {widgetsError && <p className="text-sm text-red-700">{widgetsError}</p>}
          <p role="status" className="sr-only">
            {announcement}
          </p>
          {drafts.length === 0 && <p className="mt-2 text-sm text-slate-600">No widget: the dashboard will be empty.</p>}
          <ol className="mt-2 grid gap-3">
            {drafts.map((d, i) => (
              <WidgetEditor
                key={d.id}
                draft={d}
                index={i}
                count={drafts.length}
                playbooks={playbooks.data?.items ?? []}
                errors={widgetErrors(d, i)}
                onChange={(patch) => change(d.id, patch)}
                onMove={(to) => move(i, to)}
                onRemove={() => remove(i)}
              />
            ))}
          </ol>
          <Button tone="secondary" className="mt-3" data-focus="add" disabled={drafts.length >= 50} onClick={add}>
            Add widget
          </Button>
        </fieldset>
        <div className="sm:col-span-2">
          <ErrorNote error={save.error} title={dashboard ? 'Could not save the dashboard' : 'Could not create the dashboard'} />
        </div>
        <div className="flex flex-wrap gap-2 sm:col-span-2">
          <Button type="submit" busy={save.isPending}>
            {dashboard ? 'Save dashboard' : 'Create dashboard'}
          </Button>
          <Button tone="secondary" onClick={() => onDone()}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** One widget of the editor: its fields, and buttons that move it up, down or out. */
function WidgetEditor({
  draft: d,
  index,
  count,
  playbooks,
  errors,
  onChange,
  onMove,
  onRemove,
}: {
  draft: Draft;
  index: number;
  count: number;
  playbooks: { id: string; name: string }[];
  errors: Record<string, string>;
  onChange: (patch: Partial<Draft>) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const name = d.title.trim() || 'untitled widget';
  const headingId = `widget-${d.id}`;
  const small = 'min-h-10 min-w-10 rounded border border-slate-300 bg-white px-2 text-sm text-slate-800 hover:bg-slate-100 disabled:text-slate-400';
  const chooseSource = (source: Source) =>
    onChange({
      source,
      type: SOURCES[source].type,
      // a title still naming the old source follows the new one
      ...(d.title === SOURCES[d.source].label ? { title: SOURCES[source].label } : {}),
    });
  return (
    <li className={`rounded-md border p-3 ${Object.keys(errors).length ? 'border-red-400' : 'border-slate-300'}`} aria-labelledby={headingId}>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h3 id={headingId} className="min-w-0 text-sm font-semibold break-words">
          {index + 1}. {name}
        </h3>
        <div className="flex gap-2">
          <button type="button" className={small} data-focus={`${d.id}-up`} disabled={index === 0} onClick={() => onMove(index - 1)} aria-label={`Move ${name} up`}>
            ↑
          </button>
          <button
            type="button"
            className={small}
            data-focus={`${d.id}-down`}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
            aria-label={`Move ${name} down`}
          >
            ↓
          </button>
          <button type="button" className={`${small} text-red-800`} data-focus={`${d.id}-remove`} onClick={onRemove} aria-label={`Remove ${name}`}>
            Remove
          </button>
        </div>
      </div>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Title" error={errors.title}>
          {(p) => <TextInput {...p} data-focus={`${d.id}-title`} required maxLength={200} value={d.title} onChange={(e) => onChange({ title: e.target.value })} />}
        </Field>
        <Field label="Shows" error={errors.source}>
          {(p) => (
            <select {...p} className={inputClass} value={d.source} onChange={(e) => chooseSource(e.target.value as Source)}>
              {Object.entries(SOURCES).map(([k, s]) => (
                <option key={k} value={k}>
                  {s.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Drawn as" hint="Each source has its own drawing here; other clients read the type." error={errors.type}>
          {(p) => (
            <select {...p} className={inputClass} value={d.type} onChange={(e) => onChange({ type: e.target.value as WidgetType })}>
              {TYPES.map((t) => (
                <option key={t} value={t}>
                  {words(t)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Playbook"
          hint={d.source === 'variants' ? 'Required: paths are those of one playbook.' : 'Optional: every playbook on main when none is chosen.'}
          error={errors.process_id}
        >
          {(p) => (
            <select {...p} className={inputClass} value={d.process_id} onChange={(e) => onChange({ process_id: e.target.value })}>
              <option value="">{d.source === 'variants' ? 'Choose a playbook' : 'Every playbook'}</option>
              {playbooks.map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {pb.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Days covered" hint="The days before now, 1 to 366 (30 when empty)." error={errors.period_days}>
          {(p) => (
            <TextInput {...p} type="number" min={1} max={366} inputMode="numeric" value={d.days} onChange={(e) => onChange({ days: e.target.value })} />
          )}
        </Field>
        <Field label="Width on wide screens" error={errors.position ?? errors.id}>
          {(p) => (
            <select {...p} className={inputClass} value={d.w} onChange={(e) => onChange({ w: Number(e.target.value) })}>
              {WIDTHS.some(([w]) => w === d.w) || (
                <option value={d.w}>
                  {d.w} of 12 columns
                </option>
              )}
              {WIDTHS.map(([w, text]) => (
                <option key={w} value={w}>
                  {text}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </li>
  );
}
