// AI agents: members that act through the API or MCP with their own token. Admins create one
// (its token is shown once) and remove it like any member; everyone else reads the list.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { api, ApiError, problemsUnder, unwrap, type Schemas } from '../../api/client';
import { RoleChecklist } from '../../components/RoleChecklist';
import { useRoleName, useRoles } from '../../api/queries';
import { useMembers } from '../../api/team';
import { focusInvalid } from '../../components/focus';
import { ShownOnce } from '../../components/ShownOnce';
import { Badge, Button, Card, ErrorNote, Field, Loaded, TextInput, inputClass, when } from '../../components/ui';

const ACCESS: Schemas['AgentRole'][] = ['member', 'editor'];

export default function Agents({ teamId, admin }: { teamId: string; admin: boolean }) {
  const client = useQueryClient();
  const members = useMembers(teamId);
  const roles = useRoles(teamId);
  const roleName = useRoleName(teamId);
  const create = useMutation({
    mutationFn: (body: Schemas['NewAgent']) =>
      unwrap<Schemas['CreatedAgent']>(api.POST('/v1/teams/{team_id}/agents', { params: { path: { team_id: teamId } }, body })),
    // the answer holds the token: not kept once nothing shows it
    gcTime: 0,
    onSuccess: () => client.invalidateQueries({ queryKey: ['team', teamId] }),
  });
  // the form's height (with its margin) when the token took its place
  const [height, setHeight] = useState(0);
  const [returned, setReturned] = useState(false);
  const remove = useMutation({
    mutationFn: (user: string) =>
      unwrap(api.DELETE('/v1/teams/{team_id}/members/{user_id}', { params: { path: { team_id: teamId, user_id: user } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['team', teamId] }),
  });
  return (
    <Card title="AI agents">
      <p className="mb-3 text-sm text-slate-700">
        An agent is a member that works through the API or MCP with its own token, as a member or an editor.
        {!admin && ' Team admins create and remove agents.'}
      </p>
      {/* the token takes the form's place, and height, until done: nothing below it moves */}
      {admin &&
        (create.data ? (
          <div style={{ minHeight: height }}>
            <CreatedToken
              agent={create.data}
              onDone={() => {
                create.reset();
                setReturned(true);
              }}
            />
          </div>
        ) : (
          <NewAgentForm roles={roles.data?.items ?? []} create={create} onCreated={setHeight} focus={returned} />
        ))}
      <ErrorNote error={remove.error} title="Could not remove the agent" />
      {/* about one agent's row (an admin's with its button stacked on a phone) */}
      <Loaded query={members} reserve={admin ? 'min-h-33 sm:min-h-16' : 'min-h-21 sm:min-h-16'}>
        {(d) => {
          const agents = d.items.filter((m) => m.kind === 'agent');
          if (!agents.length) return <p className="text-sm text-slate-600">No AI agents yet.</p>;
          return (
            <ul className="divide-y divide-slate-100" aria-label="AI agents of the team">
              {agents.map((m) => {
                const name = m.display_name ?? m.email;
                return (
                  <li key={m.user_id ?? m.email} className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
                    <div className="min-w-0 text-sm break-words">
                      <p className="flex flex-wrap items-center gap-2">
                        <span className="font-medium">{name}</span>
                        <Badge value="AI agent" />
                        <Badge value={m.access_role} />
                        {m.status !== 'active' && <Badge value={m.status} />}
                      </p>
                      <p className="text-slate-700">
                        {m.roles.length > 0 ? `Roles: ${m.roles.map(roleName).join(', ')}` : 'No business roles'} · added {when(m.joined_at)}
                      </p>
                    </div>
                    {admin && m.user_id && (
                      <Button
                        tone="secondary"
                        busy={remove.isPending && remove.variables === m.user_id}
                        onClick={() => {
                          if (window.confirm(`Remove the agent ${name}? It can no longer act in this team, whatever client holds its token.`))
                            remove.mutate(m.user_id!);
                        }}
                      >
                        Remove<span className="sr-only"> agent {name}</span>
                      </Button>
                    )}
                  </li>
                );
              })}
            </ul>
          );
        }}
      </Loaded>
      {admin && <p className="mt-2 text-xs text-slate-600">Change an agent's access role or business roles under Members.</p>}
    </Card>
  );
}

/** The admin's form for a new agent: its name, access role and business roles. */
function NewAgentForm({
  roles,
  create,
  onCreated,
  focus,
}: {
  roles: Schemas['Role'][];
  /** Creating the agent (the page shows its token once done). */
  create: UseMutationResult<Schemas['CreatedAgent'], Error, Schemas['NewAgent']>;
  /** The form's height (with its margin) for what takes its place. */
  onCreated: (height: number) => void;
  /** Focus the name field (back from a shown token). */
  focus: boolean;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [access, setAccess] = useState<Schemas['AgentRole']>('member');
  const [chosen, setChosen] = useState<string[]>([]);
  const send = () =>
    create.mutate(
      // roles in the team's order; one deleted meanwhile is left out
      { display_name: name.trim(), access_role: access, roles: roles.filter((r) => chosen.includes(r.id)).map((r) => r.id) },
      { onSuccess: () => onCreated((form.current?.offsetHeight ?? 0) + 16), onError: () => focusInvalid(form.current) },
    );
  const [blank, setBlank] = useState(false);
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const nameError = blank ? 'Enter a name for the agent.' : fields['/display_name'];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // a blank name is refused here at once (the server refuses it too)
    setBlank(!name.trim());
    if (name.trim()) send();
    else {
      create.reset();
      focusInvalid(form.current);
    }
  };
  return (
    <form ref={form} onSubmit={submit} className="mb-4 flex flex-col gap-3">
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <Field label="Agent name" hint="How the team sees it, e.g. Triage agent." error={nameError}>
          {(p) => <TextInput {...p} autoFocus={focus} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Agent access role" error={fields['/access_role']}>
          {(p) => (
            <select {...p} className={inputClass} value={access} onChange={(e) => setAccess(e.target.value as Schemas['AgentRole'])}>
              {ACCESS.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <RoleChecklist legend="Business roles of the agent" roles={roles} chosen={chosen} onChange={setChosen} error={problemsUnder(fields, '/roles')} />
      <div>
        <Button type="submit" busy={create.isPending}>
          Create agent
        </Button>
      </div>
      <ErrorNote error={create.error} title="Could not create the agent" />
    </form>
  );
}

/** The new agent's token, shown this once, with how an agent sends it. */
function CreatedToken({ agent, onDone }: { agent: Schemas['CreatedAgent']; onDone: () => void }) {
  const mcp = `${window.location.origin}/mcp`;
  return (
    <div className="mb-4">
      <ShownOnce title={`Agent “${agent.user.display_name}” created: copy its token now`} value={agent.token} noun="token" level={3} valueId="agent-token" onDone={onDone}>
        <p>You won't see this token again. If it is lost, remove the agent and create another.</p>
        <p>
          The agent sends it as <code className="wrap-anywhere">Authorization: Bearer {'<token>'}</code> to the MCP endpoint{' '}
          <code className="wrap-anywhere">{mcp}</code> (or to the REST API under <code>/v1</code>); on the same machine it can run{' '}
          <code className="wrap-anywhere">ORGATA_TOKEN={'<token>'} orgata mcp --stdio</code>.
        </p>
      </ShownOnce>
    </div>
  );
}
