// Analytics: the team's measures in sections behind tabs, the section kept in the URL (`?tab=`)
// with its filters; each section's code, and the chart library, load when the section is first
// shown.
import { lazy, Suspense, type ComponentType } from 'react';
import { UrlTabs } from '../components/Tabs';
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
  return (
    <div>
      <PageHeader title="Analytics" />
      <UrlTabs
        tabs={SECTIONS}
        label="Analytics sections"
        panel={({ Panel }) => (
          <Suspense fallback={<p role="status" className="text-sm text-slate-600">Loading…</p>}>
            <Panel />
          </Suspense>
        )}
      />
    </div>
  );
}
