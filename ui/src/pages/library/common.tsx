// What the library's pages share: the links, the branch picker, the page around a document's or
// rule's editor and the editor's mechanics (draft, problems, saving; the Save card is components/SaveCard).
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useTeam } from '../../api/team';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { problemsUnder, withoutProblems } from '../../api/client';
import { same } from '../../components/json';
import { focusInvalid } from '../../components/focus';
import type { Saved } from '../../components/SaveCard';
import { useUnsavedGuard } from '../../components/unsaved';
import { RefPicker } from '../../components/RefPicker';
import { Loaded, PageHeader } from '../../components/ui';

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

/** The calls for one kind of item; bodies are what `toBody` makes, with the commit message (and the version edited, on update). */
export type DefinitionCalls<T, B> = {
  get: (teamId: string, id: string, ref: string) => Promise<T>;
  create: (teamId: string, ref: string, body: B & { message?: string }) => Promise<T>;
  update: (teamId: string, id: string, ref: string, body: B & { message?: string; version?: string }) => Promise<T>;
  remove: (teamId: string, id: string, ref: string) => Promise<unknown>;
};

/**
 * What a document's or rule's editor shares: the draft `D` over the item `T` it started from,
 * whether it changed (compared as bodies `B`), problems found here (`local`) and by the server,
 * the unsaved-edits guard, a newer version shown when there are no edits, and the Save card's
 * mechanics (`save`, to spread on SaveCard): create or update against the version edited, keep
 * what was typed while saving, move to the item when new or saved on another branch, reload, delete.
 */
export function useDefinitionEditor<T extends { id: string; version: string }, D extends object, B>({
  kind,
  teamId,
  refName,
  item,
  readOnly,
  onDirty,
  saved,
  empty,
  toDraft,
  toBody,
  calls,
  serverText,
}: Omit<EditorProps<T>, 'editor'> & {
  kind: 'documents' | 'rules';
  readOnly: boolean;
  empty: D;
  toDraft: (item: T) => D;
  toBody: (draft: D) => B;
  calls: DefinitionCalls<T, B>;
  /** How a server's problem reads next to its field. */
  serverText?: (message: string) => string;
}) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [base, setBase] = useState<T | null>(item);
  const [baseVersion, setBaseVersion] = useState(item?.version);
  const [draft, setDraft] = useState<D>(() => (item ? toDraft(item) : empty));
  const [local, setLocal] = useState<Record<string, string>>({});
  const [server, setServer] = useState<Record<string, string>>({});
  const form = useRef<HTMLDivElement>(null);
  const focusProblem = () => focusInvalid(form.current);
  // the draft a save sent: what is typed while it is on its way is kept when it returns
  const sent = useRef<D | null>(null);

  const baseDraft = useMemo(() => (base ? toDraft(base) : empty), [base]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = useMemo(() => !same(toBody(draft), toBody(baseDraft)), [draft, baseDraft]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => onDirty(dirty), [dirty, onDirty]);
  const { dialog, skip } = useUnsavedGuard(dirty && !readOnly);

  // a newer version arrived (someone saved; live refresh): shown unless there are edits
  useEffect(() => {
    if (item && base && item.version !== base.version && !dirty) {
      setBase(item);
      setBaseVersion(item.version);
      setDraft(toDraft(item));
    }
  }, [item]); // eslint-disable-line react-hooks/exhaustive-deps

  const error = (pointer: string) => {
    const found = problemsUnder(server, pointer);
    return local[pointer] ?? (found && serverText ? serverText(found) : found);
  };
  const change = (patch: Partial<D>, ...pointers: string[]) => {
    setDraft((d) => ({ ...d, ...patch }));
    setLocal((l) => (pointers.some((p) => l[p]) ? Object.fromEntries(Object.entries(l).filter(([f]) => !pointers.includes(f))) : l));
    setServer((s) => withoutProblems(s, pointers));
  };
  /** Marks the problems the page's checks found (dropping the server's); false when there are any. */
  const report = (problems: Record<string, string>) => {
    setLocal(problems);
    setServer({});
    if (Object.keys(problems).length) {
      focusProblem();
      return false;
    }
    return true;
  };
  const show = (latest: T) => {
    setBase(latest);
    setBaseVersion(latest.version);
  };

  const send = async (branch: string, message: string | undefined): Promise<Saved> => {
    sent.current = draft;
    const body = { ...toBody(draft), message };
    const result = item
      ? await calls.update(teamId, item.id, branch, { ...body, version: baseVersion })
      : await calls.create(teamId, branch, body);
    client.setQueryData(itemKey(teamId, kind, result.id, branch), result);
    return result;
  };
  const onSaved = (s: Saved, branch: string) => {
    const result = client.getQueryData<T>(itemKey(teamId, kind, s.id, branch));
    if (result) {
      show(result);
      // the saved copy replaces the draft unless it was changed while saving
      const before = sent.current;
      setDraft((d) => (before && same(d, before) ? toDraft(result) : d));
    }
    if (!item || branch !== refName) {
      skip.current = true;
      navigate(itemPath(kind, s.id, branch), { replace: !item, state: { saved: { branch, commit: s.version } } });
    }
  };
  const onReload = async (branch: string) => {
    const latest = await calls.get(teamId, item!.id, branch);
    client.setQueryData(itemKey(teamId, kind, latest.id, branch), latest);
    setServer({});
    setLocal({});
    if (branch === refName) {
      show(latest);
      setDraft(toDraft(latest));
    } else {
      skip.current = true;
      navigate(itemPath(kind, latest.id, branch));
    }
  };
  const onDelete = async () => {
    await calls.remove(teamId, item!.id, refName);
    void client.invalidateQueries({ queryKey: ['team', teamId] });
    skip.current = true;
    navigate(listPath(kind, refName));
  };

  return {
    draft,
    change,
    error,
    local,
    server,
    report,
    form,
    dialog,
    dirty,
    /** The Save card's part of it. */
    save: {
      isNew: !item,
      dirty,
      initialDone: saved ?? null,
      send,
      onSaved,
      onFields: (fields: Record<string, string>) => {
        setServer(fields);
        focusProblem();
      },
      onRebase: setBaseVersion,
      onReload,
      onDelete: item ? onDelete : undefined,
    },
  };
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
