// One change proposal: what it changes, side by side per step; its discussion with comments
// anchored to steps; reviews (approve, request changes, reject); merging, and a conflict view
// where a person picks ours, theirs or base, or writes the value, per conflict.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { useMembers, useTeam } from '../api/team';
import { Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, inputClass, when } from '../components/ui';
import { LibraryDiffView, show, type StepFrame } from '../components/LibraryDiff';

type Proposal = Schemas['ChangeProposal'];
type Comment = Schemas['ProposalComment'];

export default function ProposalPage() {
  const { proposalId } = useParams();
  const { teamId, me, can } = useTeam();
  const client = useQueryClient();
  const path = { team_id: teamId!, proposal_id: proposalId! };
  const proposal = useQuery({
    queryKey: ['team', teamId, 'proposal', proposalId],
    queryFn: () => unwrap<Proposal>(api.GET('/v1/teams/{team_id}/change-proposals/{proposal_id}', { params: { path } })),
    enabled: !!teamId,
  });
  const members = useMembers(teamId);
  const who = (id: string) => members.nameOf(id) ?? 'someone';
  const refresh = () => client.invalidateQueries({ queryKey: ['team', teamId] });
  const submit = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/submit', { params: { path } })),
    onSuccess: refresh,
  });
  const [mergeId, setMergeId] = useState<string | null>(null);
  const merge = useMutation({
    mutationFn: () =>
      unwrap<Proposal>(api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/merge', { params: { path }, body: { merge_id: mergeId } })),
    onSuccess: () => {
      setMergeId(null);
      void refresh();
    },
  });

  return (
    <Loaded query={proposal}>
      {(p) => {
        const mine = p.proposed_by === me.data?.id;
        const open = p.status !== 'merged' && p.status !== 'rejected';
        const r = p.requirements;
        return (
          <div className="flex flex-col gap-4">
            <PageHeader title={p.title}>
              <Badge value={p.status} />
            </PageHeader>
            <p className="text-sm text-slate-700">
              <code>{p.source_branch}</code> into <code>{p.target_branch}</code> · proposed by {who(p.proposed_by)} · {when(p.created_at)}
              {p.merge_commit && (
                <>
                  {' '}
                  · merged as <code>{p.merge_commit.slice(0, 10)}</code> {when(p.merged_at)}
                </>
              )}
            </p>
            {p.description && <p className="whitespace-pre-wrap">{p.description}</p>}
            <Card title="Ready to merge?">
              <ul className="mb-3 list-inside list-disc text-sm">
                <li>
                  Approvals: {r.approvals} of {r.required_approvals} required{r.protected ? ` (${p.target_branch} is protected)` : ''}
                </li>
                {r.conflicts != null && <li>Conflicts: {r.conflicts}</li>}
                {r.violations != null && <li>Rule violations in the result: {r.violations}</li>}
                {r.unmet.map((u) => (
                  <li key={u}>Missing: {u}</li>
                ))}
                {r.met && r.mergeable !== false && <li>Everything the target asks for is met.</li>}
              </ul>
              <div className="flex flex-wrap gap-2">
                {p.status === 'draft' && mine && (
                  <Button onClick={() => submit.mutate()} busy={submit.isPending}>
                    Submit for review
                  </Button>
                )}
                {open && p.status !== 'draft' && can('editor') && (
                  <Button onClick={() => merge.mutate()} busy={merge.isPending} disabled={!r.met || (!!r.conflicts && !mergeId)}>
                    Merge{mergeId ? ' with my resolutions' : ''}
                  </Button>
                )}
              </div>
              <ErrorNote error={submit.error ?? merge.error} title="Could not do that" />
            </Card>
            {open && !!r.conflicts && can('editor') && <Conflicts proposal={p} onReady={setMergeId} />}
            <Changes proposal={p} who={who} />
            <div className="grid gap-4 lg:grid-cols-2">
              <Discussion proposal={p} who={who} />
              <Reviews proposal={p} who={who} canReview={open && !mine && can('editor') && p.status !== 'draft'} />
            </div>
          </div>
        );
      }}
    </Loaded>
  );
}

