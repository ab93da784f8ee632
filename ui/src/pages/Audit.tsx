// The audit trail (team admins): every entry with its type, actor, entity, time and door (`via`),
// filtered by entity and actor in the URL, and whether the team's hash chain verifies — and, if
// not, where it first breaks.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { Button, Card, ErrorNote, Field, inputClass, Loaded, PageHeader, Pager, TextInput, when } from '../components/ui';
import { useTextParam, useUrlFilters } from '../components/urlFilters';

const PAGE_SIZE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENTITY_TYPES = [
  'team',
  'member',
  'user',
  'role',
  'playbook',
  'process',
  'process_instance',
  'step',
  'task',
  'proposal',
  'document',
  'rule',
  'report',
  'dashboard',
  'webhook',
];


/** Where an entry's entity lives in the app, when it has a page. */
function entityPath(e: Schemas['AuditEntry']): string | null {
  const data = (e.data ?? {}) as Record<string, unknown>;
  switch (e.entity.type) {
    case 'process_instance':
      return `/processes/${e.entity.id}`;
    case 'task':
      return `/tasks/${e.entity.id}`;
    case 'playbook':
    case 'process':
      return `/playbooks/${e.entity.id}`;
    case 'proposal':
      return `/proposals/${e.entity.id}`;
    case 'step':
      return typeof data.process_instance_id === 'string' ? `/processes/${data.process_instance_id}` : null;
    default:
      return null;
  }
}

export default function Audit() {
  const { teamId, can, me, membership } = useTeam();
  if (me.isPending) return <p role="status" className="text-sm text-slate-600">Loading…</p>;
  if (!can('admin'))
    return (
      <div>
        <PageHeader title="Audit trail" />
        <Card>
          <p className="text-sm text-slate-800">
            The audit trail is open to team admins and owners. You are {membership ? `${/^[aeiou]/.test(membership.access_role) ? 'an' : 'a'} ${membership.access_role}` : 'not a member'}{' '}
            of {membership?.team_name ?? 'this team'}: ask one of its admins for access.
          </p>
        </Card>
      </div>
    );
  return <Trail teamId={teamId!} />;
}

