// The Webhooks tab: the team's endpoints, registering one (its signing secret shown once),
// turning one on or off and deleting one; each links to its page (settings and deliveries).
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { useFocusOnClose } from '../../components/focus';
import { ShownOnce } from '../../components/ShownOnce';
import { Badge, Button, ButtonLink, Card, ErrorNote, Loaded, Pager, when } from '../../components/ui';
import { draftOf, WebhookForm } from './WebhookForm';

export const webhookPath = (id: string) => `/integrations/webhooks/${id}`;

export default function Webhooks() {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['team', teamId, 'webhooks', { page }],
    queryFn: () =>
      unwrapPage<Schemas['Webhook']>(
        api.GET('/v1/teams/{team_id}/webhooks', { params: { path: { team_id: teamId! }, query: { page, page_size: 20 } } }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId, 'webhooks'] });
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(draftOf());
  const [created, setCreated] = useState<Schemas['CreatedWebhook'] | null>(null);
  const create = useMutation({
    mutationFn: (body: Schemas['NewWebhook']) =>
      unwrap<Schemas['CreatedWebhook']>(api.POST('/v1/teams/{team_id}/webhooks', { params: { path: { team_id: teamId! } }, body })),
    // the answer holds the signing secret: not kept once nothing shows it
    gcTime: 0,
    onSuccess: (w) => {
      setCreated(w);
      setDraft(draftOf());
      setOpen(false);
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      unwrap<Schemas['Webhook']>(
        api.PUT('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path: { team_id: teamId!, webhook_id: id } }, body: { active } }),
      ),
    onSuccess: () => void refresh(),
  });
  // the form or the secret closed: focus goes back to the button that opened the form
  useFocusOnClose(open || !!created, 'new-webhook');
  const remove = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path: { team_id: teamId!, webhook_id: id } } })),
    onSuccess: () => void refresh(),
  });

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-slate-700">
        Each event a webhook listens to is sent to its URL as a POST of the event (JSON), signed in the{' '}
        <code>Orgata-Signature</code> header: <code className="break-all">t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</code>. An
        answer other than 2xx is retried with backoff (10 s, doubling, up to 8 attempts).
      </p>
      {created ? (
        <SecretOnce
          created={created}
          onDone={() => {
            setCreated(null);
            create.reset();
          }}
        />
      ) : open ? (
        <Card title="Register a webhook">
          <WebhookForm
            draft={draft}
            setDraft={setDraft}
            save={(body) => create.mutate(body)}
            busy={create.isPending}
            error={create.error}
            submitLabel="Register webhook"
            errorTitle="Could not register the webhook"
            extra={
              <Button tone="secondary" onClick={() => setOpen(false)}>
                Cancel
              </Button>
            }
          />
        </Card>
      ) : (
        <div>
          <Button id="new-webhook" onClick={() => setOpen(true)}>
            New webhook
          </Button>
        </div>
      )}
      <Card title={`Webhooks${list.data?.pagination ? ` (${list.data.pagination.total_count})` : ''}`}>
        <ErrorNote error={update.error ?? remove.error} title="Could not change the webhook" />
        {/* about two endpoints' rows */}
        <Loaded query={list} reserve="min-h-40" empty={(d) => (d.items.length ? null : 'The team has no webhook yet.')}>
          {(d) => (
            <>
              <ul className="divide-y divide-slate-100">
                {d.items.map((w) => (
                  <li key={w.id} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-start sm:justify-between">
                    <div className="min-w-0 text-sm">
                      <p className="flex flex-wrap items-center gap-2">
                        <Link to={webhookPath(w.id)} className="font-medium break-all text-indigo-800 underline">
                          {w.url}
                        </Link>
                        <Badge value={w.active ? 'active' : 'inactive'} />
                      </p>
                      {w.description && <p className="break-words text-slate-700">{w.description}</p>}
                      <p className="break-words text-slate-700">
                        Events: <EventList types={w.event_types} />
                      </p>
                      <p className="text-slate-600">Registered {when(w.created_at)}</p>
                    </div>
                    <div className="flex shrink-0 flex-wrap gap-2">
                      <ButtonLink to={webhookPath(w.id)}>
                        Deliveries<span className="sr-only"> and settings of {w.url}</span>
                      </ButtonLink>
                      <Button
                        tone="secondary"
                        busy={update.isPending && update.variables?.id === w.id}
                        onClick={() => update.mutate({ id: w.id, active: !w.active })}
                      >
                        {w.active ? 'Deactivate' : 'Activate'}
                        <span className="sr-only"> {w.url}</span>
                      </Button>
                      <Button
                        tone="secondary"
                        busy={remove.isPending && remove.variables === w.id}
                        onClick={() => {
                          if (window.confirm(`Delete the webhook to ${w.url}? Its deliveries are deleted with it and nothing more is sent.`))
                            remove.mutate(w.id);
                        }}
                      >
                        Delete<span className="sr-only"> {w.url}</span>
                      </Button>
                    </div>
                  </li>
                ))}
              </ul>
              <Pager pagination={d.pagination} onPage={setPage} label="Pages of webhooks" />
            </>
          )}
        </Loaded>
      </Card>
    </div>
  );
}

/** Event types as code, comma-separated. */
export function EventList({ types }: { types: string[] }) {
  return (
    <>
      {types.map((t, i) => (
        <span key={t}>
          {i > 0 && ', '}
          <code className="break-words">{t}</code>
        </span>
      ))}
    </>
  );
}

/** The new webhook's signing secret, this once. */
function SecretOnce({ created, onDone }: { created: Schemas['CreatedWebhook']; onDone: () => void }) {
  return (
    <ShownOnce
      title="Webhook registered: copy its signing secret now"
      value={created.secret}
      noun="secret"
      valueId="webhook-secret"
      onDone={onDone}
      actions={<ButtonLink to={webhookPath(created.id)}>Open the webhook</ButtonLink>}
    >
      <p>
        You won't see this secret again. Store it with the receiver at <span className="break-all">{created.url}</span>: it checks each
        delivery's <code>Orgata-Signature</code> with it. If it is lost, delete the webhook and register it again.
      </p>
    </ShownOnce>
  );
}