function Changes({ proposal, who }: { proposal: Proposal; who: (id: string) => string }) {
  if (!proposal.diff) return null;
  const step: StepFrame = ({ playbookId, stepId, name, title, children }) => (
    <StepBlock proposal={proposal} playbookId={playbookId} stepId={stepId} name={name} title={title} who={who}>
      {children}
    </StepBlock>
  );
  return (
    <Card title="Changes">
      <LibraryDiffView
        diff={proposal.diff}
        sides={{ old: `now on ${proposal.target_branch}`, new: `proposed on ${proposal.source_branch}` }}
        empty={`The branch changes nothing on ${proposal.target_branch}.`}
        step={step}
      />
    </Card>
  );
}

/** One step's change with the comments anchored to it, and a form to add one. */
function StepBlock({
  proposal,
  playbookId,
  stepId,
  name,
  title,
  who,
  children,
}: {
  proposal: Proposal;
  playbookId: string;
  stepId: string;
  name: string;
  title: string;
  who: (id: string) => string;
  children: ReactNode;
}) {
  const comments = proposal.discussion.filter((c) => c.anchor?.playbook_id === playbookId && c.anchor?.step_id === stepId);
  const [writing, setWriting] = useState(false);
  return (
    <li className="rounded-md border border-slate-200 p-3">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
        <h4 className="font-medium">{title}</h4>
        <Button tone="secondary" aria-expanded={writing} onClick={() => setWriting(!writing)}>
          Comment on this step<span className="sr-only"> {name}</span>
        </Button>
      </div>
      {children}
      <CommentList comments={comments} who={who} proposal={proposal} />
      {writing && <CommentForm proposal={proposal} anchor={{ playbook_id: playbookId, step_id: stepId }} onDone={() => setWriting(false)} />}
    </li>
  );
}

