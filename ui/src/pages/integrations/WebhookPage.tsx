// One webhook (team admins): its settings (URL, description, event types, on or off), deleting
// it, and its deliveries, newest first, each with its attempts and last answer and a replay.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { useUrlFilters } from '../../components/urlFilters';
import { Badge, Button, Card, ErrorNote, Loaded, PageHeader, Pager, Pending, when } from '../../components/ui';
import { toTypes } from './EventTypes';
import { draftOf, WebhookForm, type WebhookDraft } from './WebhookForm';
import { EventList } from './Webhooks';

export default function WebhookPage() {
  const { webhookId = '' } = useParams();
  const { teamId, can, me } = useTeam();
  const back = (
    <Link to="/integrations" className="text-sm text-indigo-800 underline">
      All webhooks
    </Link>
  );
  if (me.isPending)
    return (
      <div>
        <PageHeader title="Webhook">{back}</PageHeader>
        <Pending reserve="min-h-80" />
      </div>
    );
  if (!teamId || !can('admin'))
    return (
      <div>
        <PageHeader title="Webhook" />
        <p className="text-sm text-slate-700">Webhooks are managed by the team's admins and owners.</p>
      </div>
    );
  return <Webhook key={`${teamId}/${webhookId}`} teamId={teamId} id={webhookId} back={back} />;
}

function Webhook({ teamId, id, back }: { teamId: string; id: string; back: ReactNode }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const path = { team_id: teamId, webhook_id: id };
  const hook = useQuery({
    queryKey: ['team', teamId, 'webhooks', id],
    queryFn: () => unwrap<Schemas['Webhook']>(api.GET('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path } })),
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId, 'webhooks'] });
  const toggle = useMutation({
    mutationFn: (active: boolean) =>
      unwrap<Schemas['Webhook']>(api.PUT('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path }, body: { active } })),
    onSuccess: (w) => {
      client.setQueryData(['team', teamId, 'webhooks', id], w);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path } })),
    onSuccess: () => {
      navigate('/integrations');
      // the lists, not this webhook's own queries (gone now)
      void client.invalidateQueries({ queryKey: ['team', teamId, 'webhooks'], predicate: (q) => q.queryKey[3] !== id });
    },
  });
  const w = hook.data;
  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Webhook">{back}</PageHeader>
      <Card
        title="Endpoint"
        actions={
          // drawn disabled while loading, so the heading's row keeps its height
          <div className="flex flex-wrap gap-2">
            <Button tone="secondary" disabled={!w} busy={toggle.isPending} onClick={() => w && toggle.mutate(!w.active)}>
              {w && !w.active ? 'Activate' : 'Deactivate'}
            </Button>
            <Button
              tone="danger"
              disabled={!w}
              busy={remove.isPending}
              onClick={() => {
                if (w && window.confirm(`Delete the webhook to ${w.url}? Its deliveries are deleted with it and nothing more is sent.`)) remove.mutate();
              }}
            >
              Delete
            </Button>
          </div>
        }
      >
        <ErrorNote error={toggle.error ?? remove.error} title="Could not change the webhook" />
        {/* the details' height: wrapped lines on a phone */}
        <Loaded query={hook} reserve="min-h-52 sm:min-h-40">
          {(w) => (
            <dl className="grid grid-cols-[6rem_1fr] gap-x-3 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
              <dt className="font-medium">URL</dt>
              <dd className="min-w-0 break-all">{w.url}</dd>
              <dt className="font-medium">State</dt>
              <dd>
                <Badge value={w.active ? 'active' : 'inactive'} />
                {!w.active && <span className="ml-2 text-slate-700">Nothing is sent while it is inactive.</span>}
              </dd>
              <dt className="font-medium">Events</dt>
              <dd className="min-w-0 break-words">
                <EventList types={w.event_types} />
              </dd>
              {w.description && (
                <>
                  <dt className="font-medium">Description</dt>
                  <dd className="min-w-0 break-words">{w.description}</dd>
                </>
              )}
              <dt className="font-medium">Registered</dt>
              <dd>{when(w.created_at)}</dd>
              <dt className="font-medium">Changed</dt>
              <dd>{when(w.updated_at)}</dd>
            </dl>
          )}
        </Loaded>
      </Card>
      {w ? (
        <Edit teamId={teamId} webhook={w} />
      ) : (
        <Card title="Settings">
          <EditIntro onEdit={() => {}} disabled />
        </Card>
      )}
      <Deliveries teamId={teamId} id={id} />
    </div>
  );
}

