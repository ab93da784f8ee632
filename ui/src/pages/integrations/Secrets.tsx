// The Secrets tab: the team's secret names with their dates (values are write-only), adding one,
// replacing a value and deleting one.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { focusInvalid, useFocusOnClose } from '../../components/focus';
import { Button, Card, ErrorNote, Field, Loaded, Pager, TextInput, when } from '../../components/ui';
// a secret's name as the server accepts it: the same pattern as a form field's name
import { FIELD_NAME as NAME } from '../designer/draft';

function nameProblem(name: string): string | undefined {
  if (!name) return 'Enter a name.';
  if (name.length > 64) return 'At most 64 characters.';
  if (!NAME.test(name)) return 'Use letters, digits and _ only, not starting with a digit (e.g. CRM_API_KEY).';
  return undefined;
}

export default function Secrets() {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [page, setPage] = useState(1);
  const list = useQuery({
    queryKey: ['team', teamId, 'secrets', { page }],
    queryFn: () =>
      unwrapPage<Schemas['SecretInfo']>(
        api.GET('/v1/teams/{team_id}/secrets', { params: { path: { team_id: teamId! }, query: { page, page_size: 50 } } }),
      ),
    enabled: !!teamId,
    placeholderData: (previous) => previous,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId, 'secrets'] });
  const [replacing, setReplacing] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const remove = useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE('/v1/teams/{team_id}/secrets/{name}', { params: { path: { team_id: teamId!, name } } })),
    onSuccess: (_, name) => {
      setDone(`Deleted the secret ${name}.`);
      void refresh();
    },
  });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-col gap-1 text-sm text-slate-700">
        <p>
          Secrets keep credentials out of playbooks. An automation step that calls a URL uses one by name: write{' '}
          <code className="break-all">{'{{secrets.NAME}}'}</code> in its URL, a header value or a string of its body (for example{' '}
          <code className="break-all">{'Authorization: Bearer {{secrets.CRM_API_KEY}}'}</code>). The value is filled in only when the request is
          sent; a step naming a secret the team does not have fails.
        </p>
        <p>Values are encrypted and write-only: nobody can read one back here, and they never appear in playbooks, events or the audit trail.</p>
      </div>
      <NewSecret
        teamId={teamId!}
        onCreated={(name) => {
          setDone(`Stored the secret ${name}.`);
          void refresh();
        }}
      />
      <Card title={`Secrets${list.data?.pagination ? ` (${list.data.pagination.total_count})` : ''}`}>
        <p role="status" className="text-sm text-green-800">
          {done}
        </p>
        <ErrorNote error={remove.error} title="Could not delete the secret" />
        {/* about three secrets' rows */}
        <Loaded query={list} reserve="min-h-36" empty={(d) => (d.items.length ? null : 'The team has no secret yet.')}>
          {(d) => (
            <>
              <ul className="divide-y divide-slate-100">
                {d.items.map((s) => (
                  <SecretRow
                    key={s.name}
                    teamId={teamId!}
                    secret={s}
                    replacing={replacing === s.name}
                    onReplace={(on) => setReplacing(on ? s.name : null)}
                    deleting={remove.isPending && remove.variables === s.name}
                    onDelete={() => remove.mutate(s.name)}
                    onReplaced={() => {
                      setDone(`Replaced the value of ${s.name}.`);
                      void refresh();
                    }}
                  />
                ))}
              </ul>
              <Pager pagination={d.pagination} onPage={setPage} label="Pages of secrets" />
            </>
          )}
        </Loaded>
      </Card>
    </div>
  );
}

/** One secret: its dates, and replacing its value (the form opens below it) or deleting it. */
function SecretRow({
  teamId,
  secret: s,
  replacing,
  onReplace,
  deleting,
  onDelete,
  onReplaced,
}: {
  teamId: string;
  secret: Schemas['SecretInfo'];
  replacing: boolean;
  onReplace: (open: boolean) => void;
  deleting: boolean;
  onDelete: () => void;
  onReplaced: () => void;
}) {
  // the replace form closed (saved or cancelled): focus goes back to its button
  const opener = `replace-${s.name}`;
  useFocusOnClose(replacing, opener);
  return (
    <li className="flex flex-col gap-2 py-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <div className="min-w-0 text-sm">
          <p className="font-medium break-all">
            <code>{s.name}</code>
          </p>
          <p className="text-slate-700">
            Created {when(s.created_at)} · updated {when(s.updated_at)}
          </p>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <Button id={opener} tone="secondary" aria-expanded={replacing} onClick={() => onReplace(!replacing)}>
            Replace value<span className="sr-only"> of {s.name}</span>
          </Button>
          <Button
            tone="secondary"
            busy={deleting}
            onClick={() => {
              if (window.confirm(`Delete the secret ${s.name}? Steps that use {{secrets.${s.name}}} will fail until it is added again.`)) onDelete();
            }}
          >
            Delete<span className="sr-only"> {s.name}</span>
          </Button>
        </div>
      </div>
      {replacing && (
        <ReplaceValue
          teamId={teamId}
          name={s.name}
          onDone={(replaced) => {
            onReplace(false);
            if (replaced) onReplaced();
          }}
        />
      )}
    </li>
  );
}