function CommentList({ comments, who, proposal }: { comments: Comment[]; who: (id: string) => string; proposal: Proposal }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const resolve = useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/comments/{comment_id}/resolve', {
          params: { path: { team_id: teamId!, proposal_id: proposal.id, comment_id: id } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: ['team', teamId] }),
  });
  if (!comments.length) return null;
  return (
    <ul className="mt-3 flex flex-col gap-2">
      {comments.map((c) => (
        <li key={c.id} className={`rounded border-l-4 p-2 text-sm ${c.resolved ? 'border-slate-300 bg-slate-50' : 'border-indigo-400 bg-indigo-50'}`}>
          <p className="text-xs text-slate-700">
            {who(c.author_id)} · {when(c.created_at)}
            {c.resolved && ' · resolved'}
          </p>
          <p className="whitespace-pre-wrap">{c.body}</p>
          {!c.resolved && !c.reply_to && (
            <button type="button" className="mt-1 text-xs text-indigo-800 underline" onClick={() => resolve.mutate(c.id)}>
              Resolve thread
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

function CommentForm({ proposal, anchor, onDone }: { proposal: Proposal; anchor?: Schemas['CommentAnchor']; onDone?: () => void }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/comments', {
          params: { path: { team_id: teamId!, proposal_id: proposal.id } },
          body: { body, anchor },
        }),
      ),
    onSuccess: () => {
      setBody('');
      onDone?.();
      void client.invalidateQueries({ queryKey: ['team', teamId] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <form onSubmit={submit} className="mt-3 flex flex-col gap-2">
      <Field label={anchor?.step_id ? `Comment on step ${anchor.step_id}` : 'Comment'}>
        {(p) => <textarea {...p} className={inputClass} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <ErrorNote error={add.error} title="Could not post the comment" />
      <div>
        <Button type="submit" tone="secondary" busy={add.isPending}>
          Post comment
        </Button>
      </div>
    </form>
  );
}

function Discussion({ proposal, who }: { proposal: Proposal; who: (id: string) => string }) {
  const general = proposal.discussion.filter((c) => !c.anchor?.step_id);
  return (
    <Card title="Discussion">
      {!general.length && <p className="text-sm text-slate-600">No comments yet.</p>}
      <CommentList comments={general} who={who} proposal={proposal} />
      <CommentForm proposal={proposal} />
    </Card>
  );
}

function Reviews({ proposal, who, canReview }: { proposal: Proposal; who: (id: string) => string; canReview: boolean }) {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const [comments, setComments] = useState('');
  const review = useMutation({
    mutationFn: (status: Schemas['ReviewDecision']) =>
      unwrap(
        api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/review', {
          params: { path: { team_id: teamId!, proposal_id: proposal.id } },
          body: { status, comments: comments || undefined },
        }),
      ),
    onSuccess: () => {
      setComments('');
      void client.invalidateQueries({ queryKey: ['team', teamId] });
    },
  });
  return (
    <Card title="Reviews">
      {!proposal.reviews.length && <p className="text-sm text-slate-600">No reviews yet.</p>}
      <ul className="mb-3 flex flex-col gap-2">
        {proposal.reviews.map((r) => (
          <li key={r.id} className="text-sm">
            <Badge value={r.status} /> {who(r.reviewer_id)} · {when(r.reviewed_at)}
            {r.dismissed && ' · no longer counts'}
            {r.comments && <p className="whitespace-pre-wrap">{r.comments}</p>}
          </li>
        ))}
      </ul>
      {canReview && (
        <div className="flex flex-col gap-2">
          <Field label="Review comment">
            {(p) => <textarea {...p} className={inputClass} rows={3} value={comments} onChange={(e) => setComments(e.target.value)} />}
          </Field>
          <div className="flex flex-wrap gap-2">
            <Button onClick={() => review.mutate('approved')} busy={review.isPending}>
              Approve
            </Button>
            <Button tone="secondary" onClick={() => review.mutate('changes_requested')} busy={review.isPending}>
              Request changes
            </Button>
            <Button tone="danger" onClick={() => review.mutate('rejected')} busy={review.isPending}>
              Reject
            </Button>
          </div>
          <ErrorNote error={review.error} title="Could not record the review" />
        </div>
      )}
    </Card>
  );
}

/** Drafts a merge of the proposal's branches and lets a person resolve each conflict. */
function Conflicts({ proposal, onReady }: { proposal: Proposal; onReady: (mergeId: string | null) => void }) {
  const { teamId } = useTeam();
  const [draft, setDraft] = useState<Schemas['MergeDraft'] | null>(null);
  // per conflict: the side chosen, and the JSON text written for `value` (kept while other sides are tried)
  const [choices, setChoices] = useState<Record<string, { choice: Schemas['ResolutionChoice']; value?: string }>>({});
  // per conflict: why its written value cannot be sent
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const start = useMutation({
    mutationFn: () =>
      unwrap<Schemas['MergeDraft']>(
        api.POST('/v1/teams/{team_id}/merges', {
          params: { path: { team_id: teamId! } },
          body: { source: proposal.source_branch, target: proposal.target_branch, resolutions_from: draft?.id },
        }),
      ),
    onSuccess: (d) => {
      setDraft(d);
      onReady(null);
    },
  });
  const save = useMutation({
    mutationFn: (resolutions: Schemas['ResolutionInput'][]) =>
      unwrap<Schemas['MergeDraft']>(
        api.PUT('/v1/teams/{team_id}/merges/{merge_id}/resolutions', {
          params: { path: { team_id: teamId!, merge_id: draft!.id } },
          body: { resolutions },
        }),
      ),
    onSuccess: (d) => {
      setDraft(d);
      onReady(d.conflicts.every((c) => c.resolved) ? d.id : null);
    },
  });
  /** Chooses a side for a conflict, keeping the text written so far unless `value` replaces it. */
  const pick = (id: string, choice: Schemas['ResolutionChoice'], value?: string) => {
    setChoices((all) => ({ ...all, [id]: { choice, value: value ?? all[id]?.value } }));
    setInvalid(({ [id]: _, ...rest }) => rest);
  };
  /** The text the value editor starts from: the value already resolved, else theirs, as JSON. */
  const prefill = (c: Schemas['MergeConflict']) =>
    JSON.stringify(c.resolution?.choice === 'value' ? c.resolution.value : c.theirs.value, null, 2) ?? '';
  /** Every chosen resolution, with written values parsed as JSON; nothing when one does not parse. */
  const submit = () => {
    const problems: Record<string, string> = {};
    const resolutions: Schemas['ResolutionInput'][] = [];
    for (const [conflict_id, c] of Object.entries(choices)) {
      if (c.choice !== 'value') {
        resolutions.push({ conflict_id, choice: c.choice });
        continue;
      }
      const conflict = draft?.conflicts.find((x) => x.id === conflict_id);
      const text = c.value ?? (conflict ? prefill(conflict) : '');
      try {
        // any JSON value; the generated type says object only
        resolutions.push({ conflict_id, choice: 'value', value: JSON.parse(text) as Record<string, unknown> });
      } catch (e) {
        problems[conflict_id] = `This is not valid JSON (${e instanceof Error ? e.message : String(e)}). Text needs quotes: "like this".`;
      }
    }
    setInvalid(problems);
    if (Object.keys(problems).length) return;
    save.mutate(resolutions);
  };

  return (
    <Card title="Resolve conflicts">
      {!draft ? (
        <div className="flex flex-col items-start gap-2">
          <p className="text-sm">
            {proposal.target_branch} changed the same places since the branch was taken. Choose what to keep for each.
          </p>
          <Button onClick={() => start.mutate()} busy={start.isPending}>
            Show the conflicts
          </Button>
        </div>
      ) : (
        <form
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          {draft.status === 'stale' && (
            <p role="alert" className="text-sm text-amber-900">
              A branch moved since this draft. <button type="button" className="underline" onClick={() => start.mutate()}>Draft again</button>, keeping the resolutions that still apply.
            </p>
          )}
          {draft.conflicts.map((c) => {
            const chosen = choices[c.id]?.choice ?? c.resolution?.choice;
            return (
              <fieldset key={c.id} className="rounded-md border border-slate-200 p-3">
                <legend className="px-1 text-sm font-medium">
                  <code>{c.path}</code> ({c.kind.replace('_', ' / ')}){c.resolved ? ' · resolved' : ''}
                </legend>
                <div className="grid gap-2 sm:grid-cols-3">
                  {(['ours', 'theirs', 'base'] as const).map((side) => (
                    <label key={side} className="flex cursor-pointer flex-col gap-1 rounded border border-slate-200 p-2 text-sm">
                      <span className="flex items-center gap-2">
                        <input type="radio" name={`c-${c.id}`} checked={chosen === side} onChange={() => pick(c.id, side)} />
                        {side === 'ours' ? `Keep ${proposal.target_branch} (ours)` : side === 'theirs' ? `Take ${proposal.source_branch} (theirs)` : 'Keep the original (base)'}
                      </span>
                      <pre className="whitespace-pre-wrap break-words font-mono text-xs">{c[side].present ? show(c[side].value) : '(absent)'}</pre>
                    </label>
                  ))}
                </div>
                <label className="mt-2 flex items-center gap-2 text-sm">
                  <input type="radio" name={`c-${c.id}`} checked={chosen === 'value'} onChange={() => pick(c.id, 'value', choices[c.id]?.value ?? prefill(c))} />
                  Write the value
                </label>
                {chosen === 'value' && (
                  <Field
                    label={`Value for ${c.path}`}
                    hint={'Written as JSON: text in quotes ("like this"), numbers and true / false as they are, lists in [ ], objects in { }.'}
                    error={invalid[c.id]}
                  >
                    {(p) => (
                      <textarea
                        {...p}
                        className={`${inputClass} font-mono`}
                        rows={3}
                        value={choices[c.id]?.value ?? prefill(c)}
                        onChange={(e) => pick(c.id, 'value', e.target.value)}
                      />
                    )}
                  </Field>
                )}
              </fieldset>
            );
          })}
          {Object.keys(invalid).length > 0 && (
            <p role="alert" className="text-sm text-red-700">
              Nothing was saved: a written value is not valid JSON. Fix the marked {Object.keys(invalid).length === 1 ? 'value' : 'values'}.
            </p>
          )}
          <ErrorNote error={start.error ?? save.error} title="Could not save the resolutions" />
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" busy={save.isPending}>
              Save resolutions
            </Button>
            {draft.conflicts.every((c) => c.resolved) && <span role="status" className="text-sm text-green-800">All resolved: merge above.</span>}
          </div>
        </form>
      )}
      <p className="mt-3 text-sm">
        <Link to={`/playbooks?ref=${encodeURIComponent(proposal.source_branch)}`} className="text-indigo-800 underline">
          Or change the branch itself
        </Link>
      </p>
    </Card>
  );
}
