// Team settings: name and time zone (owners), members with their access roles and business roles
// and pending invitations, AI agents, the business roles steps are assigned to (admins), branch
// protection and deleting the team (owners); everyone else reads.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useRoleName, useRoles } from '../api/queries';
import { chooseTeam, useMembers, useTeam } from '../api/team';
import { focusInvalid } from '../components/focus';
import { After, Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, TextInput, inputClass, when } from '../components/ui';
import Agents from './team/Agents';
import BranchProtection from './team/BranchProtection';

const ACCESS: Schemas['AccessRole'][] = ['viewer', 'member', 'editor', 'admin', 'owner'];

export default function TeamSettings() {
  const { teamId, can } = useTeam();
  const admin = can('admin');
  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Team settings">
        <Link to="/teams/new" className="text-sm text-indigo-800 underline">
          Create another team
        </Link>
      </PageHeader>
      {teamId && (
        <>
          <General teamId={teamId} owner={can('owner')} />
          <Members teamId={teamId} admin={admin} />
          <Agents teamId={teamId} admin={admin} />
          <Roles teamId={teamId} admin={admin} />
          <BranchProtection teamId={teamId} owner={can('owner')} />
          {can('owner') && <DeleteTeam teamId={teamId} />}
        </>
      )}
    </div>
  );
}

function General({ teamId, owner }: { teamId: string; owner: boolean }) {
  const client = useQueryClient();
  const team = useQuery({
    queryKey: ['team', teamId, 'self'],
    queryFn: () => unwrap<Schemas['Team']>(api.GET('/v1/teams/{team_id}', { params: { path: { team_id: teamId } } })),
  });
  const [form, setForm] = useState({ name: '', description: '', timezone: 'UTC' });
  useEffect(() => {
    if (team.data)
      setForm({ name: team.data.name, description: team.data.description, timezone: team.data.settings.timezone ?? 'UTC' });
  }, [team.data]);
  const save = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Team']>(
        api.PUT('/v1/teams/{team_id}', {
          params: { path: { team_id: teamId } },
          body: { name: form.name, description: form.description, settings: { ...team.data!.settings, timezone: form.timezone as Schemas['TimeZoneName'] } },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['team', teamId] });
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const organization = useQuery({
    queryKey: ['organization', team.data?.organization_id],
    queryFn: () =>
      unwrap<Schemas['Organization']>(
        api.GET('/v1/organizations/{organization_id}', { params: { path: { organization_id: team.data!.organization_id } } }),
      ),
    enabled: !!team.data,
    staleTime: 5 * 60_000,
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card title={organization.data ? `Team, of ${organization.data.name}` : 'Team'}>
      {/* the form's height: fields stacked on a phone, two columns from sm; owners have a Save row */}
      <Loaded query={team} reserve={owner ? 'min-h-80 sm:min-h-60' : 'min-h-68 sm:min-h-48'}>
        {() => (
          <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2">
            <Field label="Name" error={fields['/name']}>
              {(p) => <TextInput {...p} disabled={!owner} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
            </Field>
            <Field label="Time zone" hint="Working-time SLAs count hours in it." error={fields['/settings/timezone']}>
              {(p) => (
                <select {...p} className={inputClass} disabled={!owner} value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })}>
                  {zones(form.timezone).map((z) => (
                    <option key={z}>{z}</option>
                  ))}
                </select>
              )}
            </Field>
            <div className="sm:col-span-2">
              <Field label="Description" error={fields['/description']}>
                {(p) => (
                  <textarea
                    {...p}
                    className={inputClass}
                    rows={2}
                    disabled={!owner}
                    value={form.description}
                    onChange={(e) => setForm({ ...form, description: e.target.value })}
                  />
                )}
              </Field>
            </div>
            {owner && (
              <div className="flex items-center gap-3 sm:col-span-2">
                <Button type="submit" busy={save.isPending}>
                  Save
                </Button>
                {save.isSuccess && <span role="status" className="text-sm text-green-800">Saved.</span>}
              </div>
            )}
            <div className="sm:col-span-2">
              <ErrorNote error={save.error} title="Could not save" />
            </div>
          </form>
        )}
      </Loaded>
    </Card>
  );
}

/** The browser's time zones, with UTC and the team's own first. */
function zones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([current, 'UTC', ...all])];
}

