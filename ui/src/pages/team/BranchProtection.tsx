// Branch protection: which branches change only by merging approved change proposals, and what
// approval takes there. The branch list says which are protected; the rules (owners only, as
// the API allows) are read for the protected branches alone, one request each.
import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueries, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { api, ApiError, problemsUnder, unwrap, type Schemas } from '../../api/client';
import { RoleChecklist } from '../../components/RoleChecklist';
import { useBranches, useRoles } from '../../api/queries';
import { focusInvalid, useFocusOnClose } from '../../components/focus';
import { Badge, Button, Card, ErrorNote, Field, Loaded, Pending, TextInput } from '../../components/ui';

type Rules = Schemas['BranchProtection'];
type Draft = {
  approvals: string;
  roles: string[];
  dismissStale: boolean;
  resolved: boolean;
  selfApproval: boolean;
};

/** The API's defaults for a newly protected branch (and the rules of an unprotected one). */
const DEFAULTS: Draft = { approvals: '1', roles: [], dismissStale: true, resolved: false, selfApproval: false };

export default function BranchProtection({ teamId, owner }: { teamId: string; owner: boolean }) {
  const branches = useBranches(teamId);
  const roles = useRoles(teamId);
  const roleName = (id: string) => roles.data?.items.find((r) => r.id === id)?.name ?? id.slice(0, 8);
  // main first, then by name; abandoned branches cannot be protected
  const listed = (branches.data?.items ?? []).filter((b) => b.status !== 'abandoned');
  // a new team's main exists once first written to; it can be protected before that
  const shown: { name: string; protected: boolean }[] = [
    ...(listed.some((b) => b.name === 'main') ? [] : [{ name: 'main', protected: false }]),
    ...listed,
  ].sort((a, b) => (a.name === 'main' ? -1 : b.name === 'main' ? 1 : a.name.localeCompare(b.name)));
  const protectedNames = owner ? shown.filter((b) => b.protected).map((b) => b.name) : [];
  const rules = useQueries({
    queries: protectedNames.map((name) => ({
      queryKey: ['team', teamId, 'branch-protection', name],
      queryFn: () => getRules(teamId, name),
      // live events refresh them; a refetch as a confirmation closes would race its removal
      refetchOnWindowFocus: false,
    })),
  });
  const rulesOf = (name: string) => rules[protectedNames.indexOf(name)];
  const [editing, setEditing] = useState<string | null>(null);
  // what the last change did, for screen readers (the list shows it too)
  const [said, setSaid] = useState('');

  return (
    <Card title="Branch protection">
      <p className="mb-3 text-sm text-slate-700">
        A protected branch changes only by merging approved change proposals, under its rules. Proposals into an unprotected
        branch need one approval from someone other than their author.
        {!owner && ' Team owners protect branches and set their rules.'}
      </p>
      {/* about three branches' rows (an owner's with buttons, stacked on a phone) */}
      <Loaded query={branches} reserve={owner ? 'min-h-70 sm:min-h-48' : 'min-h-34'}>
        {() => (
          <ul className="divide-y divide-slate-100" aria-label="Branches and their protection">
            {shown.map((b) => (
              <BranchRow
                key={b.name}
                teamId={teamId}
                branch={b}
                owner={owner}
                rules={b.protected && owner ? rulesOf(b.name) : undefined}
                roles={roles.data?.items ?? []}
                roleName={roleName}
                editing={editing === b.name}
                onEdit={(on) => setEditing(on ? b.name : null)}
                onChanged={setSaid}
              />
            ))}
          </ul>
        )}
      </Loaded>
      <p role="status" className="sr-only">
        {said}
      </p>
    </Card>
  );
}

