// Dashboards: the team's saved dashboards, each widget answered now by its analytics query and
// drawn by what it shows; editors create one from a choice of sources, and delete them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Button, Card, ErrorNote, Field, inputClass, Loaded, TextInput, when } from '../../components/ui';
import { TrendFigure, trendTitle } from './Trends';
import { duration, measure, num, number, percent, seconds, TableBox, td, th, usePlaybooks, words } from './common';

const SOURCES: { source: Schemas['AnalyticsSource']; type: Schemas['WidgetType']; label: string }[] = [
  { source: 'performance', type: 'metric', label: 'Performance' },
  { source: 'trends', type: 'chart', label: 'Trends' },
  { source: 'processes', type: 'table', label: 'Each playbook' },
  { source: 'sla', type: 'table', label: 'SLA breaches' },
  { source: 'anomalies', type: 'list', label: 'Anomalies' },
  { source: 'predictions', type: 'list', label: 'Predictions' },
  { source: 'recommendations', type: 'list', label: 'Recommendations' },
  { source: 'users', type: 'table', label: 'People' },
  { source: 'variants', type: 'table', label: 'Paths taken (needs a playbook)' },
];
// literal class names, so the stylesheet has them: a widget's width on the 12-column grid
const SPAN = ['', 'lg:col-span-1', 'lg:col-span-2', 'lg:col-span-3', 'lg:col-span-4', 'lg:col-span-5', 'lg:col-span-6', 'lg:col-span-7', 'lg:col-span-8', 'lg:col-span-9', 'lg:col-span-10', 'lg:col-span-11', 'lg:col-span-12'];

export default function Dashboards() {
  const { teamId, can } = useTeam();
  const [chosen, setChosen] = useState('');
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
      {can('editor') && <NewDashboard onCreated={setChosen} />}
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
      {dashboard && <DashboardView dashboard={dashboard} onDeleted={() => setChosen('')} />}
    </div>
  );
}

function DashboardView({ dashboard, onDeleted }: { dashboard: Schemas['Dashboard']; onDeleted: () => void }) {
  const { teamId, can } = useTeam();
  const client = useQueryClient();
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
      onDeleted();
      void client.invalidateQueries({ queryKey: ['team', teamId, 'dashboards'] });
    },
  });
  const widgets = [...dashboard.widgets].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
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
          <Button
            tone="danger"
            busy={remove.isPending}
            onClick={() => {
              if (confirm(`Delete the dashboard “${dashboard.name}”?`)) remove.mutate();
            }}
          >
            Delete dashboard
          </Button>
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
        <TableBox label={widget.title}>
          <thead>
            <tr>
              <th className={th}>Playbook</th>
              <th className={`${th} text-right`}>Instances</th>
              <th className={`${th} text-right`}>Completion</th>
              <th className={`${th} text-right`}>Median cycle</th>
            </tr>
          </thead>
          <tbody>
            {p.playbooks.map((x) => (
              <tr key={x.process_id}>
                <td className={td}>{x.name}</td>
                <td className={num}>{number(x.metrics.total_executions)}</td>
                <td className={num}>{percent(x.metrics.completion_rate)}</td>
                <td className={num}>{duration(seconds(x.metrics.median_duration))}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
      );
    }
    case 'sla': {
      const s = data as SlaData;
      return (
        <TableBox label={widget.title}>
          <thead>
            <tr>
              <th className={th}>Playbook</th>
              <th className={`${th} text-right`}>Instances</th>
              <th className={`${th} text-right`}>Breach rate</th>
            </tr>
          </thead>
          <tbody>
            {s.playbooks.map((x) => (
              <tr key={x.process_id}>
                <td className={td}>{x.name}</td>
                <td className={num}>{number(x.total_executions)}</td>
                <td className={num}>{percent(x.sla_breach_rate)}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
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
        <TableBox label={widget.title}>
          <thead>
            <tr>
              <th className={th}>Member</th>
              <th className={`${th} text-right`}>Completed</th>
              <th className={`${th} text-right`}>Open</th>
              <th className={`${th} text-right`}>Overdue</th>
            </tr>
          </thead>
          <tbody>
            {u.users.map((x) => (
              <tr key={x.user_id}>
                <td className={td}>{x.display_name ?? x.email}</td>
                <td className={num}>{number(x.tasks_completed)}</td>
                <td className={num}>{number(x.open_tasks)}</td>
                <td className={num}>{number(x.overdue)}</td>
              </tr>
            ))}
          </tbody>
        </TableBox>
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

function NewDashboard({ onCreated }: { onCreated: (id: string) => void }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [processId, setProcessId] = useState('');
  const [days, setDays] = useState('30');
  const [sources, setSources] = useState<Schemas['AnalyticsSource'][]>(['performance', 'trends']);
  const create = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Dashboard']>(
        api.POST('/v1/teams/{team_id}/dashboards', {
          params: { path: { team_id: teamId! } },
          body: {
            name,
            description,
            widgets: SOURCES.filter((s) => sources.includes(s.source)).map((s, i) => ({
              type: s.type,
              title: s.label.replace(' (needs a playbook)', ''),
              source: s.source,
              process_id: processId || null,
              period_days: days ? Number(days) : null,
              // two a row on wide screens, in the order listed
              position: { x: (i % 2) * 6, y: Math.floor(i / 2) * 4, w: 6, h: 4 },
            })),
          },
        }),
      ),
    onSuccess: (d) => {
      setOpen(false);
      setName('');
      onCreated(d.id);
      void client.invalidateQueries({ queryKey: ['team', teamId, 'dashboards'] });
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const widgetError = Object.entries(fields).find(([k]) => k.startsWith('/widgets'))?.[1];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  if (!open)
    return (
      <div>
        <Button onClick={() => setOpen(true)}>New dashboard</Button>
      </div>
    );
  return (
    <Card title="New dashboard">
      <form className="grid gap-3 sm:grid-cols-2" onSubmit={submit} noValidate>
        <Field label="Name" error={fields['/name']}>
          {(p) => <TextInput {...p} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Description (optional)" error={fields['/description']}>
          {(p) => <TextInput {...p} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <Field label="Playbook" hint="Optional: every playbook on main when none is chosen.">
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
        <Field label="Days covered" hint="The days before now each widget covers, 1 to 366.">
          {(p) => <TextInput {...p} type="number" min={1} max={366} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <fieldset className="sm:col-span-2">
          <legend className="text-sm font-medium text-slate-800">Widgets</legend>
          <div className="mt-1 grid grid-cols-1 gap-1 min-[420px]:grid-cols-2 sm:grid-cols-3">
            {SOURCES.map((s) => (
              <label key={s.source} className="flex min-h-10 items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  className="h-5 w-5"
                  checked={sources.includes(s.source)}
                  onChange={(e) => setSources((now) => (e.target.checked ? [...now, s.source] : now.filter((x) => x !== s.source)))}
                />
                {s.label}
              </label>
            ))}
          </div>
          {widgetError && <p className="text-sm text-red-700">{widgetError}</p>}
        </fieldset>
        <div className="sm:col-span-2">
          <ErrorNote error={create.error} title="Could not create the dashboard" />
        </div>
        <div className="flex flex-wrap gap-2 sm:col-span-2">
          <Button type="submit" busy={create.isPending}>
            Create dashboard
          </Button>
          <Button tone="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
