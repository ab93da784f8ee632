// What the library's pages share: the branch picker, the guard against leaving unsaved edits,
// and the Save card (branch, commit message, save, delete, conflicts) of a document or rule.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useBlocker } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, describe, unwrap, type Schemas } from '../../api/client';
import { COMMIT } from '../../api/ids';
import { useBranches } from '../../api/queries';
import { Button, Card, ErrorNote, Field, TextInput, inputClass, when } from '../../components/ui';
import { BRANCH, NEW_BRANCH } from '../designer/draft';

/** The link to a document or rule on a ref (the ref is left out for main). */
export const itemPath = (kind: 'documents' | 'rules', id: string, ref: string) =>
  `/library/${kind}/${id}${ref && ref !== 'main' ? `?ref=${encodeURIComponent(ref)}` : ''}`;

/** The library's list on a ref, on the tab of `kind`. */
export const listPath = (kind: 'documents' | 'rules', ref: string) => {
  const q = new URLSearchParams();
  if (kind === 'rules') q.set('tab', 'rules');
  if (ref && ref !== 'main') q.set('ref', ref);
  const s = q.toString();
  return `/library${s ? `?${s}` : ''}`;
};

/** The branch (or commit) the page reads, with a line about the chosen branch. */
export function RefPicker({ teamId, value, onChange }: { teamId: string | null; value: string; onChange: (ref: string) => void }) {
  const branches = useBranches(teamId);
  const list = branches.data?.items ?? [];
  const current = list.find((b) => b.name === value);
  return (
    <div className="mb-4 flex flex-wrap items-end gap-3">
      <label className="flex w-full flex-col gap-1 text-sm font-medium text-slate-800 sm:w-72">
        Branch
        <select className={inputClass} value={value} onChange={(e) => onChange(e.target.value)}>
          {!list.some((b) => b.name === value) && <option value={value}>{COMMIT.test(value) ? `commit ${value.slice(0, 10)}` : value}</option>}
          {list.map((b) => (
            <option key={b.id} value={b.name}>
              {b.name}
              {b.protected ? ' (protected)' : ''}
              {b.status !== 'active' ? ` — ${b.status}` : ''}
            </option>
          ))}
        </select>
      </label>
      {current && current.name !== 'main' && (
        <p className="text-sm text-slate-700">
          {current.type} branch{current.base_branch ? ` from ${current.base_branch}` : ''}, updated {when(current.updated_at)}
        </p>
      )}
      {branches.error && <ErrorNote error={branches.error} title="Could not load the branches" />}
    </div>
  );
}

/**
 * Keeps unsaved edits: the browser asks before closing the tab, and leaving for another page
 * asks first (the dialog this returns). `skip` lets a page leave on purpose after a save.
 */
export function useUnsavedGuard(dirty: boolean) {
  const skip = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !skip.current && currentLocation.pathname !== nextLocation.pathname);
  const dialog =
    blocker.state === 'blocked' ? (
      <div
        role="alertdialog"
        aria-labelledby="leave-title"
        className="fixed inset-x-4 bottom-4 z-50 mx-auto max-w-lg rounded-md border border-amber-400 bg-amber-50 p-4 text-sm text-amber-950 shadow-lg"
      >
        <p id="leave-title" className="font-medium">
          Leave this page? Your changes are not saved.
        </p>
        <div className="mt-2 flex gap-2">
          <Button autoFocus tone="secondary" onClick={() => blocker.reset()}>
            Stay
          </Button>
          <Button tone="danger" onClick={() => blocker.proceed()}>
            Leave without saving
          </Button>
        </div>
      </div>
    ) : null;
  return { dialog, skip };
}

/** What a save answers: the item's id and the commit that last changed it. */
export type Saved = { id: string; version: string };

/**
 * The Save card of a document or rule: the branch to save on (the one read, another, or a new
 * one from it), the commit message, Save and Delete. Problems stay next to their fields (the
 * page shows them from `onFields`); a conflict offers to keep the edits or load the latest.
 */