/** One branch: whether it is protected and under which rules; an owner's buttons and form. */
function BranchRow({
  teamId,
  branch: b,
  owner,
  rules: q,
  roles,
  roleName,
  editing,
  onEdit,
  onChanged,
}: {
  teamId: string;
  branch: { name: string; protected: boolean };
  owner: boolean;
  rules: UseQueryResult<Rules | null> | undefined;
  roles: Schemas['Role'][];
  roleName: (id: string) => string;
  editing: boolean;
  onEdit: (open: boolean) => void;
  /** What a change did, in words. */
  onChanged: (said: string) => void;
}) {
  // closing the form, or unprotecting (its button goes), gives focus to Protect / Edit rules
  const opener = `protect-${b.name}`;
  useFocusOnClose(editing, opener);
  useFocusOnClose(b.protected, opener);
  return (
    <li className="flex flex-col gap-2 py-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:justify-between">
        <div className="min-w-0 text-sm break-words">
          <p className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{b.name}</span>
            <Badge value={b.protected ? 'protected' : 'not protected'} />
          </p>
          {q &&
            (q.isPending ? (
              <Pending />
            ) : q.error ? (
              <ErrorNote error={q.error} title="Could not load its rules" />
            ) : q.data ? (
              <p className="text-slate-700">{summary(q.data, roleName)}</p>
            ) : null)}
        </div>
        {owner && !editing && (
          <div className="flex flex-wrap gap-2">
            <Button id={opener} tone="secondary" onClick={() => onEdit(true)} disabled={b.protected && !q?.data}>
              {b.protected ? 'Edit rules' : 'Protect'}
              <span className="sr-only"> {b.protected ? `of ${b.name}` : b.name}</span>
            </Button>
            {b.protected && <Unprotect teamId={teamId} branch={b.name} onDone={() => onChanged(`${b.name} is no longer protected.`)} />}
          </div>
        )}
      </div>
      {owner && editing && (
        <RulesForm
          teamId={teamId}
          branch={b.name}
          current={q?.data ?? null}
          roles={roles}
          onClose={(saved) => {
            onEdit(false);
            if (saved) onChanged(q?.data ? `Saved the rules of ${b.name}.` : `${b.name} is protected.`);
          }}
        />
      )}
    </li>
  );
}

