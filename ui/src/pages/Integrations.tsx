// Integrations (team admins): webhooks that receive the team's events, and the secrets automation
// steps use by name, behind two tabs kept in the URL (`?tab=secrets`).
import { useTeam } from '../api/team';
import { UrlTabs } from '../components/Tabs';
import { PageHeader, Pending } from '../components/ui';
import Secrets from './integrations/Secrets';
import Webhooks from './integrations/Webhooks';

const TABS = [
  { id: 'webhooks', label: 'Webhooks', Panel: Webhooks },
  { id: 'secrets', label: 'Secrets', Panel: Secrets },
];

export default function Integrations() {
  const { teamId, can, me } = useTeam();
  if (me.isPending)
    return (
      <div>
        <PageHeader title="Integrations" />
        <Pending reserve="min-h-60" />
      </div>
    );
  if (!teamId || !can('admin'))
    return (
      <div>
        <PageHeader title="Integrations" />
        <p className="text-sm text-slate-700">
          Webhooks and secrets are managed by the team's admins and owners. Ask one of them if an integration needs setting up or changing.
        </p>
      </div>
    );

  return (
    <div>
      <PageHeader title="Integrations" />
      <UrlTabs tabs={TABS} label="Integrations" panel={({ Panel }) => <Panel key={teamId} />} />
    </div>
  );
}
