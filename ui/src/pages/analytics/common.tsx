// What the analytics sections share: the filters kept in the URL (playbook, period), the team's
// playbooks, number formatting, tables that scroll inside themselves on phones, and downloads
// of documents the API streams (fetched with the bearer token, saved from a blob URL).
import { type HTMLAttributes, type ReactNode } from 'react';
import { useUrlFilters } from '../../components/urlFilters';
import { accessToken, apiError, type Schemas } from '../../api/client';
import { usePlaybooks as useTeamPlaybooks } from '../../api/queries';
import { useTeam } from '../../api/team';
import { dayAfter, dayStart } from '../../components/format';
import { Field, inputClass } from '../../components/ui';

/** The URL's analytics filters and a setter that keeps the other parameters. */
export function useAnalyticsParams() {
  const { get, set } = useUrlFilters();
  const from = get('from');
  const to = get('to');
  return {
    get,
    set,
    processId: get('process_id'),
    from,
    to,
    /** `from` and `to` as the API takes them: UTC days, `to` including its whole day. */
    period: { from: dayStart(from), to: dayAfter(to) },
  };
}

export { useTextParam } from '../../components/urlFilters';

/** The chosen team's playbooks on `main` (the cache entry the process monitor shares). */
export function usePlaybooks() {
  const { teamId } = useTeam();
  return useTeamPlaybooks(teamId);
}

/** Playbook and period filters; `playbook: 'required'` offers no "every playbook". */
export function Filters({ playbook, period = true }: { playbook?: 'optional' | 'required'; period?: boolean }) {
  const { get, set, processId } = useAnalyticsParams();
  const playbooks = usePlaybooks();
  return (
    <form className="mb-4 grid gap-3 sm:grid-cols-3" role="search" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {playbook && (
        <Field label="Playbook">
          {(p) => (
            <select {...p} className={inputClass} value={processId} onChange={(e) => set('process_id', e.target.value)}>
              <option value="">{playbook === 'required' ? 'Choose a playbook' : 'Every playbook'}</option>
              {playbooks.data?.items.map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {pb.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {period && (
        <>
          <Field label="From (UTC day)">
            {(p) => <input {...p} type="date" className={inputClass} value={get('from')} onChange={(e) => set('from', e.target.value)} />}
          </Field>
          <Field label="To (UTC day, included)">
            {(p) => <input {...p} type="date" className={inputClass} value={get('to')} onChange={(e) => set('to', e.target.value)} />}
          </Field>
        </>
      )}
    </form>
  );
}

/** A duration for people: seconds, minutes, hours or days with two or three digits. */
export function duration(seconds?: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  const abs = Math.abs(seconds);
  const fmt = (v: number, unit: string) => `${Math.abs(v) >= 100 ? Math.round(v).toLocaleString() : Number(v.toPrecision(3))} ${unit}`;
  if (abs < 1) return fmt(seconds * 1000, 'ms');
  if (abs < 60) return fmt(seconds, 's');
  if (abs < 3600) return fmt(seconds / 60, 'min');
  if (abs < 86400 * 2) return fmt(seconds / 3600, 'h');
  return fmt(seconds / 86400, 'd');
}

export function seconds(d?: Schemas['Seconds'] | null): number | null {
  return d ? d.value : null;
}

export function percent(ratio?: number | null): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  return `${Number((ratio * 100).toPrecision(3))} %`;
}

export function number(value?: number | null, digits = 3): string {
  if (value == null || !Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString();
  return Number(value.toPrecision(digits)).toLocaleString();
}

/** A measure in its unit (`count`, `ratio`, `seconds`, `per_day`, `currency`). */
export function measure(value: number | null | undefined, unit: string): string {
  switch (unit) {
    case 'ratio':
      return percent(value);
    case 'seconds':
      return duration(value);
    case 'per_day':
      return value == null ? '—' : `${number(value)} a day`;
    default:
      return number(value);
  }
}

export function words(s: string): string {
  const t = s.replaceAll('_', ' ').replace(/\bsla\b/gi, 'SLA');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * A wide table that scrolls inside itself on narrow screens (the page never scrolls sideways);
 * the scrolling region is focusable and named so keyboard users can scroll it.
 */
export function TableBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="relative max-w-full overflow-x-auto" role="region" aria-label={label} tabIndex={0}>
      <table className="w-full border-collapse text-left text-sm">{children}</table>
    </div>
  );
}

const th = 'border-b border-slate-300 px-2 py-2 font-semibold text-slate-800 whitespace-nowrap';
const td = 'border-b border-slate-100 px-2 py-2 align-top';
const num = `${td} text-right tabular-nums whitespace-nowrap`;

/** A column of a `DataTable`: its header and what each row shows in it. */
export type Column<T> = {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** A number: right-aligned, in tabular figures, never wrapped. */
  numeric?: boolean;
  /** More classes for its cells (widths, wrapping). */
  className?: string;
  /** The cell names its row (`th scope="row"`). */
  rowHeader?: boolean;
};

/**
 * The analytics tables: one header row from `columns`, a row per item, in a `TableBox` named
 * `label`, with `caption` (read by screen readers) saying what the table holds.
 */
export function DataTable<T>({
  label,
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
}: {
  label: string;
  caption?: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement>;
}) {
  return (
    <TableBox label={label}>
      {caption && <caption className="sr-only">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i} scope="col" className={c.numeric ? `${th} text-right` : th}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={rowKey(row, r)} {...rowProps?.(row)}>
            {columns.map((c, i) => {
              const className = `${c.numeric ? num : td} ${c.rowHeader ? 'text-left font-medium' : ''} ${c.className ?? ''}`;
              return c.rowHeader ? (
                <th key={i} scope="row" className={className}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={i} className={className}>
                  {c.cell(row)}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </TableBox>
  );
}

/** A bar drawn for sighted readers beside a number the table already states. */
export function Meter({ value, tone = 'bg-indigo-600' }: { value: number; tone?: string }) {
  return (
    <span aria-hidden="true" className="block h-2 w-full min-w-12 rounded bg-slate-100">
      <span className={`block h-2 rounded ${tone}`} style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%` }} />
    </span>
  );
}

/** Fetches a document with the bearer token and saves it under its served name. */
export async function download(url: string, fallbackName: string): Promise<string> {
  const token = await accessToken();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw apiError(response, await response.json().catch(() => null));
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}
