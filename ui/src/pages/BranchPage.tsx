// One branch of the team's library: how it differs from another branch (the same structured diff a
// proposal shows), its commits with what each changed, and for editors reverting a commit,
// resetting the branch to a commit, proposing it, and deleting it.
import { useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useBranches } from '../api/queries';
import { useMembers, useTeam } from '../api/team';
import { After, Badge, Button, ButtonLink, Card, ErrorNote, Loaded, PageHeader, Pager, inputClass, when } from '../components/ui';
import { LibraryDiffView } from '../components/LibraryDiff';

export default function BranchPage() {
  const name = useParams().name!;
  const { teamId, can } = useTeam();
  const editor = can('editor');
  const navigate = useNavigate();
  const client = useQueryClient();
  const path = { team_id: teamId!, name };
  const branch = useQuery({
    queryKey: ['team', teamId, 'branch', name],
    queryFn: () => unwrap<Schemas['Branch']>(api.GET('/v1/teams/{team_id}/branches/{name}', { params: { path } })),
    enabled: !!teamId,
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/teams/{team_id}/branches/{name}', { params: { path } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['team', teamId, 'branches'] });
      navigate('/proposals');
    },
  });

  return (
    <div className="flex flex-col gap-4">
      <PageHeader title={`Branch ${name}`}>
        {branch.data && <Badge value={branch.data.status} />}
        {branch.data?.protected && <Badge value="protected" />}
      </PageHeader>
      <Loaded query={branch} reserve="h-10">
        {(b) => (
          <div className="flex flex-col gap-3">
            <p className="text-sm text-slate-700">
              {b.base_branch ? (
                <>
                  Taken from <Link className="text-indigo-800 underline" to={`/branches/${encodeURIComponent(b.base_branch)}`}>{b.base_branch}</Link> ·{' '}
                </>
              ) : null}
              {b.head ? (
                <>
                  at <code>{b.head.slice(0, 10)}</code>
                </>
              ) : (
                'no commits yet'
              )}{' '}
              · updated {when(b.updated_at)}
            </p>
            <div className="flex flex-wrap gap-2">
              <ButtonLink to={`/playbooks?ref=${encodeURIComponent(b.name)}`}>Playbooks on {b.name}</ButtonLink>
              <ButtonLink to={`/library?ref=${encodeURIComponent(b.name)}`}>Library on {b.name}</ButtonLink>
              {editor && b.name !== 'main' && (
                <ButtonLink tone="primary" to={`/proposals?source=${encodeURIComponent(b.name)}`}>
                  Propose these changes
                </ButtonLink>
              )}
              {editor && b.name !== 'main' && !b.protected && (
                <Button
                  tone="danger"
                  busy={remove.isPending}
                  onClick={() => {
                    if (window.confirm(`Delete the branch ${b.name}? Its commits stay, and instances started from them run on.`)) remove.mutate();
                  }}
                >
                  Delete branch
                </Button>
              )}
            </div>
            <ErrorNote error={remove.error} title="Could not delete the branch" />
          </div>
        )}
      </Loaded>
      <After query={branch}>{branch.data && <BranchViews teamId={teamId!} branch={branch.data} editor={editor} />}</After>
    </div>
  );
}

/** The comparison, then the commits once the comparison's height is known (nothing jumps). */
function BranchViews({ teamId, branch, editor }: { teamId: string; branch: Schemas['Branch']; editor: boolean }) {
  const [params] = useSearchParams();
  const fallback = branch.name === 'main' ? null : (branch.base_branch ?? 'main');
  const base = params.get('base') ?? fallback;
  const compare = useQuery({
    queryKey: ['team', teamId, 'compare', base, branch.name, branch.head],
    queryFn: () =>
      unwrap<Schemas['Comparison']>(api.GET('/v1/teams/{team_id}/compare', { params: { path: { team_id: teamId }, query: { base: base!, head: branch.name } } })),
    enabled: !!base,
    placeholderData: (previous) => previous,
  });
  return (
    <>
      <Compare branch={branch} base={base} compare={compare} />
      <After query={{ isPending: !!base && compare.isPending }}>
        <Commits teamId={teamId} branch={branch} editor={editor} />
      </After>
    </>
  );
}

