// The one way pages talk to the REST API: typed from /openapi.json (schema.gen.ts), with the
// bearer token added, one refresh on an expired token, and the envelope unwrapped into data or
// an ApiError carrying the contract's code and field details.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';
import { clearSession, getSession, saveSession } from './session';

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

  /** Field problems of a VALIDATION_FAILED answer, keyed by JSON Pointer. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as FieldError[]) out[d.field ?? ''] = d.message;
    }
    return out;
  }
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for a new pair once, however many requests ask at the same time. */
async function refresh(): Promise<boolean> {
  const s = getSession();
  if (!s) return false;
  refreshing ??= fetch('/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: s.refresh_token }),
  })
    .then(async (r) => {
      if (!r.ok) return false;
      saveSession((await r.json()).data);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A fresh access token (refreshed first when it is about to expire). */
export async function accessToken(): Promise<string | null> {
  const s = getSession();
  if (!s) return null;
  if (s.expires_at - Date.now() < 30_000) await refresh();
  return getSession()?.access_token ?? null;
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.url.includes('/v1/auth/')) return response;
    if (!(await refresh())) {
      clearSession();
      return response;
    }
    const retry = new Request(request);
    retry.headers.set('Authorization', `Bearer ${getSession()!.access_token}`);
    return fetch(retry);
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
  throw toError(response, error ?? data);
}

/** A page of a list: its items and the envelope's pagination. */
export async function unwrapPage<T>(
  call: Promise<{ data?: Envelope<T[]> & { pagination?: Pagination }; error?: unknown; response: Response }>,
): Promise<{ items: T[]; pagination?: Pagination }> {
  const { data, error, response } = await call;
  if (data && data.success !== false) return { items: data.data ?? [], pagination: data.pagination };
  throw toError(response, error ?? data);
}

function toError(response: Response, body: unknown): ApiError {
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
