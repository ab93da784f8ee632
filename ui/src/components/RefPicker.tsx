// The branch (or commit) a page reads, chosen from the team's branches (`?ref=` on the pages).
import { COMMIT } from '../api/ids';
import { useBranches } from '../api/queries';
import { ErrorNote, inputClass, when } from './ui';

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
