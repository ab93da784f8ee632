// The Save card: choosing or creating a branch, the commit message, saving, and showing problems and conflicts.
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, describe, unwrap, type Schemas } from '../../api/client';
import { COMMIT } from '../../api/ids';
import { useBranches } from '../../api/queries';
import { Button, Card, ErrorNote, Field, TextInput, inputClass } from '../../components/ui';
import { BRANCH, NEW_BRANCH, problemCount, slug, toBody, type Draft, type Playbook, type Problems } from './draft';

export function SavePanel({
  teamId,
  refName,
  playbookId,
  draft,
  dirty,
  baseVersion,
  problemTotal,
  problems,
  onCheck,
  onProblems,
  onSelectStep,
  onSaved,
  onRebase,
  onReload,
}: {
  teamId: string;
  refName: string;
  playbookId: string;
  draft: Draft;
  dirty: boolean;
  baseVersion: string;
  problemTotal: number;
  problems: Problems;
  onCheck: () => Problems;
  onProblems: (errors: Record<string, string>, sentKeys: string[]) => void;
  onSelectStep: (key: string) => void;
  onSaved: (p: Playbook, branch: string) => void;
  onRebase: (version: string) => void;
  onReload: (p: Playbook, branch: string) => void;
}) {
  const client = useQueryClient();
  const branches = useBranches(teamId);
  const open = (branches.data?.items ?? []).filter((b) => b.status === 'active' || b.status === 'stale');
  const [target, setTarget] = useState(() => (COMMIT.test(refName) || refName === 'main' ? NEW_BRANCH : refName));
  const [branchName, setBranchName] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ error: unknown; stage: 'branch' | 'save'; branch: string } | null>(null);
  const [conflict, setConflict] = useState<{ branch: string; current?: string } | null>(null);
  const [done, setDone] = useState<{ branch: string; commit: string } | null>(null);
  const [rebased, setRebased] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const suggestion = useMemo(() => {
    const taken = new Set((branches.data?.items ?? []).map((b) => b.name));
    const base = `edit-${slug(draft.name || 'playbook', new Set()).replaceAll('_', '-')}`.slice(0, 90);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}`;
    return candidate;
    // made once the branches are known, not again on every keystroke of the playbook's name
  }, [branches.data]); // eslint-disable-line react-hooks/exhaustive-deps
  const newName = branchName ?? suggestion;
  const chosen = open.find((b) => b.name === target);
  const branchProblem = target === NEW_BRANCH && !BRANCH.test(newName) ? 'Use lowercase letters, digits, ., _ and -, starting with a letter or digit.' : undefined;
  const from = COMMIT.test(refName) ? `commit ${refName.slice(0, 10)}` : refName;

  const save = async () => {
    setFailure(null);
    setConflict(null);
    setDone(null);
    const found = onCheck();
    if (problemCount(found) || branchProblem) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setBusy(true);
    let branch = target;
    try {
      if (target === NEW_BRANCH) {
        try {
          const created = await unwrap<Schemas['Branch']>(
            api.POST('/v1/teams/{team_id}/branches', { params: { path: { team_id: teamId } }, body: { name: newName, from: refName } }),
          );
          branch = created.name;
          setTarget(created.name);
          setBranchName(null);
          await client.invalidateQueries({ queryKey: ['team', teamId, 'branches'] });
        } catch (error) {
          setFailure({ error, stage: 'branch', branch: newName });
          return;
        }
      }
      const sentKeys = draft.steps.map((s) => s.key);
      try {
        const saved = await unwrap<Playbook>(
          api.PUT('/v1/teams/{team_id}/processes/{process_id}', {
            params: { path: { team_id: teamId, process_id: playbookId }, query: { ref: branch } },
            body: { ...toBody(draft), version: baseVersion, message: message.trim() || undefined },
          }),
        );
        setDone({ branch, commit: saved.version });
        setMessage('');
        setRebased(false);
        onSaved(saved, branch);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONFLICT') {
          const current = (error.details as { current_version?: string } | undefined)?.current_version;
          setConflict({ branch, current });
        } else {
          if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') onProblems(error.fields, sentKeys);
          setFailure({ error, stage: 'save', branch });
        }
        requestAnimationFrame(() => summary.current?.focus());
      }
    } finally {
      setBusy(false);
    }
  };

  const reload = async (branch: string) => {
    setBusy(true);
    try {
      const latest = await unwrap<Playbook>(
        api.GET('/v1/teams/{team_id}/processes/{process_id}', { params: { path: { team_id: teamId, process_id: playbookId }, query: { ref: branch } } }),
      );
      setConflict(null);
      onReload(latest, branch);
    } catch (error) {
      setFailure({ error, stage: 'save', branch });
    } finally {
      setBusy(false);
    }
  };
  const rebase = async (c: { branch: string; current?: string }) => {
    let version = c.current;
    if (!version) {
      try {
        version = (
          await unwrap<Playbook>(
            api.GET('/v1/teams/{team_id}/processes/{process_id}', { params: { path: { team_id: teamId, process_id: playbookId }, query: { ref: c.branch } } }),
          )
        ).version;
      } catch (error) {
        setFailure({ error, stage: 'save', branch: c.branch });
        return;
      }
    }
    onRebase(version);
    setConflict(null);
    setRebased(true);
  };

  const failureText = (f: NonNullable<typeof failure>): ReactNode => {
    const e = f.error;
    if (e instanceof ApiError) {
      if (f.stage === 'branch' && e.code === 'CONFLICT') return `A branch named ${f.branch} already exists. Choose it in the list, or give another name.`;
      if (f.stage === 'branch' && e.code === 'VALIDATION_FAILED') return `The branch name is not allowed: ${Object.values(e.fields).join(' ') || e.message}.`;
      if (e.code === 'FORBIDDEN') return `${e.message}. Save on another branch, then propose the change from Proposals.`;
      if (e.code === 'VALIDATION_FAILED') return `The server found ${Object.keys(e.fields).length || 'some'} problem(s); they are shown next to the steps.`;
    }
    return describe(e);
  };
  const stepsWithProblems = draft.steps.filter((s) => Object.keys(problems.steps[s.key] ?? {}).length);

  return (
    <Card title="Save">
      <div className="flex flex-col gap-4">
        <div ref={summary} tabIndex={-1} className="flex flex-col gap-2 outline-none">
          {failure && (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">{failure.stage === 'branch' ? 'Could not create the branch' : `Could not save on ${failure.branch}`}</p>
              <p>{failureText(failure)}</p>
            </div>
          )}
          {problemTotal > 0 && (
            <div role={failure ? undefined : 'alert'} className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
              <p className="font-medium">
                {problemTotal} problem{problemTotal === 1 ? '' : 's'} to fix before saving
              </p>
              <ul className="list-disc pl-5">
                {Object.entries(problems.top).map(([f, m]) => (
                  <li key={f}>
                    {f.replace(/^\//, '').replaceAll('/', ' › ') || 'playbook'}: {m}
                  </li>
                ))}
                {stepsWithProblems.map((s) => (
                  <li key={s.key}>
                    <button type="button" className="text-left underline" onClick={() => onSelectStep(s.key)}>
                      {s.name || 'Untitled step'}
                    </button>
                    : {Object.values(problems.steps[s.key]).join(' ')}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {conflict && (
            <div role="alert" className="rounded-md border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950">
              <p className="font-medium">The playbook on {conflict.branch} has changed since the version you are editing.</p>
              <p>
                Someone else saved it (or the branch holds a different version){conflict.current ? `: it is now at ${conflict.current.slice(0, 10)}` : ''}. Your
                edits are still here.
              </p>
              <div className="mt-2 flex flex-wrap gap-2">
                <Button tone="secondary" busy={busy} onClick={() => void rebase(conflict)}>
                  Keep my edits and replace their version
                </Button>
                <Button
                  tone="secondary"
                  busy={busy}
                  onClick={() => {
                    if (window.confirm('Discard your edits and load the latest version?')) void reload(conflict.branch);
                  }}
                >
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
            label="Branch"
            hint={
              target === NEW_BRANCH
                ? `A new branch from ${from}.`
                : chosen?.protected
                  ? `${chosen.name} is protected: it may only change by merging an approved proposal.`
                  : undefined
            }
          >
            {(p) => (
              <select {...p} className={inputClass} value={target} onChange={(e) => setTarget(e.target.value)}>
                <option value={NEW_BRANCH}>New branch…</option>
                {!open.some((b) => b.name === target) && target !== NEW_BRANCH && <option value={target}>{target}</option>}
                {open.map((b) => (
                  <option key={b.id} value={b.name}>
                    {b.name}
                    {b.protected ? ' (protected)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {target === NEW_BRANCH && (
            <Field label="New branch name" error={branchProblem}>
              {(p) => <TextInput {...p} value={newName} maxLength={100} spellCheck={false} onChange={(e) => setBranchName(e.target.value)} />}
            </Field>
          )}
          <div className="md:col-span-2">
            <Field label="Commit message" hint={`What changed and why. Default: “Update ${draft.name}”.`}>
              {(p) => <TextInput {...p} value={message} maxLength={1000} onChange={(e) => setMessage(e.target.value)} />}
            </Field>
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button busy={busy} onClick={() => void save()}>
            {target === NEW_BRANCH ? 'Create branch and save' : `Save on ${target}`}
          </Button>
          <span className="text-sm text-slate-700">{dirty ? 'Unsaved changes.' : 'No unsaved changes.'}</span>
        </div>
        {branches.error != null && <ErrorNote error={branches.error} title="Could not load the branches" />}
      </div>
    </Card>
  );
}
