// What the analytics sections share: the filters kept in the URL (playbook, period), the team's
// playbooks, number formatting, tables that scroll inside themselves on phones, and downloads
// of documents the API streams (fetched with the bearer token, saved from a blob URL).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { accessToken, api, ApiError, unwrapPage, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { Field, inputClass } from '../../components/ui';

/** The URL's analytics filters and a setter that keeps the other parameters. */
export function useAnalyticsParams() {
  const [params, setParams] = useSearchParams();
  const get = (key: string) => params.get(key) ?? '';
  const set = (key: string, value: string) => {
    // from the address as it is now: two changes in a row must not undo each other while the
    // first one's navigation is still rendering
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
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

function dayStart(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00Z` : undefined;
}

function dayAfter(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

/**
 * A text filter kept in the URL: typed into local state at once, written to the URL when typing
 * pauses (so no keystroke is lost to a navigation still rendering).
 */
export function useTextParam(key: string, set: (key: string, value: string) => void, inUrl: string) {
  const [text, setText] = useState(inUrl);
  const latest = useRef(inUrl);
  const write = useRef(set);
  write.current = set;
  useEffect(() => {
    // changed from outside (back button, a link)
    if (inUrl !== latest.current) setText(inUrl);
    latest.current = inUrl;
  }, [inUrl]);
  useEffect(() => {
    if (text === latest.current) return;
    const t = setTimeout(() => {
      latest.current = text;
      write.current(key, text);
    }, 300);
    return () => clearTimeout(t);
  }, [text, key]);
  return [text, setText] as const;
}

/** The team's playbooks on `main` (shared with the process monitor's cache entry). */
export function usePlaybooks() {
  const { teamId } = useTeam();
  return useQuery({
    queryKey: ['team', teamId, 'playbooks', 'main'],
    queryFn: () =>
      unwrapPage<Schemas['Playbook']>(
        api.GET('/v1/teams/{team_id}/processes', { params: { path: { team_id: teamId! }, query: { page_size: 200 } } }),
      ),
    enabled: !!teamId,
  });
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

export const th = 'border-b border-slate-300 px-2 py-2 font-semibold text-slate-800 whitespace-nowrap';
export const td = 'border-b border-slate-100 px-2 py-2 align-top';
export const num = `${td} text-right tabular-nums whitespace-nowrap`;

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
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const e = body?.error;
    throw e
      ? new ApiError(response.status, e.code, e.message, e.details)
      : new ApiError(response.status, 'INTERNAL', `The server answered ${response.status}.`);
  }
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
