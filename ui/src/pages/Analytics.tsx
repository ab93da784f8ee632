// Analytics: the team's measures in sections behind tabs (arrow keys, Home and End move between
// them). The section is kept in the URL (`?tab=`) with its filters; each section's code, and the
// chart library, load when the section is first shown.
import { lazy, Suspense, useEffect, useRef, useState, type ComponentType, type KeyboardEvent } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../components/ui';

const SECTIONS: { id: string; label: string; Panel: ComponentType }[] = [
  { id: 'overview', label: 'Overview', Panel: lazy(() => import('./analytics/Overview')) },
  { id: 'dashboards', label: 'Dashboards', Panel: lazy(() => import('./analytics/Dashboards')) },
  { id: 'bottlenecks', label: 'Bottlenecks', Panel: lazy(() => import('./analytics/Bottlenecks')) },
  { id: 'trends', label: 'Trends', Panel: lazy(() => import('./analytics/Trends')) },
  { id: 'anomalies', label: 'Anomalies', Panel: lazy(() => import('./analytics/Anomalies')) },
  { id: 'predictions', label: 'Predictions', Panel: lazy(() => import('./analytics/Predictions')) },
  { id: 'recommendations', label: 'Recommendations', Panel: lazy(() => import('./analytics/Recommendations')) },
  { id: 'reports', label: 'Reports', Panel: lazy(() => import('./analytics/Reports')) },
  { id: 'data', label: 'Import & export', Panel: lazy(() => import('./analytics/ImportExport')) },
];

export default function Analytics() {
  const [params, setParams] = useSearchParams();
  const inUrl = params.get('tab');
  // The tab is chosen at once (the URL follows in a navigation that waits for the section's
  // code, which would leave the old tab selected meanwhile); a URL changed from outside wins.
  const [chosen, setChosen] = useState(inUrl);
  useEffect(() => setChosen(inUrl), [inUrl]);
  const current = SECTIONS.find((s) => s.id === chosen) ?? SECTIONS[0];
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const choose = (index: number) => {
    const section = SECTIONS[(index + SECTIONS.length) % SECTIONS.length];
    setChosen(section.id);
    const next = new URLSearchParams(params);
    next.set('tab', section.id);
    setParams(next, { replace: true });
    tabs.current[SECTIONS.indexOf(section)]?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    // from the tab that has focus
    const focused = tabs.current.indexOf(e.target as HTMLButtonElement);
    const at = focused >= 0 ? focused : SECTIONS.indexOf(current);
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: SECTIONS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(to);
  };

  const { Panel } = current;
  return (
    <div>
      <PageHeader title="Analytics" />
      <div role="tablist" aria-label="Analytics sections" className="mb-4 flex flex-wrap gap-1 border-b border-slate-200" onKeyDown={onKey}>
        {SECTIONS.map((s, i) => {
          const selected = s === current;
          return (
            <button
              key={s.id}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${s.id}`}
              aria-selected={selected}
              aria-controls={`panel-${s.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => choose(i)}
              className={`-mb-px min-h-10 rounded-t-md border-b-2 px-3 py-2 text-sm ${
                selected ? 'border-indigo-700 font-semibold text-indigo-900' : 'border-transparent text-slate-700 hover:bg-slate-100'
              }`}
            >
              {s.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} tabIndex={0} className="min-w-0">
        <Suspense fallback={<p role="status" className="text-sm text-slate-600">Loading…</p>}>
          <Panel />
        </Suspense>
      </div>
    </div>
  );
}
