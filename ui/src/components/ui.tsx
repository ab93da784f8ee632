// Our small component set: buttons, fields, cards, badges, and the loading / error / empty
// states every page shows the same way.
import { type ComponentProps, type ReactNode, type InputHTMLAttributes, useEffect, useId } from 'react';
import { Link } from 'react-router';
import { describe } from '../api/client';

type Tone = 'primary' | 'secondary' | 'danger';
const TONES: Record<Tone, string> = {
  primary: 'bg-indigo-700 text-white hover:bg-indigo-800 disabled:bg-indigo-300',
  secondary: 'bg-white text-slate-800 border border-slate-300 hover:bg-slate-100 disabled:text-slate-400',
  danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-red-300',
};

/** A button; while `busy` (its request in flight) it cannot be pressed again. */
export function Button({
  tone = 'primary',
  busy,
  disabled,
  className = '',
  children,
  ...rest
}: ComponentProps<'button'> & { tone?: Tone; busy?: boolean }) {
  return (
    <button
      type="button"
      className={`inline-flex min-h-10 items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-medium disabled:cursor-not-allowed ${TONES[tone]} ${className}`}
      {...rest}
      disabled={busy || disabled}
      aria-busy={busy || undefined}
    >
      {children}
    </button>
  );
}

export function ButtonLink({ to, children, tone = 'secondary' }: { to: string; children: ReactNode; tone?: Tone }) {
  return (
    <Link
      to={to}
      className={`inline-flex min-h-10 items-center justify-center rounded-md px-4 py-2 text-sm font-medium ${TONES[tone]}`}
    >
      {children}
    </Link>
  );
}

/** A labelled control with its hint and its error (announced, and tied by aria-describedby). */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

export const inputClass =
  'min-h-10 w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-sm text-slate-900 aria-[invalid]:border-red-700';

export function TextInput(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={inputClass} {...props} />;
}

/** A labelled select of `[value, text]` options, with its hint and error as `Field` shows them. */
export function SelectField({
  label,
  value,
  options,
  onChange,
  error,
  hint,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(p) => (
        <select {...p} className={inputClass} value={value} onChange={(e) => onChange(e.target.value)}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function Card({ title, children, actions }: { title?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      {(title || actions) && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-base font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

/**
 * The page's heading (focused after navigation) and actions; it also names the browser tab. It
 * is as tall as a button from the start: actions that appear once the person's role is known
 * do not move the page down.
 */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  usePageTitle(title);
  return (
    <div className="mb-4 flex min-h-10 flex-wrap items-center justify-between gap-3">
      <h1 tabIndex={-1} className="text-2xl font-semibold focus:outline-none">
        {title}
      </h1>
      {children && <div className="flex flex-wrap gap-2">{children}</div>}
    </div>
  );
}

const BADGE: Record<string, string> = {
  running: 'bg-blue-100 text-blue-900',
  in_progress: 'bg-blue-100 text-blue-900',
  open: 'bg-amber-100 text-amber-900',
  pending: 'bg-slate-100 text-slate-800',
  not_started: 'bg-slate-100 text-slate-800',
  awaiting_approval: 'bg-amber-100 text-amber-900',
  paused: 'bg-amber-100 text-amber-900',
  completed: 'bg-green-100 text-green-900',
  merged: 'bg-green-100 text-green-900',
  approved: 'bg-green-100 text-green-900',
  skipped: 'bg-slate-200 text-slate-800',
  overridden: 'bg-purple-100 text-purple-900',
  failed: 'bg-red-100 text-red-900',
  cancelled: 'bg-slate-200 text-slate-800',
  escalated: 'bg-red-100 text-red-900',
  rejected: 'bg-red-100 text-red-900',
  changes_requested: 'bg-amber-100 text-amber-900',
  delivered: 'bg-green-100 text-green-900',
  active: 'bg-green-100 text-green-900',
  inactive: 'bg-slate-200 text-slate-800',
  protected: 'bg-indigo-100 text-indigo-900',
  abandoned: 'bg-slate-200 text-slate-800',
  archived: 'bg-slate-200 text-slate-800',
};

/** A status word on a colour; the word itself carries the meaning (never the colour alone). */
export function Badge({ value }: { value: string }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${BADGE[value] ?? 'bg-slate-100 text-slate-800'}`}>
      {value.replaceAll('_', ' ')}
    </span>
  );
}

export function ErrorNote({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-medium">{title}</p>
      <p>{describe(error)}</p>
    </div>
  );
}

/**
 * The loading state: "Loading…" for everyone (a status, so screen readers hear it) and, with
 * `reserve`, the space the content will take held by an aria-hidden skeleton, so nothing below
 * moves when the answer arrives. `reserve` is Tailwind min-height classes, responsive when the
 * content's height depends on the width (`'min-h-80 sm:min-h-60'`); aim at the usual height.
 */
export function Pending({ reserve }: { reserve?: string }) {
  const status = (
    <p className="text-sm text-slate-600" role="status">
      Loading…
    </p>
  );
  if (!reserve) return status;
  return (
    <div className={`flex flex-col gap-2 ${reserve}`}>
      {status}
      <div aria-hidden="true" className="flex-1 rounded-md bg-slate-100 motion-safe:animate-pulse" />
    </div>
  );
}

/**
 * Loading, error and empty states for a query, then its content; `reserve` holds the content's
 * usual height while it loads (see `Pending`).
 */
export function Loaded<T>({
  query,
  empty,
  reserve,
  children,
}: {
  query: { data?: T; error: unknown; isPending: boolean };
  empty?: (data: T) => string | null;
  reserve?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Pending reserve={reserve} />;
  // a failed refresh keeps what was shown (and whatever is being typed into it)
  if (query.error && query.data === undefined) return <ErrorNote error={query.error} title="Could not load this" />;
  const data = query.data as T;
  const message = empty?.(data);
  const stale = query.error ? <ErrorNote error={query.error} title="Could not refresh this; showing what was loaded before" /> : null;
  if (message)
    return (
      <>
        {stale}
        <p className="text-sm text-slate-600">{message}</p>
      </>
    );
  return (
    <>
      {stale}
      {children(data)}
    </>
  );
}

/**
 * Content shown only once `query` has settled (answered or failed): what sits below a query's
 * content of unknown height appears after it, never above it, so arrivals do not push down what
 * is already on the screen.
 */
export function After({ query, children }: { query: { isPending: boolean }; children: ReactNode }) {
  return query.isPending ? null : <>{children}</>;
}

export function when(iso?: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Previous / next through the pages of a list, with where we are in words. */
export function Pager({
  pagination,
  onPage,
  label = 'Pages',
}: {
  pagination?: { page: number; total_pages: number; has_previous: boolean; has_next: boolean };
  onPage: (page: number) => void;
  label?: string;
}) {
  if (!pagination || pagination.total_pages <= 1) return null;
  return (
    <nav aria-label={label} className="mt-3 flex flex-wrap items-center gap-3 text-sm">
      <Button tone="secondary" disabled={!pagination.has_previous} onClick={() => onPage(pagination.page - 1)}>
        Previous
      </Button>
      <span>
        Page {pagination.page} of {pagination.total_pages}
      </span>
      <Button tone="secondary" disabled={!pagination.has_next} onClick={() => onPage(pagination.page + 1)}>
        Next
      </Button>
    </nav>
  );
}

/** Names the browser tab after the page. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Orgata`;
  }, [title]);
}
