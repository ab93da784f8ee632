// The team's business roles as checkboxes (an agent's roles, a branch's required reviewer roles),
// with the server's problem about them under the group.
import { useId, type ReactNode } from 'react';
import type { Schemas } from '../api/client';

export function RoleChecklist({
  legend,
  hint,
  roles,
  chosen,
  onChange,
  error,
}: {
  legend: string;
  hint?: ReactNode;
  roles: Schemas['Role'][];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      {hint && <p className="text-xs text-slate-600">{hint}</p>}
      {roles.length ? (
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {roles.map((r) => (
            <label key={r.id} className="flex min-h-10 items-center gap-2 text-sm">
              <input
                type="checkbox"
                className="h-4 w-4"
                checked={chosen.includes(r.id)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, r.id] : chosen.filter((x) => x !== r.id))}
              />
              {r.name}
            </label>
          ))}
        </div>
      ) : (
        <p className="mt-1 text-sm text-slate-600">The team has no business roles yet.</p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}
