// Anomalies: instances and step executions whose durations are robust outliers, and running
// instances already older than their playbook's 95th percentile, largest score first.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Button, Card, Field, inputClass, Loaded } from '../../components/ui';
import { DataTable, duration, Filters, number, useAnalyticsParams, usePlaybooks, useTextParam } from './common';

const KINDS: Record<Schemas['AnomalyKind'], string> = {
  instance_duration: 'Instance duration',
  step_duration: 'Step duration',
  running_past_p95: 'Running past the 95th percentile',
};
const PAGE = 50;

export default function Anomalies() {
  const { teamId } = useTeam();
  const { processId, period, get, set } = useAnalyticsParams();
  const playbooks = usePlaybooks();
  const [raw, setRaw] = useTextParam('threshold', set, get('threshold'));
  const valid = (v: string) => (v.trim() !== '' && Number(v) >= 1 && Number(v) <= 100 ? Number(v) : undefined);
  // the query follows the URL (written when typing pauses), the field what is typed
  const threshold = valid(get('threshold'));
  const [kind, setKind] = useState<Schemas['AnomalyKind'] | ''>('');
  const [shown, setShown] = useState(PAGE);
  const anomalies = useQuery({
    queryKey: ['team', teamId, 'analytics', 'anomalies', processId, threshold, period],
    queryFn: () =>
      unwrap<Schemas['AnomalyReport']>(
        api.GET('/v1/teams/{team_id}/analytics/anomalies', {
          params: { path: { team_id: teamId! }, query: { process_id: processId || undefined, threshold, ...period } },
        }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const playbook = (id: string) => playbooks.data?.items.find((p) => p.id === id);
  const stepName = (pid: string, step?: string | null) => (step ? (playbook(pid)?.steps.find((s) => s.id === step)?.name ?? step) : '—');

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters playbook="optional" />
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Score threshold" hint="1 to 100; |score| above it is an outlier (default 3.5).">
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={100}
              step={0.5}
              inputMode="decimal"
              className={inputClass}
              value={raw}
              placeholder="3.5"
              aria-invalid={raw !== '' && valid(raw) === undefined ? true : undefined}
              onChange={(e) => setRaw(e.target.value)}
            />
          )}
        </Field>
        <Field label="Kind">
          {(p) => (
            <select {...p} className={inputClass} value={kind} onChange={(e) => (setKind(e.target.value as typeof kind), setShown(PAGE))}>
              <option value="">Every kind</option>
              {Object.entries(KINDS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Loaded query={anomalies}>
        {(d) => {
          const list = d.anomalies.filter((a) => !kind || a.kind === kind);
          const counts = Object.keys(KINDS).map((k) => [k, d.anomalies.filter((a) => a.kind === k).length] as const);
          return (
            <Card title={`${number(list.length)} anomalies`}>
              <p className="mb-3 text-sm text-slate-700">
                Threshold {number(d.threshold)}.{' '}
                {counts
                  .filter(([, n]) => n > 0)
                  .map(([k, n]) => `${KINDS[k as Schemas['AnomalyKind']]}: ${number(n)}`)
                  .join('; ') || 'Nothing stands out.'}
              </p>
              {list.length > 0 && (
                <>
                  <DataTable
                    label="Anomalies"
                    caption="Anomalies, largest score first"
                    rows={list.slice(0, shown)}
                    rowKey={(a, i) => `${i}-${a.kind}-${a.instance_id}-${a.step_id ?? ''}`}
                    columns={[
                      { header: 'Kind', cell: (a) => KINDS[a.kind] },
                      {
                        header: 'Instance',
                        cell: (a) => (
                          <Link to={`/processes/${a.instance_id}`} className="font-mono text-xs text-indigo-800 underline-offset-2 hover:underline">
                            {a.instance_id.slice(-8)}
                            <span className="sr-only"> (instance {a.instance_id})</span>
                          </Link>
                        ),
                      },
                      { header: 'Playbook', cell: (a) => playbook(a.process_id)?.name ?? 'Playbook' },
                      { header: 'Step', cell: (a) => stepName(a.process_id, a.step_id) },
                      { header: 'Duration', numeric: true, cell: (a) => duration(a.value.value) },
                      { header: 'Median', numeric: true, cell: (a) => duration(a.median.value) },
                      { header: 'Spread or 95th pct.', numeric: true, cell: (a) => duration(a.spread.value) },
                      { header: 'Score', numeric: true, cell: (a) => number(a.score) },
                      { header: 'Slower or faster', cell: (a) => (a.slow ? 'slower' : 'faster') },
                    ]}
                  />
                  {list.length > shown && (
                    <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
                      <span>
                        Showing {number(shown)} of {number(list.length)}.
                      </span>
                      <Button tone="secondary" onClick={() => setShown((n) => n + PAGE)}>
                        Show {PAGE} more
                      </Button>
                    </div>
                  )}
                </>
              )}
            </Card>
          );
        }}
      </Loaded>
    </div>
  );
}
