// The signed-in user's profile: who they are, two-factor sign-in (TOTP), personal access tokens.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useTeam } from '../api/team';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, Pending, TextInput, inputClass, when } from '../components/ui';

export default function Profile() {
  const { me } = useTeam();
  return (
    <div className="flex max-w-3xl flex-col gap-4">
      <PageHeader title="Profile" />
      <Card title="Account">
        <Loaded query={me} reserve="min-h-17">
          {(u) => (
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-600">Name</dt>
              <dd>{u.display_name}</dd>
              <dt className="text-slate-600">Email</dt>
              <dd>{u.email}</dd>
              <dt className="text-slate-600">Teams</dt>
              <dd>{u.memberships.map((m) => `${m.team_name} (${m.access_role})`).join(', ') || '—'}</dd>
            </dl>
          )}
        </Loaded>
      </Card>
      <TwoFactor enabled={me.data?.mfa_enabled} />
      <Tokens />
    </div>
  );
}

/** `enabled` is unknown while the account loads. */
function TwoFactor({ enabled }: { enabled?: boolean }) {
  const client = useQueryClient();
  const [enrolment, setEnrolment] = useState<Schemas['TotpEnrolment'] | null>(null);
  const [code, setCode] = useState('');
  const done = () => {
    setEnrolment(null);
    setCode('');
    void client.invalidateQueries({ queryKey: ['me'] });
  };
  const start = useMutation({
    mutationFn: () => unwrap<Schemas['TotpEnrolment']>(api.POST('/v1/me/mfa/totp')),
    onSuccess: setEnrolment,
  });
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/me/mfa/totp/verify', { body: { code } })),
    onSuccess: done,
  });
  const disable = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/me/mfa/totp', { body: { code } })),
    onSuccess: done,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    (enabled ? disable : verify).mutate();
  };
  return (
    <Card title="Two-factor sign-in" actions={enabled !== undefined && <Badge value={enabled ? 'on' : 'off'} />}>
      {/* held at the height of the usual "off" state */}
      {enabled === undefined && <Pending reserve="min-h-22 sm:min-h-17" />}
      <ErrorNote error={start.error ?? verify.error ?? disable.error} />
      {enabled === false && !enrolment && (
        <div className="flex flex-col items-start gap-2">
          <p className="text-sm text-slate-700">Ask for a code from an authenticator app each time you sign in.</p>
          <Button onClick={() => start.mutate()} busy={start.isPending}>
            Set up an authenticator app
          </Button>
        </div>
      )}
      {(enabled || enrolment) && (
        <form onSubmit={submit} className="flex flex-col gap-3">
          {enrolment && (
            <div className="flex flex-col gap-2 text-sm">
              <p>Add this key to your authenticator app, then enter the code it shows.</p>
              <p>
                Key: <code className="break-all rounded bg-slate-100 px-1">{enrolment.secret}</code>
              </p>
              <p>
                Or open <a className="break-all text-indigo-800 underline" href={enrolment.otpauth_url}>this link</a> on the
                device that has the app.
              </p>
              <p className="font-medium">Recovery codes (each works once; keep them somewhere safe — they are shown only now):</p>
              <ul className="grid grid-cols-2 gap-1 font-mono sm:grid-cols-4">
                {enrolment.recovery_codes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </div>
          )}
          <Field label={enabled ? 'A current code, to turn two-factor sign-in off' : 'Code from the app'}>
            {(p) => <TextInput {...p} autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <div>
            <Button type="submit" tone={enabled ? 'danger' : 'primary'} busy={verify.isPending || disable.isPending}>
              {enabled ? 'Turn off' : 'Turn on'}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}

function Tokens() {
  const client = useQueryClient();
  const { memberships } = useTeam();
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: () => unwrapPage<Schemas['PersonalToken']>(api.GET('/v1/me/tokens', { params: { query: { page_size: 200 } } })),
  });
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Schemas['TokenScope']>('read');
  const [team, setTeam] = useState('');
  const [created, setCreated] = useState<Schemas['CreatedPersonalToken'] | null>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap<Schemas['CreatedPersonalToken']>(
        api.POST('/v1/me/tokens', { body: { name: name.trim(), scopes: [scope], team_id: team || undefined } }),
      ),
    onSuccess: (t) => {
      setCreated(t);
      setName('');
      void client.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/me/tokens/{token_id}', { params: { path: { token_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tokens'] }),
  });
  return (
    <Card title="Personal access tokens">
      <p className="mb-3 text-sm text-slate-700">For scripts and AI agents: send one as `Authorization: Bearer …`.</p>
      <form
        className="mb-4 grid gap-3 sm:grid-cols-[1fr_auto_auto_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Token name">{(p) => <TextInput {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <Field label="Scope">
          {(p) => (
            <select {...p} className={inputClass} value={scope} onChange={(e) => setScope(e.target.value as Schemas['TokenScope'])}>
              <option value="read">read</option>
              <option value="write">write</option>
              <option value="admin">admin</option>
            </select>
          )}
        </Field>
        <Field label="Team">
          {(p) => (
            <select {...p} className={inputClass} value={team} onChange={(e) => setTeam(e.target.value)}>
              <option value="">All my teams</option>
              {memberships.map((m) => (
                <option key={m.team_id} value={m.team_id}>
                  {m.team_name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Button type="submit" busy={create.isPending}>
          Create token
        </Button>
      </form>
      <ErrorNote error={create.error ?? revoke.error} />
      {created && (
        <div role="status" className="mb-4 rounded-md border border-green-300 bg-green-50 p-3 text-sm">
          <p className="font-medium">Copy the token “{created.name}” now: it will not be shown again.</p>
          <code className="block break-all">{created.token}</code>
        </div>
      )}
      <Loaded query={tokens} empty={(d) => (d.items.length ? null : 'You have no tokens.')}>
        {(d) => (
          <ul className="divide-y divide-slate-100">
            {d.items.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                <span>
                  <span className="font-medium">{t.name}</span> · {t.scopes.join(', ')} · last used {when(t.last_used_at)}
                </span>
                <Button tone="secondary" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Card>
  );
}