export function SaveCard({
  teamId,
  refName,
  noun,
  name,
  isNew,
  dirty,
  check,
  send,
  onSaved,
  onFields,
  onRebase,
  onReload,
  onDelete,
  deleteProblem,
  initialDone = null,
}: {
  teamId: string;
  refName: string;
  noun: string;
  name: string;
  isNew: boolean;
  dirty: boolean;
  /** The page's own checks: false when a field is marked (the page moves focus to it). */
  check: () => boolean;
  send: (branch: string, message: string | undefined) => Promise<Saved>;
  onSaved: (saved: Saved, branch: string) => void;
  onFields: (fields: Record<string, string>) => void;
  /** Keep the edits, now based on `version` (the branch's current one). */
  onRebase: (version: string) => void;
  /** Discard the edits: load the item as it is on `branch`. */
  onReload: (branch: string) => Promise<void>;
  onDelete?: () => Promise<void>;
  /** Words for a refused delete (e.g. which playbooks still use a document). */
  deleteProblem?: (error: ApiError) => ReactNode | null;
  /** A save that led to this page (after creating, or saving on another branch). */
  initialDone?: { branch: string; commit: string } | null;
}) {
  const client = useQueryClient();
  const branches = useBranches(teamId);
  const open = (branches.data?.items ?? []).filter((b) => b.status === 'active' || b.status === 'stale');
  const readOnlyRef = COMMIT.test(refName);
  const [target, setTarget] = useState<string | null>(null);
  // until chosen: the branch read, unless it is a commit or protected (then a new branch)
  const protectedRef = open.find((b) => b.name === refName)?.protected;
  const chosenTarget = target ?? (readOnlyRef || protectedRef ? NEW_BRANCH : refName);
  const [branchName, setBranchName] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<'save' | 'delete' | 'reload' | null>(null);
  const [failure, setFailure] = useState<{ error: unknown; stage: 'branch' | 'save' | 'delete'; branch: string } | null>(null);
  const [conflict, setConflict] = useState<{ branch: string; current?: string } | null>(null);
  const [done, setDone] = useState<{ branch: string; commit: string } | null>(initialDone);
  const [rebased, setRebased] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const chosen = open.find((b) => b.name === chosenTarget);
  const branchProblem =
    chosenTarget === NEW_BRANCH && !BRANCH.test(branchName) ? 'Use lowercase letters, digits, ., _ and -, starting with a letter or digit.' : undefined;
  const [showBranchProblem, setShowBranchProblem] = useState(false);
  const from = readOnlyRef ? `commit ${refName.slice(0, 10)}` : refName;
  const focusSummary = () => requestAnimationFrame(() => summary.current?.focus());

  const save = async () => {
    setFailure(null);
    setConflict(null);
    setDone(null);
    const fine = check();
    if (branchProblem) setShowBranchProblem(true);
    if (!fine || branchProblem) return;
    setBusy('save');
    let branch = chosenTarget;
    try {
      if (branch === NEW_BRANCH) {
        try {
          const created = await unwrap<Schemas['Branch']>(
            api.POST('/v1/teams/{team_id}/branches', { params: { path: { team_id: teamId } }, body: { name: branchName, from: refName } }),
          );
          branch = created.name;
          setTarget(created.name);
          setBranchName('');
          setShowBranchProblem(false);
          await client.invalidateQueries({ queryKey: ['team', teamId, 'branches'] });
        } catch (error) {
          setFailure({ error, stage: 'branch', branch: branchName });
          focusSummary();
          return;
        }
      }
      try {
        const saved = await send(branch, message.trim() || undefined);
        setDone({ branch, commit: saved.version });
        setMessage('');
        setRebased(false);
        void client.invalidateQueries({ queryKey: ['team', teamId] });
        onSaved(saved, branch);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONFLICT' && !isNew) {
          setConflict({ branch, current: (error.details as { current_version?: string } | undefined)?.current_version });
        } else {
          setFailure({ error, stage: 'save', branch });
          // field problems: the page moves focus to the first one
          if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && Object.keys(error.fields).length) {
            onFields(error.fields);
            return;
          }
        }
        focusSummary();
      }
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!onDelete) return;
    if (!window.confirm(`Delete the ${noun} “${name}” from ${refName}? Instances already running keep the version they started with.`)) return;
    setFailure(null);
    setDone(null);
    setBusy('delete');
    try {
      await onDelete();
    } catch (error) {
      setFailure({ error, stage: 'delete', branch: refName });
      focusSummary();
    } finally {
      setBusy(null);
    }
  };

  const reload = async (branch: string) => {
    if (!window.confirm('Discard your edits and load the latest version?')) return;
    setBusy('reload');
    try {
      await onReload(branch);
      setConflict(null);
      setRebased(false);
    } catch (error) {
      setFailure({ error, stage: 'save', branch });
    } finally {
      setBusy(null);
    }
  };

  const failureText = (f: NonNullable<typeof failure>): ReactNode => {
    const e = f.error;
    if (e instanceof ApiError) {
      if (f.stage === 'delete') {
        const special = deleteProblem?.(e);
        if (special) return special;
      }
      if (f.stage === 'branch' && e.code === 'CONFLICT') return `A branch named ${f.branch} already exists. Choose it in the list, or give another name.`;
      if (f.stage === 'branch' && e.code === 'VALIDATION_FAILED') return `The branch name is not allowed: ${Object.values(e.fields).join(' ') || e.message}.`;
      if (e.code === 'FORBIDDEN') return `${e.message}. Save on a new branch, then propose the change from Proposals.`;
      if (e.code === 'VALIDATION_FAILED') {
        const n = Object.keys(e.fields).length;
        return n ? `The server found ${n} problem${n === 1 ? '' : 's'}; ${n === 1 ? 'it is' : 'they are'} shown next to the fields.` : e.message;
      }
    }
    return describe(e);
  };
  const title = (f: NonNullable<typeof failure>) =>
    f.stage === 'branch' ? 'Could not create the branch' : f.stage === 'delete' ? `Could not delete the ${noun}` : `Could not save on ${f.branch}`;

  return (
    <Card title="Save">
      <div className="flex flex-col gap-4">
        <div ref={summary} tabIndex={-1} className="flex flex-col gap-2 outline-none">
          {failure && (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">{title(failure)}</p>
              <div>{failureText(failure)}</div>
            </div>
          )}
          {conflict && (
            <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950">
              <p className="font-medium">
                The {noun} on {conflict.branch} has changed since the version you are editing.
              </p>
              <p>
                Someone else saved it (or the branch holds a different version){conflict.current ? `: it is now at ${conflict.current.slice(0, 10)}` : ''}. Your
                edits are still here.
              </p>
              <div className="mt-2 flex flex-wrap gap-2">
                <Button
                  tone="secondary"
                  disabled={!!busy}
                  onClick={() => {
                    if (conflict.current) {
                      onRebase(conflict.current);
                      setConflict(null);
                      setRebased(true);
                    } else void reload(conflict.branch);
                  }}
                >
                  Keep my edits and replace their version
                </Button>
                <Button tone="secondary" busy={busy === 'reload'} disabled={!!busy} onClick={() => void reload(conflict.branch)}>
                  Reload the latest (discard my edits)
                </Button>
              </div>
            </div>
          )}
          {rebased && !conflict && (
            <p role="status" className="text-sm text-amber-900">
              Your edits now replace the latest version when you save again.
            </p>
          )}
          {done && (
            <p role="status" className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900">
              Saved on <strong>{done.branch}</strong> as commit <code>{done.commit.slice(0, 10)}</code>.
              {done.branch !== 'main' && ' To bring it into main, open a change proposal under Proposals.'}
            </p>
          )}
        </div>

        <div className="grid gap-4 md:grid-cols-2">
          <Field
            label="Save on branch"
            hint={
              chosenTarget === NEW_BRANCH
                ? `A new branch from ${from}.`
                : chosen?.protected
                  ? `${chosen.name} is protected: it changes only by merging an approved proposal.`
                  : undefined
            }
          >
            {(p) => (
              <select {...p} className={inputClass} value={chosenTarget} onChange={(e) => setTarget(e.target.value)}>
                <option value={NEW_BRANCH}>New branch…</option>
                {!open.some((b) => b.name === chosenTarget) && chosenTarget !== NEW_BRANCH && <option value={chosenTarget}>{chosenTarget}</option>}
                {open.map((b) => (
                  <option key={b.id} value={b.name}>
                    {b.name}
                    {b.protected ? ' (protected)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {chosenTarget === NEW_BRANCH && (
            <Field label="New branch name" error={showBranchProblem ? branchProblem : undefined}>
              {(p) => (
                <TextInput
                  {...p}
                  value={branchName}
                  maxLength={100}
                  spellCheck={false}
                  placeholder="e.g. update-forms"
                  onChange={(e) => setBranchName(e.target.value)}
                />
              )}
            </Field>
          )}
          <div className="md:col-span-2">
            <Field label="Commit message" hint={`What changed and why. Default: “Save ${noun === 'business rule' ? 'rule' : noun} ${name || '…'}”.`}>
              {(p) => <TextInput {...p} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button busy={busy === 'save'} disabled={!!busy} onClick={() => void save()}>
            {isNew ? `Create ${noun}` : 'Save'}
            {chosenTarget === NEW_BRANCH ? ' on a new branch' : ` on ${chosenTarget}`}
          </Button>
          <span className="text-sm text-slate-700">{dirty ? 'Unsaved changes.' : 'No unsaved changes.'}</span>
          {onDelete && !isNew && !readOnlyRef && (
            <Button tone="danger" className="sm:ml-auto" busy={busy === 'delete'} disabled={!!busy} onClick={() => void remove()}>
              Delete {noun}
            </Button>
          )}
        </div>
        {branches.error != null && <ErrorNote error={branches.error} title="Could not load the branches" />}
      </div>
    </Card>
  );
}

/**
 * Focus for a form whose checks failed: call the answered function after marking the problems;
 * once they are drawn, the first field marked invalid (or problem marked `data-problem`) inside
 * `root` gets focus.
 */
export function useFocusProblem(root: RefObject<HTMLElement | null>) {
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (asked) root.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-problem]')?.focus();
  }, [asked, root]);
  return () => setAsked((n) => n + 1);
}

/** A list of words typed as text, separated by commas (tags, ids). */
export const splitList = (text: string) => [
  ...new Set(
    text
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];
