// The editor of a step's due time (SLA): an amount, a unit and whether only working time counts.
import { useState } from 'react';
import type { Schemas } from '../../api/client';
import { Field, TextInput, inputClass } from '../../components/ui';
import { UNITS } from './draft';

export function DueEditor({ due, error, onChange }: { due: Schemas['DurationSpec'] | null; error?: string; onChange: (due: Schemas['DurationSpec'] | null) => void }) {
  const [value, setValue] = useState(due ? String(due.value) : '');
  const [unit, setUnit] = useState<Schemas['DurationUnit']>(due?.unit ?? 'hours');
  const [working, setWorking] = useState(!!due?.working_time);
  const emit = (v: string, u: Schemas['DurationUnit'], w: boolean) => {
    const n = Number(v);
    onChange(v.trim() === '' || !Number.isFinite(n) ? null : { value: n, unit: u, working_time: w });
  };
  return (
    <fieldset className="rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium">Due (SLA)</legend>
      <p className="mb-2 text-xs text-slate-600">From the moment the step is ready. Leave the amount empty for no SLA.</p>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Amount" error={error}>
          {(p) => (
            <TextInput
              {...p}
              type="number"
              min={0}
              step="any"
              inputMode="decimal"
              value={value}
              onChange={(e) => {
                setValue(e.target.value);
                emit(e.target.value, unit, working);
              }}
            />
          )}
        </Field>
        <Field label="Unit">
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={unit}
              onChange={(e) => {
                const u = e.target.value as Schemas['DurationUnit'];
                setUnit(u);
                emit(value, u, working);
              }}
            >
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <label className="mt-2 flex min-h-10 items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="h-4 w-4"
          checked={working}
          onChange={(e) => {
            setWorking(e.target.checked);
            emit(value, unit, e.target.checked);
          }}
        />
        Count working time only
      </label>
    </fieldset>
  );
}
