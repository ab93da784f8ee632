// How one library differs from another (a proposal's changes, a branch compared with its base):
// per playbook its fields and its steps added, removed, moved and changed, then documents and
// rules, each change shown side by side (old | new), labelled in words on phones.
import { Fragment, type ReactNode } from 'react';
import type { Schemas } from '../api/client';
import { Badge } from './ui';

/** What each side of a change is: `now on main`, `proposed on feature`. */
export type Sides = { old: string; new: string };

/**
 * Where one changed step is shown: a list item with its title, and what a page adds to it. Called
 * as a function (not a component), so a page's frame keeps its state across renders.
 */
export type StepFrame = (props: { playbookId: string; stepId: string; name: string; title: string; children: ReactNode }) => ReactNode;

const plainStep: StepFrame = ({ title, children }) => (
  <li className="rounded-md border border-slate-200 p-3">
    <h4 className="mb-2 font-medium">{title}</h4>
    {children}
  </li>
);

/** A JSON value as people read it: strings bare, the rest as compact JSON. */
export function show(value: unknown): string {
  if (value === undefined) return '—';
  if (value === '') return '(empty)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1);
}

/** The two column headings above the sides, on screens wide enough to have two columns. */
function SidesHeader({ sides }: { sides: Sides }) {
  return (
    <div className="mb-2 hidden grid-cols-2 gap-2 text-xs font-medium text-slate-700 sm:grid" aria-hidden="true">
      <span>{sides.old}</span>
      <span>{sides.new}</span>
    </div>
  );
}

/** One side of a change, labelled in words (visible on phones, where the column headings are not). */
function Side({ sides, children, tone }: { sides: Sides; children: ReactNode; tone: 'old' | 'new' }) {
  return (
    <div className={`min-w-0 rounded p-2 text-sm ${tone === 'old' ? 'bg-red-50' : 'bg-green-50'}`}>
      <span className="mb-1 block text-xs font-medium text-slate-700 sm:sr-only">{sides[tone]}: </span>
      <pre className="whitespace-pre-wrap break-words font-mono text-xs">{children}</pre>
    </div>
  );
}

function Pair({ sides, old, now }: { sides: Sides; old: ReactNode; now: ReactNode }) {
  return (
    <div className="grid gap-2 sm:grid-cols-2">
      <Side sides={sides} tone="old">
        {old}
      </Side>
      <Side sides={sides} tone="new">
        {now}
      </Side>
    </div>
  );
}

function FieldRow({ change, sides }: { change: Schemas['FieldChange']; sides: Sides }) {
  return (
    <div className="mb-2">
      <p className="text-xs font-medium text-slate-700">{change.field}</p>
      <Pair sides={sides} old={'old' in change ? show(change.old) : '(not set)'} now={'new' in change ? show(change.new) : '(removed)'} />
    </div>
  );
}

/** Each changed step of a playbook: added, removed, moved, then changed. */
function stepChanges(steps: Schemas['StepsDiff'], sides: Sides) {
  return [
    ...steps.added.map((s) => ({
      key: `a-${s.id}`,
      id: s.id,
      name: s.name,
      title: `${s.name} — added at position ${s.position + 1}`,
      body: <Pair sides={sides} old="(not there)" now={s.name} />,
    })),
    ...steps.removed.map((s) => ({
      key: `r-${s.id}`,
      id: s.id,
      name: s.name,
      title: `${s.name} — removed`,
      body: <Pair sides={sides} old={s.name} now="(removed)" />,
    })),
    ...steps.moved.map((s) => ({
      key: `m-${s.id}`,
      id: s.id,
      name: s.name,
      title: `${s.name} — moved`,
      body: <Pair sides={sides} old={`position ${s.from + 1}`} now={`position ${s.to + 1}`} />,
    })),
    ...steps.changed.map((s) => ({
      key: `c-${s.id}`,
      id: s.id,
      name: s.name,
      title: `${s.name} — changed`,
      body: s.fields.map((f) => <FieldRow key={f.path} change={f} sides={sides} />),
    })),
  ];
}

/** The changes of `diff`; `step` frames each changed step (the proposal page adds its comments). */
export function LibraryDiffView({
  diff,
  sides,
  empty,
  step = plainStep,
}: {
  diff: Schemas['LibraryDiff'];
  sides: Sides;
  empty: string;
  step?: StepFrame;
}) {
  if (!diff.playbooks.length && !diff.documents.length && !diff.rules.length) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <>
      {diff.playbooks.map((d) => (
        <section key={d.id} className="mb-6" aria-label={`Changes to ${d.name}`}>
          <h3 className="mb-2 font-semibold">
            Playbook {d.name} <Badge value={d.status} />
          </h3>
          <SidesHeader sides={sides} />
          {d.fields.map((f) => (
            <FieldRow key={f.path} change={f} sides={sides} />
          ))}
          {d.steps && (
            <ol className="flex flex-col gap-3">
              {stepChanges(d.steps, sides).map((c) => (
                <Fragment key={c.key}>{step({ playbookId: d.id, stepId: c.id, name: c.name, title: c.title, children: c.body })}</Fragment>
              ))}
            </ol>
          )}
        </section>
      ))}
      {[...diff.documents, ...diff.rules].map((d) => (
        <section key={d.id} className="mb-4">
          <h3 className="mb-2 font-semibold">
            {d.name} <Badge value={d.status} />
          </h3>
          {!!d.fields.length && <SidesHeader sides={sides} />}
          {d.fields.map((f) => (
            <FieldRow key={f.path} change={f} sides={sides} />
          ))}
        </section>
      ))}
    </>
  );
}