function Trail({ teamId }: { teamId: string }) {
  const { get, set, page } = useUrlFilters();
  const [, setParams] = useSearchParams();
  const entityType = get('entity_type');
  const entityId = get('entity_id');
  const actorId = get('actor_id');
  // typed text goes to the URL when typing pauses
  const [typeText, setTypeText] = useTextParam('entity_type', set, entityType);
  const [idText, setIdText] = useTextParam('entity_id', set, entityId);
  const badEntity = entityId !== '' && !UUID.test(entityId.trim());
  const badActor = actorId !== '' && !UUID.test(actorId.trim());

  const verify = useQuery({
    queryKey: ['team', teamId, 'audit-verify'],
    queryFn: () => unwrap<Schemas['AuditVerification']>(api.GET('/v1/teams/{team_id}/audit/verify', { params: { path: { team_id: teamId } } })),
  });
  const members = useMembers(teamId);
  const entries = useQuery({
    queryKey: ['team', teamId, 'audit', { entityType, entityId, actorId, page }],
    queryFn: () =>
      unwrapPage<Schemas['AuditEntry']>(
        api.GET('/v1/teams/{team_id}/audit', {
          params: {
            path: { team_id: teamId },
            query: {
              entity_type: entityType.trim() || undefined,
              entity_id: entityId.trim() || undefined,
              actor_id: actorId.trim() || undefined,
              page,
              page_size: PAGE_SIZE,
            },
          },
        }),
      ),
    enabled: !badEntity && !badActor,
    placeholderData: (previous) => previous,
  });
  const who = (actor: Schemas['EventActor']) => {
    if (!actor.id) return actor.type === 'system' ? 'The system' : actor.type;
    return members.nameOf(actor.id) ?? `${actor.type} ${actor.id.slice(-8)}`;
  };
  const broken = verify.data?.first_broken;
  // the entry to scroll to once its page has loaded
  const [target, setTarget] = useState<number | null>(null);
  const reveal = (seq: number, total: number) => {
    // unfiltered, newest first, and seq runs 1..total without gaps: so its page is known
    setParams(new URLSearchParams({ page: String(Math.floor(Math.max(0, total - seq) / PAGE_SIZE) + 1) }), { replace: true });
    setTarget(seq);
  };
  useEffect(() => {
    if (target == null) return;
    const el = document.getElementById(`entry-${target}`);
    if (!el) return;
    el.scrollIntoView({ block: 'center' });
    el.focus();
    setTarget(null);
  }, [target, entries.data]);

  return (
    <div>
      <PageHeader title="Audit trail">
        <Button tone="secondary" busy={verify.isFetching} onClick={() => void verify.refetch()}>
          Verify again
        </Button>
      </PageHeader>
      <div className="grid grid-cols-1 gap-4">
        <Card title="Chain verification">
          {/* the verdict's usual height: a line on a wide screen, three on a phone */}
          <Loaded query={verify} reserve="min-h-15 sm:min-h-10 xl:min-h-5">
            {(v) =>
              v.intact ? (
                <p role="status" className="flex items-start gap-2 text-sm text-green-900">
                  <span aria-hidden="true" className="font-bold">
                    ✓
                  </span>
                  <span>
                    <strong>The chain verifies.</strong> All {v.checked.toLocaleString()} entries are intact: each one's hash matches its contents
                    and the entry before it.
                  </span>
                </p>
              ) : (
                <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
                  <p className="font-semibold">
                    <span aria-hidden="true">✗ </span>The chain does not verify.
                  </p>
                  {v.first_broken ? (
                    <p>
                      It first breaks at entry #{v.first_broken.seq}
                      {v.first_broken.event_id && (
                        <>
                          {' '}
                          (event <code className="break-all">{v.first_broken.event_id}</code>)
                        </>
                      )}
                      : {v.first_broken.reason}. That entry, or the one it follows, was changed or removed after it was written. Only the first break is
                      reported; {v.checked.toLocaleString()} entries were checked.
                    </p>
                  ) : (
                    <p>{v.checked.toLocaleString()} entries were checked.</p>
                  )}
                  {v.first_broken && (
                    <Button tone="secondary" className="mt-2" onClick={() => reveal(v.first_broken!.seq, v.checked)}>
                      Show entry #{v.first_broken.seq}
                    </Button>
                  )}
                </div>
              )
            }
          </Loaded>
        </Card>
        <Card title="Entries">
          <form className="mb-4 grid gap-3 sm:grid-cols-3" role="search" aria-label="Filter entries" onSubmit={(e) => e.preventDefault()}>
            <Field label="Entity type">
              {(p) => (
                <>
                  <TextInput {...p} list="audit-entity-types" value={typeText} autoComplete="off" onChange={(e) => setTypeText(e.target.value)} />
                  <datalist id="audit-entity-types">
                    {ENTITY_TYPES.map((t) => (
                      <option key={t} value={t} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
            <Field label="Entity id" error={badEntity ? 'An entity id is a UUID.' : undefined}>
              {(p) => <TextInput {...p} value={idText} spellCheck={false} autoComplete="off" onChange={(e) => setIdText(e.target.value)} />}
            </Field>
            <Field label="Actor" error={badActor ? 'An actor id is a UUID.' : undefined}>
              {(p) => (
                <select {...p} className={inputClass} value={actorId} onChange={(e) => set('actor_id', e.target.value)}>
                  <option value="">Anyone</option>
                  {members.data?.items
                    .filter((m) => m.user_id)
                    .map((m) => (
                      <option key={m.user_id} value={m.user_id!}>
                        {m.display_name ?? m.email}
                        {m.kind === 'agent' ? ' (agent)' : ''}
                      </option>
                    ))}
                  {actorId && !members.data?.items.some((m) => m.user_id === actorId) && <option value={actorId}>{actorId}</option>}
                </select>
              )}
            </Field>
          </form>
          <p className="mb-2 text-sm text-slate-700" aria-live="polite">
            {badEntity || badActor || !entries.data
              ? ''
              : entries.data.items.length === 0
                ? 'No entry matches.'
                : `${(entries.data.pagination?.total_count ?? entries.data.items.length).toLocaleString()} entries, newest first.`}
          </p>
          {badEntity || badActor ? null : (
            <Loaded query={entries}>
              {(d) => (
                <>
                  <ol className="divide-y divide-slate-100">
                    {d.items.map((e) => {
                      const path = entityPath(e);
                      const state = broken && e.seq === broken.seq ? 'breaks' : null;
                      return (
                        <li key={e.id} id={`entry-${e.seq}`} tabIndex={-1} className={`py-3 ${state === 'breaks' ? 'bg-red-50' : ''}`}>
                          <div className="grid gap-1 sm:grid-cols-[minmax(0,2fr)_minmax(0,2fr)_minmax(0,1fr)] sm:items-start sm:gap-3">
                            <div className="min-w-0">
                              <span className="font-mono text-xs text-slate-600">#{e.seq}</span>{' '}
                              <span className="font-medium break-words">{e.type}</span>
                              {state === 'breaks' && <span className="ml-2 rounded bg-red-700 px-2 py-0.5 text-xs font-medium text-white">chain breaks here</span>}
                              <span className="block text-sm text-slate-700">
                                by {who(e.actor)}
                                {e.actor.type !== 'user' && e.actor.id ? ` (${e.actor.type})` : ''} · via {e.via ?? 'REST'}
                              </span>
                            </div>
                            <div className="min-w-0 text-sm">
                              <span className="text-slate-700">{e.entity.type.replaceAll('_', ' ')} </span>
                              {path ? (
                                <Link to={path} className="font-mono text-xs break-all text-indigo-800 underline-offset-2 hover:underline">
                                  {e.entity.id}
                                </Link>
                              ) : (
                                <span className="font-mono text-xs break-all">{e.entity.id}</span>
                              )}
                            </div>
                            <time dateTime={e.occurred_at} className="text-sm text-slate-700">
                              {when(e.occurred_at)}
                            </time>
                          </div>
                          <details className="mt-1 text-sm">
                            <summary className="cursor-pointer text-slate-700">
                              Details<span className="sr-only"> of entry #{e.seq}</span>
                            </summary>
                            <dl className="mt-2 grid gap-x-3 gap-y-1 text-xs sm:grid-cols-[max-content_minmax(0,1fr)]">
                              <dt className="font-medium">Request</dt>
                              <dd className="font-mono break-all">{e.request_id ?? '—'}</dd>
                              <dt className="font-medium">Address</dt>
                              <dd className="break-all">{e.ip_address ?? '—'}</dd>
                              <dt className="font-medium">Client</dt>
                              <dd className="break-all">{e.user_agent ?? '—'}</dd>
                              <dt className="font-medium">Hash</dt>
                              <dd className="font-mono break-all">{e.hash}</dd>
                              <dt className="font-medium">Previous hash</dt>
                              <dd className="font-mono break-all">{e.prev_hash}</dd>
                              <dt className="font-medium">Data</dt>
                              <dd>
                                <pre className="max-w-full overflow-x-auto rounded bg-slate-50 p-2 whitespace-pre-wrap break-all">{JSON.stringify(e.data, null, 2)}</pre>
                              </dd>
                            </dl>
                          </details>
                        </li>
                      );
                    })}
                  </ol>
                  <Pager pagination={d.pagination} onPage={(n) => set('page', String(n))} />
                </>
              )}
            </Loaded>
          )}
          <ErrorNote error={members.error} title="Could not load the team's members" />
        </Card>
      </div>
    </div>
  );
}
