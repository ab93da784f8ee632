// The playbook designer (loaded lazily by PlaybookPage): it holds the draft and lays out its parts.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useUnsavedGuard } from '../../components/unsaved';
import { api, unwrap, type Schemas } from '../../api/client';
import { useRoles } from '../../api/queries';
import { useTeam } from '../../api/team';
import { same } from '../../components/json';
import { SaveCard } from '../../components/SaveCard';
import StepGraph, { resolveDependencies } from '../../components/StepGraph';
import { Button, Card, Field, TextInput, inputClass } from '../../components/ui';
import {
  LAYERS,
  STATUSES,
  check,
  newKey,
  omit,
  problemCount,
  reaches,
  slug,
  sorted,
  toBody,
  toDraft,
  type Draft,
  type DraftStep,
  type Playbook,
  type Problems,
  type Step,
} from './draft';
import { StepEditor } from './StepEditor';

export type DesignerProps = {
  playbook: Playbook;
  /** The ref the playbook was read from: a branch name or a commit id. */
  refName: string;
  /** After a save (or a reload of the latest), the branch to show. */
  onSaved?: (branch: string, playbook: Playbook) => void;
  onDirtyChange?: (dirty: boolean) => void;
};

/**
 * The playbook designer: the steps on a canvas (connect them by dragging from one step's handle
 * to another; select a connection to remove it), the same steps as an ordered list (drag and
 * drop, or the move buttons), a side panel that edits the selected step, and saving as a commit
 * on a branch. Loaded lazily by PlaybookPage; it carries React Flow through StepGraph.
 *
 * Dependencies: a step whose dependencies are what its place in the list would give it (the
 * engine's implicit rule) is kept "following the list order" and sent without `dependencies`,
 * so reordering the list re-links it; connecting or disconnecting it by hand makes its
 * dependencies explicit.
 */