function Members({ teamId, admin }: { teamId: string; admin: boolean }) {
  const client = useQueryClient();
  const members = useMembers(teamId);
  const roles = useRoles(teamId);
  const roleName = useRoleName(teamId);
  const [email, setEmail] = useState('');
  const [access, setAccess] = useState<Schemas['AccessRole']>('member');
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId] });
  const invite = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/teams/{team_id}/members', { params: { path: { team_id: teamId } }, body: { email: email.trim(), access_role: access } })),
    onSuccess: () => {
      setEmail('');
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ user, body }: { user: string; body: Schemas['MemberUpdate'] }) =>
      unwrap(api.PUT('/v1/teams/{team_id}/members/{user_id}', { params: { path: { team_id: teamId, user_id: user } }, body })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (user: string) =>
      unwrap(api.DELETE('/v1/teams/{team_id}/members/{user_id}', { params: { path: { team_id: teamId, user_id: user } } })),
    onSuccess: refresh,
  });
  const invitations = useQuery({
    queryKey: ['team', teamId, 'invitations'],
    queryFn: () =>
      unwrapPage<Schemas['Invitation']>(
        api.GET('/v1/teams/{team_id}/invitations', { params: { path: { team_id: teamId }, query: { page_size: 200 } } }),
      ),
    enabled: admin,
  });
  const revoke = useMutation({
    mutationFn: (invitation: string) =>
      unwrap(
        api.DELETE('/v1/teams/{team_id}/invitations/{invitation_id}', { params: { path: { team_id: teamId, invitation_id: invitation } } }),
      ),
    onSuccess: refresh,
  });
  const fields = invite.error instanceof ApiError ? invite.error.fields : {};

  return (
    <Card title="Members">
      {admin && (
        <form
          className="mb-4 grid gap-3 sm:grid-cols-[1fr_auto_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            invite.mutate();
          }}
        >
          <Field label="Invite by email" error={fields['/email']}>
            {(p) => <TextInput {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label="Access role">
            {(p) => (
              <select {...p} className={inputClass} value={access} onChange={(e) => setAccess(e.target.value as Schemas['AccessRole'])}>
                {ACCESS.map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </select>
            )}
          </Field>
          <Button type="submit" busy={invite.isPending}>
            Invite
          </Button>
        </form>
      )}
      <ErrorNote error={invite.error ?? update.error ?? remove.error ?? revoke.error} />
      {/* about two members' rows on a wide screen (on a phone the list starts below the fold) */}
      <Loaded query={members} reserve="min-h-42">
        {(d) => (
          <ul className="divide-y divide-slate-100">
            {d.items.map((m) => (
              <li key={m.user_id ?? m.invitation_id ?? m.email} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                <div className="min-w-0 text-sm break-words">
                  <p className="font-medium">{m.display_name ?? m.email}</p>
                  <p className="text-slate-700">
                    {m.email} {m.kind === 'agent' && '· AI agent'} {m.status !== 'active' && <Badge value={m.status} />}
                  </p>
                  {m.roles.length > 0 && <p className="text-slate-700">Roles: {m.roles.map(roleName).join(', ')}</p>}
                </div>
                {admin && m.user_id ? (
                  <MemberControls
                    member={m}
                    roles={roles.data?.items ?? []}
                    busy={update.isPending || remove.isPending}
                    onUpdate={(body) => update.mutate({ user: m.user_id!, body })}
                    onRemove={() => remove.mutate(m.user_id!)}
                  />
                ) : (
                  <Badge value={m.access_role} />
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {admin && (
        <After query={members}>
          <Loaded query={invitations}>
            {(d) =>
              d.items.length > 0 && (
                <>
                  <h3 className="mt-4 mb-1 text-sm font-semibold">Pending invitations</h3>
                  <ul className="divide-y divide-slate-100" aria-label="Pending invitations">
                    {d.items.map((i) => (
                      <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                        <span className="min-w-0 break-words">
                          <span className="font-medium">{i.email}</span>
                          <span className="block text-slate-700">
                            as {i.access_role} · invited {when(i.created_at)} · expires {when(i.expires_at)}
                          </span>
                        </span>
                        <Button
                          tone="secondary"
                          busy={revoke.isPending && revoke.variables === i.id}
                          onClick={() => {
                            if (window.confirm(`Withdraw the invitation to ${i.email}?`)) revoke.mutate(i.id);
                          }}
                        >
                          Withdraw<span className="sr-only"> the invitation to {i.email}</span>
                        </Button>
                      </li>
                    ))}
                  </ul>
                </>
              )
            }
          </Loaded>
        </After>
      )}
    </Card>
  );
}

/**
 * An admin's controls for one member: the access role and a business role to add are chosen
 * first and sent by their buttons (a select never acts on its own: arrowing through a closed
 * one changes it option by option), and removal asks first.
 */
function MemberControls({
  member: m,
  roles,
  busy,
  onUpdate,
  onRemove,
}: {
  member: Schemas['TeamMember'];
  roles: Schemas['Role'][];
  busy: boolean;
  onUpdate: (body: Schemas['MemberUpdate']) => void;
  onRemove: () => void;
}) {
  const name = m.display_name ?? m.email;
  const [access, setAccess] = useState<Schemas['AccessRole']>(m.access_role);
  const [role, setRole] = useState('');
  // a change made elsewhere (or by these buttons) becomes the new starting choice
  useEffect(() => setAccess(m.access_role), [m.access_role]);
  const addable = roles.filter((r) => !m.roles.includes(r.id));
  return (
    <div className="flex flex-wrap items-center gap-2">
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (access !== m.access_role) onUpdate({ access_role: access });
        }}
      >
        <label className="text-sm">
          <span className="sr-only">Access role of {name}</span>
          <select className={inputClass} value={access} onChange={(e) => setAccess(e.target.value as Schemas['AccessRole'])}>
            {ACCESS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <Button type="submit" tone="secondary" disabled={busy || access === m.access_role}>
          Apply<span className="sr-only"> access role to {name}</span>
        </Button>
      </form>
      {addable.length > 0 && (
        <form
          className="flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!role) return;
            onUpdate({ roles: [...m.roles, role] });
            setRole('');
          }}
        >
          <label className="text-sm">
            <span className="sr-only">Business role to add to {name}</span>
            <select className={inputClass} value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="">Add role…</option>
              {addable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" tone="secondary" disabled={busy || !role}>
            Add<span className="sr-only"> role to {name}</span>
          </Button>
        </form>
      )}
      <Button
        tone="secondary"
        disabled={busy}
        onClick={() => {
          if (window.confirm(`Remove ${name} from the team? They lose access to its playbooks, tasks and instances.`)) onRemove();
        }}
      >
        Remove<span className="sr-only"> {name}</span>
      </Button>
    </div>
  );
}

function Roles({ teamId, admin }: { teamId: string; admin: boolean }) {
  const client = useQueryClient();
  const roles = useRoles(teamId);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId] });
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/teams/{team_id}/roles', { params: { path: { team_id: teamId } }, body: { name: name.trim(), description } })),
    onSuccess: () => {
      setName('');
      setDescription('');
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/teams/{team_id}/roles/{role_id}', { params: { path: { team_id: teamId, role_id: id } } })),
    onSuccess: refresh,
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <Card title="Business roles">
      {admin && (
        <form
          className="mb-4 grid gap-3 sm:grid-cols-[1fr_2fr_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field label="Role name" error={fields['/name']}>
            {(p) => <TextInput {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="What it does" error={fields['/description']}>
            {(p) => <TextInput {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </Field>
          <Button type="submit" busy={create.isPending}>
            Add role
          </Button>
        </form>
      )}
      <ErrorNote error={create.error ?? remove.error} />
      <Loaded query={roles} empty={(d) => (d.items.length ? null : 'No business roles yet.')}>
        {(d) => (
          <ul className="divide-y divide-slate-100">
            {d.items.map((r) =>
              editing === r.id ? (
                <li key={r.id} className="py-2">
                  <RoleEditor
                    teamId={teamId}
                    role={r}
                    roles={d.items}
                    onDone={() => {
                      setEditing(null);
                      // back to the button that opened the editor, once it is drawn again
                      requestAnimationFrame(() => document.getElementById(`edit-role-${r.id}`)?.focus());
                    }}
                  />
                </li>
              ) : (
                <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                  <span>
                    <span className="font-medium">{r.name}</span>
                    {r.description && <span className="text-slate-700"> — {r.description}</span>}
                    <span className="block text-slate-700">
                      Level {r.hierarchy_level}
                      {r.reports_to && ` · reports to ${d.items.find((o) => o.id === r.reports_to)?.name ?? 'a deleted role'}`}
                      {r.hourly_cost != null && ` · ${r.hourly_cost} an hour`}
                    </span>
                  </span>
                  {admin && (
                    <span className="flex gap-2">
                      <Button id={`edit-role-${r.id}`} tone="secondary" onClick={() => setEditing(r.id)}>
                        Edit<span className="sr-only"> role {r.name}</span>
                      </Button>
                      <Button
                        tone="secondary"
                        busy={remove.isPending && remove.variables === r.id}
                        onClick={() => {
                          if (window.confirm(`Delete the role ${r.name}? Members lose it and steps assigned to it have no role.`)) remove.mutate(r.id);
                        }}
                      >
                        Delete<span className="sr-only"> role {r.name}</span>
                      </Button>
                    </span>
                  )}
                </li>
              ),
            )}
          </ul>
        )}
      </Loaded>
    </Card>
  );
}

/** Changing a business role: its name, description, level, hourly cost and whom it reports to. */
function RoleEditor({ teamId, role, roles, onDone }: { teamId: string; role: Schemas['Role']; roles: Schemas['Role'][]; onDone: () => void }) {
  const client = useQueryClient();
  const [form, setForm] = useState({
    name: role.name,
    description: role.description,
    hierarchy_level: String(role.hierarchy_level),
    hourly_cost: role.hourly_cost == null ? '' : String(role.hourly_cost),
    reports_to: role.reports_to ?? '',
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const formRef = useRef<HTMLFormElement>(null);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/v1/teams/{team_id}/roles/{role_id}', {
          params: { path: { team_id: teamId, role_id: role.id } },
          body: {
            name: form.name.trim(),
            description: form.description,
            hierarchy_level: Number(form.hierarchy_level),
            hourly_cost: form.hourly_cost.trim() === '' ? null : Number(form.hourly_cost),
            reports_to: form.reports_to || null,
            capabilities: role.capabilities,
            functions: role.functions,
          },
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['team', teamId, 'roles'] });
      onDone();
    },
    onError: () => focusInvalid(formRef.current),
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  return (
    <form
      ref={formRef}
      className="grid gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-2"
      aria-label={`Edit role ${role.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Field label="Role name" error={fields['/name']}>
        {(p) => <TextInput {...p} value={form.name} onChange={set('name')} />}
      </Field>
      <Field label="What it does" error={fields['/description']}>
        {(p) => <TextInput {...p} value={form.description} onChange={set('description')} />}
      </Field>
      <Field label="Level" hint="0 to 100; higher is more senior." error={fields['/hierarchy_level']}>
        {(p) => <TextInput {...p} type="number" min={0} max={100} step={1} value={form.hierarchy_level} onChange={set('hierarchy_level')} />}
      </Field>
      <Field label="Hourly cost (optional)" hint="Analytics multiply work time by it." error={fields['/hourly_cost']}>
        {(p) => <TextInput {...p} type="number" min={0} step="any" value={form.hourly_cost} onChange={set('hourly_cost')} />}
      </Field>
      <Field label="Reports to" hint="Approvals go to the superior role by default." error={fields['/reports_to']}>
        {(p) => (
          <select {...p} className={inputClass} value={form.reports_to} onChange={set('reports_to')}>
            <option value="">No one</option>
            {roles
              .filter((r) => r.id !== role.id)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
          </select>
        )}
      </Field>
      <div className="sm:col-span-2">
        <ErrorNote error={save.error && !Object.keys(fields).length ? save.error : null} title="Could not save the role" />
      </div>
      <div className="flex gap-2 sm:col-span-2">
        <Button type="submit" busy={save.isPending}>
          Save role
        </Button>
        <Button tone="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** Deleting the team (owners), once its name is typed. */
function DeleteTeam({ teamId }: { teamId: string }) {
  const { membership, memberships } = useTeam();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [typed, setTyped] = useState('');
  const name = membership?.team_name ?? '';
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/teams/{team_id}', { params: { path: { team_id: teamId } } })),
    onSuccess: () => {
      const other = memberships.find((m) => m.team_id !== teamId);
      if (other) chooseTeam(other.team_id);
      void client.invalidateQueries({ queryKey: ['me'] });
      navigate(other ? '/' : '/teams/new');
    },
  });
  return (
    <Card title="Delete this team">
      <form
        className="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === name) remove.mutate();
        }}
      >
        <p className="text-sm text-slate-700">
          Deleting the team removes its playbooks, instances, tasks and history for everyone. It cannot be undone.
        </p>
        <Field label={`Type the team's name, ${name}, to confirm`}>
          {(p) => <TextInput {...p} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />}
        </Field>
        <ErrorNote error={remove.error} title="Could not delete the team" />
        <div>
          <Button type="submit" tone="danger" busy={remove.isPending} disabled={typed !== name}>
            Delete team
          </Button>
        </div>
      </form>
    </Card>
  );
}
