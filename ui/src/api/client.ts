// The one way pages talk to the REST API: typed from /openapi.json (generated/openapi.ts), with the
// bearer token added, one refresh on an expired token, and the envelope unwrapped into data or
// an ApiError carrying the contract's code and field details.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../generated/openapi';
import { clearSession, getSession, reloadSession, saveSession } from './session';

export type Schemas = components['schemas'];

/** A field problem of a 422 answer: `field` is a JSON Pointer into the body sent. */
export type FieldError = { field: string; code: string; message: string };

/** An API error as the contract gives it (`error.code`, `error.message`, `error.details`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Field problems of a VALIDATION_FAILED answer, keyed by JSON Pointer (several joined). */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as FieldError[]) {
        const field = d.field ?? '';
        out[field] = out[field] ? `${out[field]} ${d.message}` : d.message;
      }
    }
    return out;
  }
}

/** The field problems at `pointer` or inside it (`/output/amount`), as one message. */
export function problemsUnder(fields: Record<string, string>, pointer: string): string | undefined {
  const found = Object.entries(fields).filter(([f]) => f === pointer || f.startsWith(`${pointer}/`));
  return found.length ? found.map(([f, m]) => (f === pointer ? m : `${f.slice(pointer.length + 1)}: ${m}`)).join(' ') : undefined;
}

/** `fields` without the problems at `pointers` or inside them (the person changed those fields). */
export function withoutProblems(fields: Record<string, string>, pointers: string[]): Record<string, string> {
  const kept = Object.entries(fields).filter(([f]) => !pointers.some((p) => f === p || f.startsWith(`${p}/`)));
  return kept.length === Object.keys(fields).length ? fields : Object.fromEntries(kept);
}

/** How a refresh ended: new tokens, a refusal (the session is over), or a failure to ask. */
type Refreshed = 'ok' | 'refused' | 'failed';
let refreshing: Promise<Refreshed> | null = null;

/**
 * Trades the refresh token for a new pair, once however many requests ask at the same time, and
 * across tabs in turn (a refresh token is good for one use: two tabs spending it would end the
 * session). A tab that waited adopts the pair another tab got instead of spending the old token.
 */
function refresh(): Promise<Refreshed> {
  const spent = getSession()?.refresh_token;
  if (!spent) return Promise.resolve('refused');
  const run = async (): Promise<Refreshed> => {
    const stored = reloadSession();
    if (!stored) return 'refused';
    if (stored.refresh_token !== spent) return 'ok'; // another tab refreshed meanwhile
    try {
      const r = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: spent }),
      });
      if (r.status === 400 || r.status === 401) return 'refused';
      if (!r.ok) return 'failed';
      saveSession((await r.json()).data);
      return 'ok';
    } catch {
      return 'failed';
    }
  };
  if (!refreshing) {
    const turn = navigator.locks ? navigator.locks.request('orgata.refresh', run).then((outcome) => outcome) : run();
    refreshing = turn.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

/**
 * Refreshes the session after a 401: true with new tokens; signs out when the refresh is
 * refused, and keeps the session when the server could not be reached.
 */
export async function refreshOrEnd(): Promise<boolean> {
  const outcome = await refresh();
  if (outcome === 'refused') clearSession();
  return outcome === 'ok';
}

/** A fresh access token (refreshed first when it is about to expire). */
export async function accessToken(): Promise<string | null> {
  const s = getSession();
  if (!s) return null;
  if (s.expires_at - Date.now() < 30_000) await refreshOrEnd();
  return getSession()?.access_token ?? null;
}

/** Copies of requests in flight, by openapi-fetch's id: a sent request's body cannot be read again. */
const originals = new Map<string, Request>();

const auth: Middleware = {
  async onRequest({ request, id }) {
    const token = await accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    originals.set(id, request.clone());
    return request;
  },
  async onResponse({ request, response, id }) {
    const original = originals.get(id);
    originals.delete(id);
    if (response.status !== 401 || request.url.includes('/v1/auth/') || !original) return response;
    const sentWith = request.headers.get('Authorization');
    const current = getSession()?.access_token;
    // another request refreshed already: just retry; otherwise refresh first
    if (!current || sentWith === `Bearer ${current}`) {
      if (!(await refreshOrEnd())) return response;
    }
    const retry = new Request(original);
    retry.headers.set('Authorization', `Bearer ${getSession()!.access_token}`);
    const again = await fetch(retry);
    if (again.status === 401) clearSession();
    return again;
  },
  onError({ id }) {
    originals.delete(id);
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

type Envelope<T> = { success: boolean; data?: T; error?: { code: string; message: string; details?: unknown } };
export type Pagination = Schemas['PageInfo'];

/** The `data` of an answer, or its error thrown as an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: Envelope<T>; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (data && data.success !== false) return data.data as T;
  throw apiError(response, error ?? data);
}

/** A page of a list: its items and the envelope's pagination. */
export async function unwrapPage<T>(
  call: Promise<{ data?: Envelope<T[]> & { pagination?: Pagination }; error?: unknown; response: Response }>,
): Promise<{ items: T[]; pagination?: Pagination }> {
  const { data, error, response } = await call;
  if (data && data.success !== false) return { items: data.data ?? [], pagination: data.pagination };
  throw apiError(response, error ?? data);
}

/** The ApiError of an answer: its envelope's error, or the bare status. */
export function apiError(response: Response, body: unknown): ApiError {
  const e = (body as Envelope<unknown> | undefined)?.error;
  if (e) return new ApiError(response.status, e.code, e.message, e.details);
  return new ApiError(response.status, 'INTERNAL', `The server answered ${response.status}.`);
}

/** A sentence for people: what went wrong and what they can do. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHENTICATED':
        return error.message || 'Your session has ended. Sign in again.';
      case 'FORBIDDEN':
        return `${error.message}. Ask a team admin for access.`;
      case 'NOT_FOUND':
        return `${error.message}. It may have been removed.`;
      case 'CONFLICT':
        return `${error.message}. Reload to see the latest version, then try again.`;
      case 'RATE_LIMITED':
        return 'Too many requests. Wait a moment, then try again.';
      case 'VALIDATION_FAILED': {
        // name each field by the last part of its pointer: `/steps/2/name` → `name`
        const fields = Object.entries(error.fields).map(([f, m]) => `${f.split('/').filter(Boolean).pop() ?? 'form'}: ${m}`);
        return fields.length ? `Check the marked fields. ${fields.join('; ')}.` : error.message;
      }
      default:
        return error.message;
    }
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check your connection.';
  return String(error);
}
