// The event types a webhook listens to: the known types as checkboxes by area (each entity's
// `entity.*` too, and `*` for everything), and free text for any other type or pattern.
import { useId } from 'react';
import { inputClass } from '../../components/ui';

/** The team events the server writes, by area and entity (crates/core/src/services, engine). */
export const KNOWN: { area: string; entities: [string, string[]][] }[] = [
  {
    area: 'Instances and steps',
    entities: [
      ['process_instance', ['started', 'completed', 'cancelled', 'paused', 'resumed']],
      ['step', ['ready', 'completed', 'skipped', 'failed', 'retried', 'overridden', 'approval_requested', 'approval_decided', 'sla_breached']],
      ['exception', ['raised', 'handled']],
    ],
  },
  { area: 'Tasks', entities: [['task', ['created', 'assigned', 'updated', 'commented', 'completed', 'cancelled']]] },
  {
    area: 'Library and versions',
    entities: [
      ['playbook', ['committed']],
      ['document', ['committed']],
      ['rule', ['committed']],
      ['branch', ['created', 'deleted', 'reset', 'protected', 'unprotected']],
      ['commit', ['reverted']],
      ['merge', ['created', 'resolved', 'committed']],
      ['proposal', ['opened', 'submitted', 'reviewed', 'commented', 'comment_resolved', 'merged']],
    ],
  },
  {
    area: 'Team administration',
    entities: [
      ['team', ['updated']],
      ['member', ['added', 'updated', 'removed', 'left']],
      ['invitation', ['created', 'accepted', 'revoked']],
      ['agent', ['created']],
      ['role', ['created', 'updated', 'deleted']],
      ['secret', ['created', 'updated', 'deleted']],
      ['webhook', ['created', 'updated', 'deleted', 'delivery_replayed']],
    ],
  },
  {
    area: 'Analytics',
    entities: [
      ['report', ['created', 'updated', 'deleted', 'requested', 'executed']],
      ['dashboard', ['created', 'updated', 'deleted']],
      ['analytics', ['imported']],
    ],
  },
];

/** Every value a checkbox stands for: `*`, each `entity.*` and each known type. */
const CHECKABLE = new Set(['*', ...KNOWN.flatMap((a) => a.entities.flatMap(([e, verbs]) => [`${e}.*`, ...verbs.map((v) => `${e}.${v}`)]))]);

/** What the server accepts as one type or pattern (`EventFilter::is_pattern`). */
export const PATTERN = /^[A-Za-z0-9._*]{1,100}$/;

/** The form's state: the checked values, and the rest as typed. */
export type Chosen = { checked: string[]; other: string };

/** A webhook's types split into the checkboxes' and the free text's. */
export function toChosen(types: string[]): Chosen {
  return { checked: types.filter((t) => CHECKABLE.has(t)), other: types.filter((t) => !CHECKABLE.has(t)).join(', ') };
}

/** The free text's entries (split at commas and spaces). */
const others = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The types to send, each once. */
export function toTypes(c: Chosen): string[] {
  return [...new Set([...c.checked, ...others(c.other)])];
}

/** The problem with the chosen types, checked before sending (the server checks the same). */
export function typesProblem(c: Chosen): string | undefined {
  const bad = others(c.other).filter((t) => !PATTERN.test(t));
  if (bad.length) return `Not an event type or pattern: ${bad.join(', ')}. Use letters, digits, “.”, “_” and “*”.`;
  const n = toTypes(c).length;
  if (n === 0) return 'Choose at least one event type.';
  if (n > 50) return `At most 50 event types (${n} chosen).`;
  return undefined;
}

/** The server's problems with `/event_types` and `/event_types/{i}`, in words. */
export function typesFieldError(fields: Record<string, string>, sent: string[]): string | undefined {
  const found = Object.entries(fields)
    .filter(([f]) => f === '/event_types' || f.startsWith('/event_types/'))
    .map(([f, m]) => {
      const i = Number(f.split('/')[2]);
      return Number.isInteger(i) && sent[i] !== undefined ? `${sent[i]}: ${m}` : m;
    });
  return found.length ? found.join(' ') : undefined;
}

export function EventTypesField({
  value,
  onChange,
  error,
  disabled,
}: {
  value: Chosen;
  onChange: (next: Chosen) => void;
  error?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const all = value.checked.includes('*');
  const toggle = (t: string, on: boolean) =>
    onChange({ ...value, checked: on ? [...value.checked, t] : value.checked.filter((x) => x !== t) });
  const chosen = toTypes(value);
  return (
    <fieldset className="flex min-w-0 flex-col gap-2" aria-describedby={`${id}-summary${error ? ` ${id}-error` : ''}`} disabled={disabled}>
      <legend className="text-sm font-medium text-slate-800">Event types</legend>
      <label className="flex min-h-10 items-center gap-2 text-sm">
        <input type="checkbox" className="h-5 w-5" checked={all} onChange={(e) => toggle('*', e.target.checked)} />
        Every event (<code>*</code>)
      </label>
      {KNOWN.map(({ area, entities }) => {
        const count = entities.reduce((n, [e, verbs]) => n + [`${e}.*`, ...verbs.map((v) => `${e}.${v}`)].filter((t) => value.checked.includes(t)).length, 0);
        return (
          <details key={area} className="rounded-md border border-slate-200">
            <summary className="flex min-h-10 cursor-pointer items-center px-3 text-sm font-medium">
              {area}
              {count > 0 && <span className="ml-2 font-normal text-slate-700">({count} chosen)</span>}
            </summary>
            <div className="flex flex-col gap-3 border-t border-slate-200 p-3">
              {entities.map(([entity, verbs]) => {
                const every = value.checked.includes(`${entity}.*`);
                return (
                  <div key={entity}>
                    <label className="flex min-h-10 items-center gap-2 text-sm font-medium">
                      <input type="checkbox" className="h-5 w-5" disabled={all} checked={every || all} onChange={(e) => toggle(`${entity}.*`, e.target.checked)} />
                      <span className="break-all">
                        <code>{entity}.*</code>
                      </span>
                      <span className="font-normal text-slate-700">(all)</span>
                    </label>
                    <div className="grid grid-cols-1 gap-x-3 pl-7 min-[420px]:grid-cols-2 lg:grid-cols-3">
                      {verbs.map((v) => {
                        const t = `${entity}.${v}`;
                        return (
                          <label key={t} className="flex min-h-10 min-w-0 items-center gap-2 text-sm">
                            <input
                              type="checkbox"
                              className="h-5 w-5 shrink-0"
                              disabled={all || every}
                              checked={all || every || value.checked.includes(t)}
                              onChange={(e) => toggle(t, e.target.checked)}
                            />
                            <code className="break-all">{t}</code>
                          </label>
                        );
                      })}
                    </div>
                  </div>
                );
              })}
            </div>
          </details>
        );
      })}
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-other`} className="text-sm font-medium text-slate-800">
          Other types or patterns
        </label>
        <input
          id={`${id}-other`}
          className={inputClass}
          value={value.other}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-other-hint${error ? ` ${id}-error` : ''}`}
          onChange={(e) => onChange({ ...value, other: e.target.value })}
        />
        <p id={`${id}-other-hint`} className="text-xs text-slate-600">
          Separated by commas or spaces: an exact type such as <code>task.completed</code>, or a prefix ending in <code>*</code> such as{' '}
          <code>task.*</code>.
        </p>
      </div>
      <p id={`${id}-summary`} className="text-sm break-words text-slate-700">
        {chosen.length ? `Listens to: ${chosen.join(', ')}` : 'No event type chosen yet.'}
      </p>
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