/** A branch's rules; null when it is not protected (the API answers 404). */
async function getRules(teamId: string, branch: string): Promise<Rules | null> {
  try {
    return await unwrap<Rules>(
      api.GET('/v1/teams/{team_id}/branch-protection/{branch}', { params: { path: { team_id: teamId, branch } } }),
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The rules in one line. */
function summary(r: Rules, roleName: (id: string) => string): string {
  const parts = [
    r.required_approvals === 1 ? '1 approval' : `${r.required_approvals} approvals`,
    r.required_reviewer_roles.length ? `approved by holders of ${r.required_reviewer_roles.map(roleName).join(', ')}` : null,
    r.dismiss_stale_approvals ? 'new commits dismiss approvals' : 'approvals survive new commits',
    r.require_resolved_discussions ? 'discussions must be resolved' : null,
    r.allow_self_approval ? 'authors may approve their own' : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

function Unprotect({ teamId, branch, onDone }: { teamId: string; branch: string; onDone: () => void }) {
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/v1/teams/{team_id}/branch-protection/{branch}', { params: { path: { team_id: teamId, branch } } })),
    onSuccess: () => {
      // the list says so at once, and the rules are not asked for again (they would be a 404)
      client.setQueryData<{ items: Schemas['Branch'][] }>(['team', teamId, 'branches'], (old) =>
        old && { ...old, items: old.items.map((b) => (b.name === branch ? { ...b, protected: false } : b)) },
      );
      void client.invalidateQueries({ queryKey: ['team', teamId], predicate: (q) => q.queryKey[2] !== 'branch-protection' });
      onDone();
    },
  });
  return (
    <>
      <Button
        tone="secondary"
        busy={remove.isPending}
        onClick={() => {
          if (window.confirm(`Unprotect ${branch}? Editors can then change it directly, without an approved proposal.`)) remove.mutate();
        }}
      >
        Unprotect<span className="sr-only"> {branch}</span>
      </Button>
      <ErrorNote error={remove.error} title={`Could not unprotect ${branch}`} />
    </>
  );
}

/** Protecting a branch or changing its rules; what was typed stays when saving fails. */
function RulesForm({
  teamId,
  branch,
  current,
  roles,
  onClose,
}: {
  teamId: string;
  branch: string;
  current: Rules | null;
  roles: Schemas['Role'][];
  /** `saved`: the rules were stored (else cancelled). */
  onClose: (saved: boolean) => void;
}) {
  const client = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<Draft>(() =>
    current
      ? {
          approvals: String(current.required_approvals),
          roles: current.required_reviewer_roles,
          dismissStale: current.dismiss_stale_approvals,
          resolved: current.require_resolved_discussions,
          selfApproval: current.allow_self_approval,
        }
      : DEFAULTS,
  );
  const [outOfRange, setOutOfRange] = useState(false);
  const save = useMutation({
    mutationFn: (approvals: number) =>
      unwrap<Rules>(
        api.PUT('/v1/teams/{team_id}/branch-protection/{branch}', {
          params: { path: { team_id: teamId, branch } },
          body: {
            required_approvals: approvals,
            // roles in the team's order; one deleted meanwhile is left out
            required_reviewer_roles: roles.filter((r) => draft.roles.includes(r.id)).map((r) => r.id),
            dismiss_stale_approvals: draft.dismissStale,
            require_resolved_discussions: draft.resolved,
            allow_self_approval: draft.selfApproval,
          },
        }),
      ),
    onSuccess: (saved) => {
      client.setQueryData(['team', teamId, 'branch-protection', branch], saved);
      void client.invalidateQueries({ queryKey: ['team', teamId] });
      onClose(true);
    },
    onError: () => focusInvalid(form.current),
  });
  const fields = save.error instanceof ApiError ? save.error.fields : {};
  const approvalsError = outOfRange ? 'Enter a whole number from 0 to 20.' : fields['/required_approvals'];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // checked here too, so the answer comes at once (the server checks the same)
    const n = Number(draft.approvals);
    const valid = draft.approvals.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 20;
    setOutOfRange(!valid);
    if (valid) save.mutate(n);
    else {
      save.reset();
      focusInvalid(form.current);
    }
  };
  const check = (label: string, hint: string, key: 'dismissStale' | 'resolved' | 'selfApproval') => (
    <label className="flex items-start gap-2 text-sm">
      <input
        type="checkbox"
        className="mt-0.5 h-4 w-4 shrink-0"
        checked={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.checked })}
      />
      <span>
        <span className="font-medium">{label}</span>
        <span className="block text-xs text-slate-600">{hint}</span>
      </span>
    </label>
  );
  return (
    <form
      ref={form}
      noValidate
      onSubmit={submit}
      aria-label={current ? `Rules of ${branch}` : `Protect ${branch}`}
      className="flex flex-col gap-3 rounded-md border border-slate-200 bg-slate-50 p-3"
    >
      <div className="sm:max-w-xs">
        <Field label="Required approvals" hint="From 0 to 20." error={approvalsError}>
          {(p) => (
            <TextInput
              {...p}
              type="number"
              inputMode="numeric"
              autoFocus
              min={0}
              max={20}
              step={1}
              value={draft.approvals}
              onChange={(e) => setDraft({ ...draft, approvals: e.target.value })}
            />
          )}
        </Field>
      </div>
      <RoleChecklist
        legend="Required reviewer roles"
        hint="Each role checked needs an approval from someone who holds it."
        roles={roles}
        chosen={draft.roles}
        onChange={(chosen) => setDraft({ ...draft, roles: chosen })}
        error={problemsUnder(fields, '/required_reviewer_roles')}
      />
      {check('Dismiss stale approvals', 'A new commit on the proposal’s branch dismisses earlier approvals.', 'dismissStale')}
      {check('Require resolved discussions', 'Every discussion thread must be resolved before merging.', 'resolved')}
      {check('Allow self-approval', 'The proposal’s author may approve it and be counted.', 'selfApproval')}
      <ErrorNote error={save.error} title={current ? 'Could not save the rules' : `Could not protect ${branch}`} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={save.isPending}>
          {current ? 'Save rules' : `Protect ${branch}`}
        </Button>
        <Button tone="secondary" onClick={() => onClose(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