/** How this branch differs from another: commits ahead and behind, and the structured diff. */
function Compare({
  branch,
  base,
  compare,
}: {
  branch: Schemas['Branch'];
  base: string | null;
  compare: { data?: Schemas['Comparison']; error: unknown; isPending: boolean };
}) {
  const [, setParams] = useSearchParams();
  const branches = useBranches(branch.team_id);
  const others = (branches.data?.items ?? []).filter((b) => b.name !== branch.name && b.status !== 'abandoned');
  return (
    <Card title="Compare">
      <label className="mb-3 flex max-w-sm flex-col gap-1 text-sm">
        <span className="font-medium">Compared with</span>
        <select
          className={inputClass}
          value={base ?? ''}
          onChange={(e) =>
            setParams(
              (p) => {
                if (e.target.value) p.set('base', e.target.value);
                else p.delete('base');
                return p;
              },
              { replace: true },
            )
          }
        >
          {!base && <option value="">Choose a branch</option>}
          {base && !others.some((b) => b.name === base) && <option value={base}>{base}</option>}
          {others.map((b) => (
            <option key={b.id} value={b.name}>
              {b.name}
            </option>
          ))}
        </select>
      </label>
      {base && (
        <Loaded query={compare} reserve="h-16">
          {(c) => (
            <>
              <p className="mb-3 text-sm text-slate-700">
                {branch.name} is {c.ahead_by} commit{c.ahead_by === 1 ? '' : 's'} ahead of {base} and {c.behind_by} behind.
              </p>
              <LibraryDiffView diff={c.diff} sides={{ old: `on ${base}`, new: `on ${branch.name}` }} empty={`${branch.name} has the same library as ${base}.`} />
            </>
          )}
        </Loaded>
      )}
    </Card>
  );
}

/** The commits reachable from the branch's head, newest first, 20 a page. */
function Commits({ teamId, branch, editor }: { teamId: string; branch: Schemas['Branch']; editor: boolean }) {
  const [page, setPage] = useState(1);
  const members = useMembers(teamId);
  const commits = useQuery({
    queryKey: ['team', teamId, 'branch-commits', branch.name, branch.head, page],
    queryFn: () =>
      unwrapPage<Schemas['Commit']>(
        api.GET('/v1/teams/{team_id}/branches/{name}/commits', { params: { path: { team_id: teamId, name: branch.name }, query: { page, page_size: 20 } } }),
      ),
    // a new head keeps the rows (and what a row shows, like a revert's result) until it arrives
    placeholderData: (previous) => previous,
  });
  return (
    <Card title="Commits">
      <Loaded query={commits} reserve="h-40" empty={(d) => (d.items.length ? null : 'No commits yet.')}>
        {(d) => (
          <>
            <ol className="divide-y divide-slate-100">
              {d.items.map((c, i) => (
                <CommitRow
                  key={c.id}
                  teamId={teamId}
                  branch={branch}
                  commit={c}
                  author={c.author_id ? (members.nameOf(c.author_id) ?? 'someone') : 'the system'}
                  editor={editor}
                  isHead={page === 1 && i === 0}
                />
              ))}
            </ol>
            <Pager pagination={d.pagination} onPage={setPage} label="Pages of commits" />
          </>
        )}
      </Loaded>
    </Card>
  );
}

