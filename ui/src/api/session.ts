// The signed-in session: tokens kept in localStorage, shared by the browser's tabs, so a reload
// or a second tab stays signed in (refreshes take turns across tabs: see client.ts). Pages never
// touch storage directly; they read `useSession()`.
import { useSyncExternalStore } from 'react';
import type { components } from '../../generated/openapi';

export type Session = components['schemas']['Session'];
type Stored = { access_token: string; refresh_token: string; expires_at: number; user: Session['user'] };

const KEY = 'orgata.session';
const listeners = new Set<() => void>();
let current: Stored | null = read();

function read(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function emit() {
  for (const l of listeners) l();
}

// another tab signed in or out
window.addEventListener('storage', (e) => {
  if (e.key === KEY) {
    current = read();
    emit();
  }
});

export function saveSession(s: Session) {
  current = {
    access_token: s.access_token,
    refresh_token: s.refresh_token,
    expires_at: Date.now() + s.expires_in * 1000,
    user: s.user,
  };
  localStorage.setItem(KEY, JSON.stringify(current));
  emit();
}

export function clearSession() {
  current = null;
  localStorage.removeItem(KEY);
  emit();
}

export function getSession(): Stored | null {
  return current;
}

/** The session as stored now (another tab may have refreshed it since this tab last looked). */
export function reloadSession(): Stored | null {
  current = read();
  emit();
  return current;
}

/** Calls `listener` whenever the session changes (sign-in, refresh, sign-out, another tab). */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Stored | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