export function Designer({ playbook, refName, onSaved, onDirtyChange }: DesignerProps) {
  const { teamId } = useTeam();
  const [base, setBase] = useState<Playbook>(playbook);
  const [baseVersion, setBaseVersion] = useState(playbook.version);
  const [draft, setDraft] = useState<Draft>(() => toDraft(playbook));
  const [selectedKey, setSelectedKey] = useState<string | undefined>(() => draft.steps[0]?.key);
  const [problems, setProblems] = useState<Problems>({ top: {}, steps: {} });
  const [rawInvalid, setRawInvalid] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState('');
  const focusAfter = useRef<string | null>(null);
  // the steps' keys in the order a save sent them (the server's problems point at their indexes)
  const sentKeys = useRef<string[]>([]);

  const roles = useRoles(teamId);

  const baseDraft = useMemo(() => toDraft(base), [base]);
  const dirty = useMemo(() => !same(toBody(draft), toBody(baseDraft)), [draft, baseDraft]);
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);
  const { dialog: leaving } = useUnsavedGuard(dirty, 'Leave the designer?');

  const graphSteps = useMemo<Step[]>(() => draft.steps.map((s) => omit(s, ['key', 'isNew', 'auto', 'idTouched'])), [draft.steps]);
  const deps = useMemo(() => resolveDependencies(graphSteps), [graphSteps]);
  const selectedIndex = draft.steps.findIndex((s) => s.key === selectedKey);
  const selected = selectedIndex >= 0 ? draft.steps[selectedIndex] : undefined;

  /** Clears the problems of the fields a change touches. */
  const clearProblems = (key: string, fields: string[]) =>
    setProblems((p) => {
      const mine = p.steps[key];
      if (!mine) return p;
      const left = Object.fromEntries(Object.entries(mine).filter(([f]) => !fields.some((x) => f === x || f.startsWith(`${x}/`))));
      return { ...p, steps: { ...p.steps, [key]: left } };
    });

  const updateStep = useCallback((key: string, patch: Partial<DraftStep>) => {
    setDraft((d) => {
      const old = d.steps.find((s) => s.key === key);
      let steps = d.steps.map((s) => (s.key === key ? { ...s, ...patch } : s));
      // a new step's id changed: references to it follow
      if (old && patch.id !== undefined && patch.id !== old.id && old.id) {
        steps = steps.map((s) =>
          s.dependencies?.includes(old.id!) ? { ...s, dependencies: s.dependencies.map((x) => (x === old.id ? patch.id! : x)) } : s,
        );
      }
      return { ...d, steps };
    });
    clearProblems(key, Object.keys(patch));
  }, []);

  const setDependencies = (to: string, next: string[]) => {
    const step = draft.steps.find((s) => s.id === to);
    if (step) updateStep(step.key, { dependencies: sorted(next), auto: false });
  };
  const connect = (from: string, to: string) => {
    const i = draft.steps.findIndex((s) => s.id === to);
    if (i < 0 || deps[i].includes(from)) return;
    if (reaches(graphSteps, deps, from, to)) {
      setAnnouncement(`Not connected: ${nameOf(from)} already comes after ${nameOf(to)}, so this would make a loop.`);
      return;
    }
    setDependencies(to, [...deps[i], from]);
    setAnnouncement(`${nameOf(to)} now runs after ${nameOf(from)}.`);
  };
  const disconnect = (from: string, to: string) => {
    const i = draft.steps.findIndex((s) => s.id === to);
    if (i < 0) return;
    setDependencies(to, deps[i].filter((d) => d !== from));
    setAnnouncement(`${nameOf(to)} no longer waits for ${nameOf(from)}.`);
  };
  const nameOf = (id: string) => draft.steps.find((s) => s.id === id)?.name ?? id;

  const move = (from: number, to: number, how: 'keyboard' | 'drag') => {
    if (to < 0 || to >= draft.steps.length || from === to) return;
    const step = draft.steps[from];
    setDraft((d) => {
      const steps = [...d.steps];
      const [s] = steps.splice(from, 1);
      steps.splice(to, 0, s);
      return { ...d, steps };
    });
    setAnnouncement(`Moved ${step.name} to position ${to + 1} of ${draft.steps.length}.`);
    if (how === 'keyboard') focusAfter.current = `${step.key}-${to < from ? 'up' : 'down'}`;
  };
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const want = focusAfter.current;
    if (!want || !list.current) return;
    focusAfter.current = null;
    let button = list.current.querySelector<HTMLButtonElement>(`[data-move="${want}"]`);
    if (button?.disabled) {
      const other = want.endsWith('-up') ? want.replace(/-up$/, '-down') : want.replace(/-down$/, '-up');
      button = list.current.querySelector<HTMLButtonElement>(`[data-move="${other}"]`);
    }
    button?.focus();
  }, [draft.steps]);

  const addStep = () => {
    const taken = new Set(draft.steps.map((s) => s.id ?? ''));
    let n = draft.steps.length + 1;
    while (draft.steps.some((s) => s.name === `New step ${n}`)) n++;
    const name = `New step ${n}`;
    const step: DraftStep = { key: newKey(), isNew: true, auto: true, id: slug(name, taken), name, type: 'human', execution_type: 'sequential', dependencies: null };
    setDraft((d) => ({ ...d, steps: [...d.steps, step] }));
    setSelectedKey(step.key);
    setAnnouncement(`Added ${name} at position ${draft.steps.length + 1}.`);
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>('[data-step-name]')?.focus());
  };
  const removeStep = (key: string) => {
    const step = draft.steps.find((s) => s.key === key);
    if (!step || !window.confirm(`Delete the step “${step.name}”?`)) return;
    setDraft((d) => ({
      ...d,
      steps: d.steps
        .filter((s) => s.key !== key)
        .map((s) => (s.dependencies?.includes(step.id!) ? { ...s, dependencies: s.dependencies.filter((x) => x !== step.id) } : s)),
    }));
    setRawInvalid((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith(`${key}|`))));
    const i = draft.steps.findIndex((s) => s.key === key);
    setSelectedKey(draft.steps[i + 1]?.key ?? draft.steps[i - 1]?.key);
    setAnnouncement(`Deleted ${step.name}.`);
  };
  const setRaw = useCallback((key: string, field: string, message: string | null) => {
    setRawInvalid((r) => {
      const at = `${key}|${field}`;
      if (!message) {
        if (!(at in r)) return r;
        const next = { ...r };
        delete next[at];
        return next;
      }
      return r[at] === message ? r : { ...r, [at]: message };
    });
  }, []);

  const graphProblems = useMemo(() => {
    const out: Record<string, string> = {};
    for (const s of draft.steps) {
      const n = Object.keys(problems.steps[s.key] ?? {}).length;
      if (n && s.id) out[s.id] = `${n} problem${n === 1 ? '' : 's'}`;
    }
    return out;
  }, [draft.steps, problems]);

  /** Takes a saved (or reloaded) playbook as the new base; `keep` keeps the current edits. */
  const adopt = (p: Playbook, keep: boolean) => {
    setBase(p);
    setBaseVersion(p.version);
    if (!keep) {
      const keys = p.steps.map((s) => draft.steps.find((d) => d.id === s.id)?.key ?? newKey());
      setDraft(toDraft(p, keys));
      setRawInvalid({});
      setProblems({ top: {}, steps: {} });
    }
  };

  const [dragKey, setDragKey] = useState<string | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);

  const stepCount = problemCount(problems);

  return (
    <div className="flex flex-col gap-4">
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      {leaving}

      <Card title="Playbook">
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" error={problems.top['/name']}>
            {(p) => <TextInput {...p} value={draft.name} maxLength={200} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />}
          </Field>
          <Field label="Category" error={problems.top['/category']}>
            {(p) => <TextInput {...p} value={draft.category ?? ''} maxLength={200} onChange={(e) => setDraft({ ...draft, category: e.target.value })} />}
          </Field>
          <Field label="Status" hint="Draft and active playbooks can start instances.">
            {(p) => (
              <select {...p} className={inputClass} value={draft.status ?? 'active'} onChange={(e) => setDraft({ ...draft, status: e.target.value as Schemas['PlaybookStatus'] })}>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Layer" hint="L0 operational, L1 management, L2 strategic.">
            {(p) => (
              <select {...p} className={inputClass} value={draft.layer ?? 'L0'} onChange={(e) => setDraft({ ...draft, layer: e.target.value as Schemas['Layer'] })}>
                {LAYERS.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div className="md:col-span-2">
            <Field label="Description" error={problems.top['/description']}>
              {(p) => (
                <textarea {...p} className={inputClass} rows={2} maxLength={4000} value={draft.description ?? ''} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
              )}
            </Field>
          </div>
        </div>
      </Card>

      <Card
        title="Steps"
        actions={
          <Button tone="secondary" onClick={addStep}>
            Add step
          </Button>
        }
      >
        <p id="designer-help" className="mb-2 text-sm text-slate-700">
          Drag from the dot on a step’s edge to another step to make it wait for the first; select a connection to remove it. The list
          below does the same with the keyboard: reorder with the move buttons and choose what a step runs after in its panel.
        </p>
        <div className="mb-4 h-[26rem]">
          {draft.steps.length ? (
            <StepGraph
              steps={graphSteps}
              selected={selected?.id}
              onSelect={(id) => setSelectedKey(draft.steps.find((s) => s.id === id)?.key)}
              onConnect={connect}
              onDisconnect={disconnect}
              problems={graphProblems}
              ariaLabel="Designer canvas: the steps and the connections between them"
            />
          ) : (
            <div className="flex h-full items-center justify-center rounded-md border border-dashed border-slate-300 text-sm text-slate-600">
              No steps yet: add the first one.
            </div>
          )}
        </div>

        <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <div>
            <h3 className="mb-2 text-sm font-semibold text-slate-900">Order</h3>
            <ol ref={list} className="flex flex-col gap-2" aria-label="Steps in order">
              {draft.steps.map((s, i) => {
                const mine = problems.steps[s.key] ?? {};
                const messages = Object.entries(mine);
                return (
                  <li
                    key={s.key}
                    draggable
                    onDragStart={(e) => {
                      setDragKey(s.key);
                      e.dataTransfer.effectAllowed = 'move';
                      e.dataTransfer.setData('text/plain', s.key);
                    }}
                    onDragOver={(e) => {
                      if (!dragKey) return;
                      e.preventDefault();
                      e.dataTransfer.dropEffect = 'move';
                      setDropAt(i);
                    }}
                    onDrop={(e) => {
                      e.preventDefault();
                      const from = draft.steps.findIndex((x) => x.key === dragKey);
                      if (from >= 0) move(from, i, 'drag');
                      setDragKey(null);
                      setDropAt(null);
                    }}
                    onDragEnd={() => {
                      setDragKey(null);
                      setDropAt(null);
                    }}
                    data-step={s.id}
                    className={`rounded-md border bg-white p-2 ${s.key === selectedKey ? 'border-indigo-700 ring-1 ring-indigo-700' : messages.length ? 'border-red-400' : 'border-slate-300'} ${
                      dropAt === i && dragKey && dragKey !== s.key ? 'outline-2 outline-dashed outline-indigo-600' : ''
                    } ${dragKey === s.key ? 'opacity-60' : ''}`}
                  >
                    <div className="flex items-center gap-2">
                      <span aria-hidden="true" className="cursor-grab select-none px-1 text-lg text-slate-500" title="Drag to reorder">
                        ⠿
                      </span>
                      <button
                        type="button"
                        onClick={() => setSelectedKey(s.key)}
                        aria-pressed={s.key === selectedKey}
                        className="min-h-10 min-w-0 flex-1 rounded px-1 text-left text-sm hover:bg-slate-100"
                      >
                        <span className="font-medium text-slate-900">
                          {i + 1}. {s.name || 'Untitled step'}
                        </span>
                        <span className="block text-xs text-slate-600">
                          {s.type}
                          {s.execution_type && s.execution_type !== 'sequential' ? ` · ${s.execution_type}` : ''}
                          {s.isNew ? ' · new' : ''}
                        </span>
                      </button>
                      <button
                        type="button"
                        data-move={`${s.key}-up`}
                        disabled={i === 0}
                        onClick={() => move(i, i - 1, 'keyboard')}
                        aria-label={`Move ${s.name} up`}
                        className="min-h-10 min-w-10 rounded border border-slate-300 text-slate-800 hover:bg-slate-100 disabled:text-slate-400"
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        data-move={`${s.key}-down`}
                        disabled={i === draft.steps.length - 1}
                        onClick={() => move(i, i + 1, 'keyboard')}
                        aria-label={`Move ${s.name} down`}
                        className="min-h-10 min-w-10 rounded border border-slate-300 text-slate-800 hover:bg-slate-100 disabled:text-slate-400"
                      >
                        ↓
                      </button>
                    </div>
                    {messages.length > 0 && (
                      <ul className="mt-1 list-disc pl-8 text-xs text-red-800">
                        {messages.map(([field, m]) => (
                          <li key={field}>
                            <span className="font-medium">{field.split('/')[0].replaceAll('_', ' ')}:</span> {m}
                          </li>
                        ))}
                      </ul>
                    )}
                  </li>
                );
              })}
            </ol>
            {draft.steps.length === 0 && <p className="text-sm text-slate-600">No steps yet.</p>}
          </div>
          <div>
            {selected ? (
              <StepEditor
                key={`${selected.key}|${base.version}`}
                step={selected}
                index={selectedIndex}
                steps={draft.steps}
                deps={deps}
                variablesSchema={draft.variables_schema}
                roles={roles.data?.items ?? []}
                rolesError={roles.error}
                problems={problems.steps[selected.key]}
                onChange={(patch) => updateStep(selected.key, patch)}
                onDependencies={(next) => (selected.id ? setDependencies(selected.id, next) : undefined)}
                onRemove={() => removeStep(selected.key)}
                onRaw={(field, message) => setRaw(selected.key, field, message)}
              />
            ) : (
              <p className="text-sm text-slate-600">Select a step to edit it.</p>
            )}
          </div>
        </div>
      </Card>

      <SaveCard<Playbook>
        teamId={teamId!}
        refName={refName}
        noun="playbook"
        name={draft.name}
        dirty={dirty}
        branchLabel="Branch"
        startOnNewBranch={refName === 'main'}
        branchSuggestion={`edit-${slug(draft.name || 'playbook', new Set()).replaceAll('_', '-')}`.slice(0, 90)}
        defaultMessage={`Update ${draft.name}`}
        problemsWhere="next to the steps"
        problems={{
          count: stepCount,
          items: (
            <>
              {Object.entries(problems.top).map(([f, m]) => (
                <li key={f}>
                  {f.replace(/^\//, '').replaceAll('/', ' › ') || 'playbook'}: {m}
                </li>
              ))}
              {draft.steps
                .filter((s) => Object.keys(problems.steps[s.key] ?? {}).length)
                .map((s) => (
                  <li key={s.key}>
                    <button type="button" className="text-left underline" onClick={() => setSelectedKey(s.key)}>
                      {s.name || 'Untitled step'}
                    </button>
                    : {Object.values(problems.steps[s.key]).join(' ')}
                  </li>
                ))}
            </>
          ),
        }}
        check={() => {
          const found = check(draft, rawInvalid);
          setProblems(found);
          return !problemCount(found);
        }}
        send={(branch, message) => {
          sentKeys.current = draft.steps.map((s) => s.key);
          return unwrap<Playbook>(
            api.PUT('/v1/teams/{team_id}/processes/{process_id}', {
              params: { path: { team_id: teamId!, process_id: base.id }, query: { ref: branch } },
              body: { ...toBody(draft), version: baseVersion, message },
            }),
          );
        }}
        onFields={(errors) => {
          const found: Problems = { top: {}, steps: {} };
          for (const [field, message] of Object.entries(errors)) {
            const m = /^\/steps\/(\d+)(?:\/(.*))?$/.exec(field);
            const key = m ? sentKeys.current[Number(m[1])] : undefined;
            if (key) (found.steps[key] ??= {})[m![2] || 'step'] = message;
            else found.top[field || '/'] = message;
          }
          setProblems(found);
          const first = draft.steps.find((s) => found.steps[s.key]);
          if (first) setSelectedKey(first.key);
        }}
        onSaved={(p, branch) => {
          adopt(p, false);
          onSaved?.(branch, p);
        }}
        onRebase={setBaseVersion}
        onReload={async (branch) => {
          const p = await unwrap<Playbook>(
            api.GET('/v1/teams/{team_id}/processes/{process_id}', { params: { path: { team_id: teamId!, process_id: base.id }, query: { ref: branch } } }),
          );
          adopt(p, false);
          onSaved?.(branch, p);
        }}
      />
    </div>
  );
}

export default Designer;