/** The endpoint's settings, edited behind a disclosure; a change made elsewhere never overwrites typing. */
const same = (a: WebhookDraft, b: WebhookDraft) =>
  a.url === b.url && a.description === b.description && toTypes(a.types).join() === toTypes(b.types).join();

function Edit({ teamId, webhook: w }: { teamId: string; webhook: Schemas['Webhook'] }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  // the form was closed by its own buttons (not on first showing)
  const [returned, setReturned] = useState(false);
  const close = () => {
    setOpen(false);
    setReturned(true);
  };
  const [draft, setDraft] = useState<WebhookDraft>(() => draftOf(w));
  // what the form started from: the stored webhook as last loaded
  const base = useRef<WebhookDraft>(draftOf(w));
  // the stored webhook changed: take it over unless something was typed
  useEffect(() => {
    const loaded = draftOf(w);
    const old = base.current;
    base.current = loaded;
    setDraft((d) => (same(d, old) ? loaded : d));
  }, [w]);
  const save = useMutation({
    mutationFn: (body: Schemas['WebhookUpdate']) =>
      unwrap<Schemas['Webhook']>(
        api.PUT('/v1/teams/{team_id}/webhooks/{webhook_id}', { params: { path: { team_id: teamId, webhook_id: w.id } }, body }),
      ),
    onSuccess: (saved) => {
      setDraft(draftOf(saved));
      client.setQueryData(['team', teamId, 'webhooks', w.id], saved);
      void client.invalidateQueries({ queryKey: ['team', teamId, 'webhooks'] });
      close();
    },
  });
  return (
    <Card title="Settings">
      {open ? (
        <WebhookForm
          draft={draft}
          setDraft={setDraft}
          save={(body) => save.mutate(body)}
          busy={save.isPending}
          error={save.error}
          submitLabel="Save changes"
          errorTitle="Could not save the webhook"
          extra={
            <Button
              tone="secondary"
              onClick={() => {
                setDraft(base.current);
                close();
              }}
            >
              Cancel
            </Button>
          }
        />
      ) : (
        <EditIntro
          saved={save.isSuccess}
          focus={returned}
          onEdit={() => {
            save.reset();
            setOpen(true);
          }}
        />
      )}
    </Card>
  );
}

/** The settings' summary; `focus` puts focus on its button (back from the form, keyboard users keep their place). */
function EditIntro({ saved, onEdit, disabled, focus }: { saved?: boolean; onEdit: () => void; disabled?: boolean; focus?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) box.current?.querySelector('button')?.focus();
  }, [focus]);
  return (
    <div ref={box} className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
      <p className="text-sm text-slate-700">
        {saved ? <span role="status">Saved. </span> : null}
        Change the URL, the description or the event types. The signing secret stays the same.
      </p>
      <Button tone="secondary" disabled={disabled} onClick={onEdit} className="shrink-0">
        Edit settings
      </Button>
    </div>
  );
}

