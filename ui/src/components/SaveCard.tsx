// The Save card of the designer and the library's editors: the branch to save on, the commit
// message, saving, and showing failures, problems and version conflicts.
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, describe, unwrap, type Schemas } from '../api/client';
import { COMMIT } from '../api/ids';
import { useBranches } from '../api/queries';
import { BRANCH, NEW_BRANCH } from '../pages/designer/draft';
import { focusInvalid } from './focus';
import { Button, Card, ErrorNote, Field, TextInput, inputClass } from './ui';

/** What a save answers: the item's id and the commit that last changed it. */
export type Saved = { id: string; version: string };

/**
 * The Save card: the branch to save on (the one read, another open one, or a new one from it),
 * the commit message, Save (and Delete when `onDelete` is given). A conflict (another version on
 * the branch than the one edited) offers to keep the edits or load the latest.
 *
 * Problems: `check` and `onFields` mark them; the page moves focus to the first one, unless
 * `problems` (a summary shown in the card) is given: then focus goes to the summary.
 */
export function SaveCard<T extends Saved>({
  teamId,
  refName,
  noun,
  name,
  isNew = false,
  dirty,
  branchLabel = 'Save on branch',
  startOnNewBranch = false,
  branchSuggestion,
  defaultMessage,
  problemsWhere = 'next to the fields',
  problems,
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
  /** What is saved, in the texts: "document", "business rule", "playbook". */
  noun: string;
  name: string;
  isNew?: boolean;
  dirty: boolean;
  /** The label of the branch list (the library's pages have a "Branch" picker of their own). */
  branchLabel?: string;
  /** Offer a new branch first even when the branch read is open (a commit or a protected branch always does). */
  startOnNewBranch?: boolean;
  /** A new branch's name to start from (made unique among the branches); without it the name starts empty. */
  branchSuggestion?: string;
  /** The commit message the server writes when none is given. */
  defaultMessage: string;
  /** Where the server's field problems are shown. */
  problemsWhere?: string;
  /** A summary of the problems to fix, shown at the top of the card. */
  problems?: { count: number; items: ReactNode };
  /** The page's own checks: false when a problem is marked. */
  check: () => boolean;
  send: (branch: string, message: string | undefined) => Promise<T>;
  onSaved: (saved: T, branch: string) => void;
  /** The server refused fields (as JSON pointers of what was sent). */
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
  // until chosen: the branch read, unless it is a commit or protected (or the page prefers a new branch)
  const protectedRef = open.find((b) => b.name === refName)?.protected;
  const chosenTarget = target ?? (readOnlyRef || protectedRef || startOnNewBranch ? NEW_BRANCH : refName);
  const [branchName, setBranchName] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState<'save' | 'delete' | 'reload' | null>(null);
  const [failure, setFailure] = useState<{ error: unknown; stage: 'branch' | 'save' | 'delete' | 'reload'; branch: string } | null>(null);
  // another version on the branch than the one edited (other refusals of a save are failures)
  const [conflict, setConflict] = useState<{ branch: string; current: string } | null>(null);
  const [done, setDone] = useState<{ branch: string; commit: string } | null>(initialDone);
  const [rebased, setRebased] = useState(false);
  const card = useRef<HTMLDivElement>(null);
  const summary = useRef<HTMLDivElement>(null);

  const suggestion = useMemo(() => {
    if (!branchSuggestion) return '';
    const taken = new Set((branches.data?.items ?? []).map((b) => b.name));
    let candidate = branchSuggestion;
    for (let n = 2; taken.has(candidate); n++) candidate = `${branchSuggestion}-${n}`;
    return candidate;
    // made once the branches are known, not again on every keystroke of the name it comes from
  }, [branches.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const newName = branchName ?? suggestion;
  const chosen = open.find((b) => b.name === chosenTarget);
  const branchProblem =
    chosenTarget === NEW_BRANCH && !BRANCH.test(newName) ? 'Use lowercase letters, digits, ., _ and -, starting with a letter or digit.' : undefined;
  const [showBranchProblem, setShowBranchProblem] = useState(false);
  const from = readOnlyRef ? `commit ${refName.slice(0, 10)}` : refName;
  const focusSummary = () => requestAnimationFrame(() => summary.current?.focus());

  const save = async () => {
    setFailure(null);
    setConflict(null);
    setDone(null);
    const fine = check();
    if (branchProblem) setShowBranchProblem(true);
    if (!fine && problems) focusSummary();
    else if (fine && branchProblem) focusInvalid(card.current);
    if (!fine || branchProblem) return;
    setBusy('save');
    let branch = chosenTarget;
    try {
      if (branch === NEW_BRANCH) {
        try {
          const created = await unwrap<Schemas['Branch']>(
            api.POST('/v1/teams/{team_id}/branches', { params: { path: { team_id: teamId } }, body: { name: newName, from: refName } }),
          );
          branch = created.name;
          setTarget(created.name);
          setBranchName(null);
          setShowBranchProblem(false);
          await client.invalidateQueries({ queryKey: ['team', teamId, 'branches'] });
        } catch (error) {
          setFailure({ error, stage: 'branch', branch: newName });
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
        const current = error instanceof ApiError && error.code === 'CONFLICT' ? (error.details as { current_version?: string } | undefined)?.current_version : undefined;
        if (current && !isNew) {
          setConflict({ branch, current });
        } else {
          setFailure({ error, stage: 'save', branch });
          // field problems: the page (or the summary) takes focus
          if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && Object.keys(error.fields).length) {
            onFields(error.fields);
            if (!problems) return;
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
    setFailure(null);
    setBusy('reload');
    try {
      await onReload(branch);
      setConflict(null);
      setRebased(false);
    } catch (error) {
      setFailure({ error, stage: 'reload', branch });
      focusSummary();
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
      if (f.stage === 'reload') return describe(e);
      if (e.code === 'FORBIDDEN' && f.stage === 'save') return `${e.message}. Save on a new branch, then propose the change from Proposals.`;
      if (e.code === 'VALIDATION_FAILED') {
        const n = Object.keys(e.fields).length;
        return n ? `The server found ${n} problem${n === 1 ? '' : 's'}; ${n === 1 ? 'it is' : 'they are'} shown ${problemsWhere}.` : e.message;
      }
    }
    return describe(e);
  };
  const title = (f: NonNullable<typeof failure>) =>
    f.stage === 'branch'
      ? 'Could not create the branch'
      : f.stage === 'delete'
        ? `Could not delete the ${noun}`
        : f.stage === 'reload'
          ? `Could not load the latest version on ${f.branch}`
          : `Could not save on ${f.branch}`;

  return (
    <Card title="Save">
      <div ref={card} className="flex flex-col gap-4">
        <div ref={summary} tabIndex={-1} className="flex flex-col gap-2 outline-none">
          {failure && (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">{title(failure)}</p>
              <div>{failureText(failure)}</div>
            </div>
          )}
          {problems && problems.count > 0 && (
            <div role={failure ? undefined : 'alert'} className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">
                {problems.count} problem{problems.count === 1 ? '' : 's'} to fix before saving
              </p>
              <ul className="list-disc pl-5">{problems.items}</ul>
            </div>
          )}
          {conflict && (
            <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950">
              <p className="font-medium">
                The {noun} on {conflict.branch} has changed since the version you are editing.
              </p>
              <p>
                Someone else saved it (or the branch holds a different version): it is now at {conflict.current.slice(0, 10)}. Your edits are still
                here.
              </p>
              <div className="mt-2 flex flex-wrap gap-2">
                <Button
                  tone="secondary"
                  disabled={!!busy}
                  onClick={() => {
                    onRebase(conflict.current);
                    setConflict(null);
                    setRebased(true);
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
            label={branchLabel}
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
                  value={newName}
                  maxLength={100}
                  spellCheck={false}
                  placeholder={branchSuggestion ? undefined : 'e.g. update-forms'}
                  onChange={(e) => setBranchName(e.target.value)}
                />
              )}
            </Field>
          )}
          <div className="md:col-span-2">
            <Field label="Commit message" hint={`What changed and why. Default: “${defaultMessage}”.`}>
              {(p) => <TextInput {...p} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button busy={busy === 'save'} disabled={!!busy} onClick={() => void save()}>
            {isNew
              ? `Create ${noun} ${chosenTarget === NEW_BRANCH ? 'on a new branch' : `on ${chosenTarget}`}`
              : chosenTarget === NEW_BRANCH
                ? 'Create branch and save'
                : `Save on ${chosenTarget}`}
          </Button>
          <span className="text-sm text-slate-700">{dirty ? 'Unsaved changes.' : 'No unsaved changes.'}</span>
          {onDelete &&
            !isNew &&
            !readOnlyRef &&
            // a protected branch refuses deletes: they come by merging a proposal
            (protectedRef ? (
              <p className="text-sm text-slate-700 sm:ml-auto">
                {refName} is protected: delete the {noun} on another branch, then propose the change.
              </p>
            ) : (
              <Button tone="danger" className="sm:ml-auto" busy={busy === 'delete'} disabled={!!busy} onClick={() => void remove()}>
                Delete {noun}
              </Button>
            ))}
        </div>
        {branches.error != null && <ErrorNote error={branches.error} title="Could not load the branches" />}
      </div>
    </Card>
  );
}
