// What the library's pages share: the links, the branch picker and the page around a document's or rule's editor (the Save card is components/SaveCard).
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useTeam } from '../../api/team';
import { useQuery } from '@tanstack/react-query';
import { COMMIT } from '../../api/ids';
import { useBranches } from '../../api/queries';
import { ErrorNote, Loaded, PageHeader, inputClass, when } from '../../components/ui';

/** The link to a document or rule on a ref (the ref is left out for main). */
export const itemPath = (kind: 'documents' | 'rules', id: string, ref: string) =>
  `/library/${kind}/${id}${ref && ref !== 'main' ? `?ref=${encodeURIComponent(ref)}` : ''}`;

/** The query key of one document or rule on a ref (the editors put what they saved there). */
export const itemKey = (teamId: string | null, kind: 'documents' | 'rules', id: string, ref: string) => [
  'team',
  teamId,
  kind === 'documents' ? 'document' : 'rule',
  id,
  ref,
];

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

/** What a page's editor is given: the item (none when new), where it is read, and the page's hooks. */
export type EditorProps<T> = {
  teamId: string;
  refName: string;
  item: T | null;
  editor: boolean;
  onDirty: (dirty: boolean) => void;
  saved?: { branch: string; commit: string } | null;
};

/**
 * The page of one document or rule on a ref (`?ref=`, default main), or a new one (id `new`):
 * the way back to the list, the title, the branch picker (which asks before dropping edits), and
 * the editor, drawn once the item has loaded.
 */
export function DefinitionPage<T extends { id: string; name: string }>({
  id,
  kind,
  noun,
  title,
  load,
  Editor,
}: {
  /** The item's id from the route, or `new`. */
  id: string;
  kind: 'documents' | 'rules';
  /** `document`, `rule`: for the question before another branch is read. */
  noun: string;
  /** The page's title for a new item and while one loads. */
  title: { new: string; loading: string };
  load: (teamId: string, id: string, ref: string) => Promise<T>;
  Editor: (props: EditorProps<T>) => ReactNode;
}) {
  const isNew = id === 'new';
  const [params, setParams] = useSearchParams();
  const ref = params.get('ref') || 'main';
  const { teamId, can } = useTeam();
  const location = useLocation();
  const navigate = useNavigate();
  const [dirty, setDirty] = useState(false);
  const item = useQuery({
    queryKey: itemKey(teamId, kind, id, ref),
    queryFn: () => load(teamId!, id, ref),
    enabled: !!teamId && !isNew,
  });
  // what a save that moved here said (shown once, then dropped from the history entry)
  const saved = (location.state as { saved?: { branch: string; commit: string } } | null)?.saved ?? null;
  useEffect(() => {
    if (location.state) navigate({ search: location.search }, { replace: true, state: null });
  }, [location.state]); // eslint-disable-line react-hooks/exhaustive-deps

  const setRef = (value: string) => {
    if (dirty && !window.confirm(`Discard your changes and read the ${noun} on another branch?`)) return;
    const next = new URLSearchParams(params);
    if (value && value !== 'main') next.set('ref', value);
    else next.delete('ref');
    setParams(next, { replace: true });
  };

  return (
    <div className="flex flex-col gap-4">
      <div>
        <Link to={listPath(kind, ref)} className="text-sm text-indigo-800 underline">
          ← Library
        </Link>
        <PageHeader title={isNew ? title.new : (item.data?.name ?? title.loading)} />
        <RefPicker teamId={teamId} value={ref} onChange={setRef} />
      </div>
      {teamId &&
        (isNew ? (
          <Editor key={`new@${ref}`} teamId={teamId} refName={ref} item={null} editor={can('editor')} onDirty={setDirty} />
        ) : (
          <Loaded query={item} reserve="min-h-[40rem]">
            {(d) => <Editor key={`${d.id}@${ref}`} teamId={teamId} refName={ref} item={d} editor={can('editor')} onDirty={setDirty} saved={saved} />}
          </Loaded>
        ))}
    </div>
  );
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