function Deliveries({ teamId, id }: { teamId: string; id: string }) {
  const client = useQueryClient();
  const { page, set } = useUrlFilters();
  const deliveries = useQuery({
    queryKey: ['team', teamId, 'webhooks', id, 'deliveries', { page }],
    queryFn: () =>
      unwrapPage<Schemas['WebhookDelivery']>(
        api.GET('/v1/teams/{team_id}/webhooks/{webhook_id}/deliveries', {
          params: { path: { team_id: teamId, webhook_id: id }, query: { page, page_size: 20 } },
        }),
      ),
    placeholderData: (previous) => previous,
    // attempts are not events: while one is queued, look again every few seconds
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'pending') ? 3000 : false),
  });
  const replay = useMutation({
    mutationFn: (delivery: string) =>
      unwrap<Schemas['WebhookDelivery']>(
        api.POST('/v1/teams/{team_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/replay', {
          params: { path: { team_id: teamId, webhook_id: id, delivery_id: delivery } },
        }),
      ),
    onSuccess: (d) => {
      setSaid(`The delivery of event #${d.event_seq} is queued to be sent again.`);
      void client.invalidateQueries({ queryKey: ['team', teamId, 'webhooks', id, 'deliveries'] });
    },
  });
  const [said, setSaid] = useState('');
  return (
    <Card
      title={`Deliveries${deliveries.data?.pagination ? ` (${deliveries.data.pagination.total_count})` : ''}`}
      actions={
        <Button tone="secondary" busy={deliveries.isFetching && !deliveries.isPending} onClick={() => void deliveries.refetch()}>
          Refresh
        </Button>
      }
    >
      <p className="mb-3 text-sm text-slate-700">
        One per event sent to this endpoint, newest first. A failed attempt is retried on its own (10 s, doubling, up to 8 attempts); Replay sends a
        delivered or failed one again now.
      </p>
      <p role="status" className="mb-2 min-h-5 text-sm text-slate-800">
        {said}
      </p>
      <ErrorNote error={replay.error} title="Could not replay the delivery" />
      <Loaded
        query={deliveries}
        reserve="min-h-48"
        empty={(d) => (d.items.length ? null : 'Nothing delivered yet. Events the webhook listens to are sent within seconds of happening.')}
      >
        {(d) => (
          <>
            <ul className="divide-y divide-slate-100">
              {d.items.map((x) => (
                <li key={x.id} className="flex flex-col gap-2 py-3 text-sm sm:flex-row sm:items-start sm:justify-between">
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2">
                      <Badge value={x.status} />
                      <code className="break-all font-medium">{x.event_type}</code>
                      <span className="text-slate-700">event #{x.event_seq}</span>
                    </p>
                    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-slate-700 sm:grid-cols-[auto_1fr_auto_1fr]">
                      <dt>Attempts</dt>
                      <dd>{x.attempts}</dd>
                      <dt>Answer</dt>
                      <dd>{x.response_status ?? '—'}</dd>
                      <dt>Last attempt</dt>
                      <dd>{when(x.last_attempt_at)}</dd>
                      <dt>Next attempt</dt>
                      <dd>{when(x.next_attempt_at)}</dd>
                    </dl>
                    {x.error && <p className="mt-1 break-words text-red-800">{x.error}</p>}
                    {x.response_body && (
                      <details className="mt-1">
                        <summary className="cursor-pointer text-indigo-800">Answer's body</summary>
                        <pre className="mt-1 max-h-40 overflow-auto rounded bg-slate-50 p-2 text-xs break-all whitespace-pre-wrap">{x.response_body}</pre>
                      </details>
                    )}
                  </div>
                  <div className="shrink-0">
                    <Replay
                      queued={x.status === 'pending'}
                      sending={replay.isPending && replay.variables === x.id}
                      seq={x.event_seq}
                      onReplay={() => replay.mutate(x.id)}
                    />
                  </div>
                </li>
              ))}
            </ul>
            <Pager pagination={d.pagination} onPage={(p) => set('page', String(p))} label="Pages of deliveries" />
          </>
        )}
      </Loaded>
    </Card>
  );
}

/**
 * A delivery's Replay button; while the delivery is queued (a replay sent, a retry due) it says
 * so and does nothing. It stays one focusable button throughout, so focus is not lost.
 */
function Replay({ queued, sending, seq, onReplay }: { queued: boolean; sending: boolean; seq: number; onReplay: () => void }) {
  const idle = !queued && !sending;
  return (
    <Button
      tone="secondary"
      aria-disabled={!idle || undefined}
      aria-busy={sending || undefined}
      className="aria-disabled:cursor-not-allowed"
      onClick={() => idle && onReplay()}
    >
      {queued ? 'Queued' : 'Replay'}
      <span className="sr-only"> delivery of event #{seq}</span>
    </Button>
  );
}
