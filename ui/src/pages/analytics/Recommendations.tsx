// Recommendations: changes that fixed rules over each playbook's measures suggest, each with
// the numbers that triggered it.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Loaded } from '../../components/ui';
import { duration, Filters, number, percent, useAnalyticsParams, usePlaybooks, words } from './common';

const RULES: Record<string, string> = {
  single_holder_waiting: 'A waiting step whose role has one holder',
  sla_breaches: 'SLAs often breached',
  slow_variant: 'A slow path',
  failing_step: 'A failing step',
  slowing_down: 'Cycle times slowing down',
};

/** One number of the evidence, written by what its name says it is. */
function show(key: string, value: unknown, step: (id: string) => string): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? step(v) : String(v))).join(' → ');
  if (typeof value === 'number') {
    if (key.includes('seconds')) return duration(value);
    if (key.endsWith('rate') || key.startsWith('share')) return percent(value);
    if (key === 'ratio') return `${number(value)}×`;
    if (key === 'p_value') return number(value, 2);
    return number(value);
  }
  if (value && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export default function Recommendations() {
  const { teamId } = useTeam();
  const { processId, period } = useAnalyticsParams();
  const playbooks = usePlaybooks();
  const recommendations = useQuery({
    queryKey: ['team', teamId, 'analytics', 'recommendations', processId, period],
    queryFn: () =>
      unwrap<Schemas['RecommendationReport']>(
        api.GET('/v1/teams/{team_id}/analytics/recommendations', {
          params: { path: { team_id: teamId! }, query: { process_id: processId || undefined, ...period } },
        }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });

  return (
    <div className="grid grid-cols-1 gap-4">
      <Filters playbook="optional" />
      <Loaded query={recommendations} empty={(d) => (d.recommendations.length ? null : 'No rule finds anything to change. Good.')}>
        {(d) => (
          <ul className="grid grid-cols-1 gap-4">
            {d.recommendations.map((r, i) => {
              const steps = playbooks.data?.items.find((p) => p.id === r.process_id)?.steps ?? [];
              const step = (id: string) => steps.find((s) => s.id === id)?.name ?? id;
              return (
                <li key={`${r.rule}-${r.process_id}-${r.step_id ?? i}`} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                  <div className="mb-1 flex flex-wrap items-center gap-2">
                    <span
                      className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${
                        r.priority === 'high' ? 'bg-red-100 text-red-900' : 'bg-amber-100 text-amber-900'
                      }`}
                    >
                      {r.priority} priority
                    </span>
                    <span className="text-xs text-slate-700">{RULES[r.rule] ?? words(r.rule)}</span>
                  </div>
                  <h2 className="text-base font-semibold">{r.title}</h2>
                  <p className="mt-1 text-sm text-slate-800">{r.description}</p>
                  <p className="mt-1 text-sm">
                    <Link to={`/playbooks/${r.process_id}`} className="text-indigo-800 underline-offset-2 hover:underline">
                      {r.process_name}
                    </Link>
                    {r.step_id && <span className="text-slate-700"> · step {step(r.step_id)}</span>}
                  </p>
                  {Object.keys(r.evidence ?? {}).length > 0 && (
                    <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
                      {Object.entries(r.evidence as Record<string, unknown>).map(([k, v]) => (
                        <div key={k} className="contents">
                          <dt className="text-slate-700">{words(k.replace('_seconds', ''))}</dt>
                          <dd className="mb-1 break-words font-medium tabular-nums sm:mb-0">{show(k, v, step)}</dd>
                        </div>
                      ))}
                    </dl>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </Loaded>
    </div>
  );
}