function CommitRow({
  teamId,
  branch,
  commit,
  author,
  editor,
  isHead,
}: {
  teamId: string;
  branch: Schemas['Branch'];
  commit: Schemas['Commit'];
  author: string;
  editor: boolean;
  isHead: boolean;
}) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const done = () => client.invalidateQueries({ queryKey: ['team', teamId] });
  const revert = useMutation({
    mutationFn: () =>
      unwrap<Schemas['Commit']>(
        api.POST('/v1/teams/{team_id}/commits/{commit_id}/revert', {
          params: { path: { team_id: teamId, commit_id: commit.id } },
          body: { branch: branch.name, message: `Revert “${commit.message}”`.slice(0, 1000) },
        }),
      ),
    onSuccess: done,
  });
  const reset = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/teams/{team_id}/branches/{name}/reset', {
          params: { path: { team_id: teamId, name: branch.name } },
          body: { to: commit.id, expected_head: branch.head },
        }),
      ),
    onSuccess: () => {
      void done();
      showButton.current?.focus();
    },
  });
  const short = commit.id.slice(0, 10);
  // the reset button goes once this commit is the head: focus stays in the row
  const showButton = useRef<HTMLButtonElement>(null);
  return (
    <li className="py-3 text-sm">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium break-words">{commit.message || '(no message)'}</p>
          <p className="text-slate-700">
            <code>{short}</code> · {author} · {when(commit.created_at)}
            {commit.parents.length > 1 && ' · merge'}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button ref={showButton} tone="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide' : 'Show'} changes<span className="sr-only"> of commit {short}</span>
          </Button>
          {editor && !branch.protected && (
            <>
              <Button
                tone="secondary"
                busy={revert.isPending}
                onClick={() => {
                  if (window.confirm(`Add a commit on ${branch.name} that undoes ${short}?`)) revert.mutate();
                }}
              >
                Revert<span className="sr-only"> commit {short}</span>
              </Button>
              {!isHead && (
                <Button
                  tone="danger"
                  busy={reset.isPending}
                  onClick={() => {
                    if (window.confirm(`Point ${branch.name} at ${short}? The commits after it leave this branch (they stay reachable by their ids).`)) reset.mutate();
                  }}
                >
                  Reset here<span className="sr-only"> to commit {short}</span>
                </Button>
              )}
            </>
          )}
        </div>
      </div>
      <ErrorNote error={revert.error} title="Could not revert this commit" />
      <ErrorNote error={reset.error} title="Could not reset the branch" />
      {reset.isSuccess && (
        <p role="status" className="mt-1 text-green-800">
          {branch.name} now points at this commit.
        </p>
      )}
      {revert.data && (
        <p role="status" className="mt-1 text-green-800">
          Reverted as commit <code>{revert.data.id.slice(0, 10)}</code>.
        </p>
      )}
      {open && <CommitChanges teamId={teamId} commitId={commit.id} branch={branch.name} />}
    </li>
  );
}

/** What one commit changed: each definition added, modified or deleted. */
function CommitChanges({ teamId, commitId, branch }: { teamId: string; commitId: string; branch: string }) {
  const commit = useQuery({
    queryKey: ['team', teamId, 'commit', commitId],
    queryFn: () => unwrap<Schemas['Commit']>(api.GET('/v1/teams/{team_id}/commits/{commit_id}', { params: { path: { team_id: teamId, commit_id: commitId } } })),
    staleTime: Infinity, // a commit never changes
  });
  const link = (c: Schemas['CommitChange']) => {
    const ref = `?ref=${encodeURIComponent(branch)}`;
    if (c.op === 'deleted') return null;
    if (c.kind === 'playbook') return `/playbooks/${c.id}${ref}`;
    if (c.kind === 'document') return `/library/documents/${c.id}${ref}`;
    if (c.kind === 'rule') return `/library/rules/${c.id}${ref}`;
    return null;
  };
  return (
    <Loaded query={commit} reserve="h-10">
      {(c) => (
        <ul className="mt-2 list-inside list-disc">
          {c.changes.map((ch) => {
            const to = link(ch);
            return (
              <li key={`${ch.kind}-${ch.id}`}>
                {ch.kind} {to ? <Link className="text-indigo-800 underline" to={to}>{ch.id.slice(0, 8)}</Link> : <code>{ch.id.slice(0, 8)}</code>}{' '}
                {ch.op}
              </li>
            );
          })}
          {!c.changes.length && <li>No definition changed (a merge that kept one side).</li>}
        </ul>
      )}
    </Loaded>
  );
}