function NewSecret({ teamId, onCreated }: { teamId: string; onCreated: (name: string) => void }) {
  const form = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [tried, setTried] = useState(false);
  const create = useMutation({
    mutationFn: () => unwrap<Schemas['SecretInfo']>(api.POST('/v1/teams/{team_id}/secrets', { params: { path: { team_id: teamId } }, body: { name, value } })),
    onSuccess: (s) => {
      setName('');
      setValue('');
      setTried(false);
      onCreated(s.name);
    },
    // the refusal is shown at its field (a name already taken too): focus goes there
    onError: () => focusInvalid(form.current),
  });
  const server = create.error instanceof ApiError ? create.error.fields : {};
  const taken = create.error instanceof ApiError && create.error.code === 'CONFLICT';
  // the name is checked as it is typed; an empty one only once sending was tried
  const nameError =
    (name || tried ? nameProblem(name) : undefined) ??
    server['/name'] ??
    (taken ? 'The team already has a secret with this name: use Replace value in the list instead.' : undefined);
  const valueError = (tried && !value ? 'Enter the value.' : undefined) ?? server['/value'];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (nameProblem(name) || !value) {
      focusInvalid(form.current);
      return;
    }
    create.mutate();
  };
  return (
    <Card title="Add a secret">
      <form ref={form} className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-start" onSubmit={submit} noValidate>
        <Field label="Name" hint="Letters, digits and _, not starting with a digit; at most 64." error={nameError}>
          {(p) => (
            <TextInput
              {...p}
              value={name}
              spellCheck={false}
              autoComplete="off"
              autoCapitalize="off"
              maxLength={64}
              onChange={(e) => {
                setName(e.target.value);
                if (create.error) create.reset();
              }}
            />
          )}
        </Field>
        <Field label="Value" hint="Write-only: it cannot be shown again." error={valueError}>
          {(p) => <TextInput {...p} type="password" autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} />}
        </Field>
        <Button type="submit" busy={create.isPending} className="sm:mt-6">
          Add secret
        </Button>
        <div className="sm:col-span-3">
          <ErrorNote error={taken || Object.keys(server).length ? null : create.error} title="Could not store the secret" />
        </div>
      </form>
    </Card>
  );
}

/** A new value for one secret; `onDone(true)` once it is stored, `onDone(false)` on cancel. */
function ReplaceValue({ teamId, name, onDone }: { teamId: string; name: string; onDone: (replaced: boolean) => void }) {
  const form = useRef<HTMLFormElement>(null);
  const [value, setValue] = useState('');
  const [tried, setTried] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      unwrap<Schemas['SecretInfo']>(api.PUT('/v1/teams/{team_id}/secrets/{name}', { params: { path: { team_id: teamId, name } }, body: { value } })),
    onSuccess: () => onDone(true),
    onError: () => focusInvalid(form.current),
  });
  const server = save.error instanceof ApiError ? save.error.fields : {};
  return (
    <form
      ref={form}
      className="grid gap-3 rounded-md bg-slate-50 p-3 sm:grid-cols-[1fr_auto] sm:items-start"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (value) save.mutate();
        else focusInvalid(form.current);
      }}
    >
      <Field label={`New value of ${name}`} error={(tried && !value ? 'Enter the new value.' : undefined) ?? server['/value']}>
        {(p) => <TextInput {...p} type="password" autoComplete="new-password" autoFocus value={value} onChange={(e) => setValue(e.target.value)} />}
      </Field>
      <div className="flex flex-wrap gap-2 sm:mt-6">
        <Button type="submit" busy={save.isPending}>
          Save value
        </Button>
        <Button tone="secondary" onClick={() => onDone(false)}>
          Cancel
        </Button>
      </div>
      <div className="sm:col-span-2">
        <ErrorNote error={Object.keys(server).length ? null : save.error} title="Could not replace the value" />
      </div>
    </form>
  );
}
