// Live updates: one Server-Sent Events stream per tab for the current team, read with fetch so
// the token goes in the Authorization header and a reconnect resumes after the last event seen
// (Last-Event-ID). Every event marks the team's queries stale (batched), so open lists and
// records refetch without a reload — except costly computations (analytics, dashboards, the
// audit chain check), which refresh when opened or asked to.
import { useQueryClient, type Query } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { accessToken, refreshOrEnd } from './client';

/** Query kinds (the third part of a team query's key) that events do not refresh. */
const NOT_LIVE = new Set(['analytics', 'dashboards', 'audit-verify']);
/** The server sends a heartbeat every 15 s: this long without a byte means the link is dead. */
const SILENCE_MS = 45_000;

/** Splits an SSE byte stream into events (`id`, `event`, `data` fields; comments skipped). */
export async function* readEvents(body: ReadableStream<Uint8Array>, onBytes: () => void = () => {}) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onBytes();
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event: { id?: string; event?: string; data: string } = { data: '' };
      for (const line of block.split(/\r?\n/)) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data += (event.data ? '\n' : '') + value;
        else if (field === 'id' || field === 'event') event[field] = value;
      }
      if (event.data) yield event;
    }
  }
}

/** Keeps the team's event stream open while mounted; answers whether it is connected. */
export function useLiveEvents(teamId: string | null): boolean {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!teamId) return;
    const stop = new AbortController();
    let lastId: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const live = (q: Query) => !NOT_LIVE.has(String(q.queryKey[2]));
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void client.invalidateQueries({ queryKey: ['team', teamId], predicate: live });
      }, 150);
    };
    const run = async () => {
      let failures = 0;
      while (!stop.signal.aborted) {
        const attempt = new AbortController();
        const abort = () => attempt.abort();
        stop.signal.addEventListener('abort', abort);
        let watchdog: ReturnType<typeof setTimeout> | undefined;
        const heard = () => {
          clearTimeout(watchdog);
          watchdog = setTimeout(abort, SILENCE_MS);
        };
        try {
          const token = await accessToken();
          if (!token) return; // signed out
          const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
          if (lastId) headers['Last-Event-ID'] = lastId;
          heard();
          const response = await fetch(`/v1/teams/${teamId}/events`, { headers, signal: attempt.signal });
          if (response.status === 401) {
            if (!(await refreshOrEnd())) return; // the session is over
            continue;
          }
          if (response.status === 403 || response.status === 404) return; // not this team's member
          if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
          setConnected(true);
          failures = 0;
          refresh(); // catch up on whatever changed while the stream was down
          for await (const e of readEvents(response.body, heard)) {
            if (e.id) lastId = e.id;
            refresh();
          }
        } catch {
          /* dropped, silent too long, or refused: reconnect below unless stopped */
        } finally {
          clearTimeout(watchdog);
          stop.signal.removeEventListener('abort', abort);
        }
        setConnected(false);
        if (stop.signal.aborted) return;
        // back off: 1 s, 2 s, 4 s … up to 30 s, with jitter so tabs do not reconnect together
        const wait = Math.min(30_000, 1000 * 2 ** failures++) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, wait));
      }
    };
    void run();
    return () => {
      stop.abort();
      if (timer) clearTimeout(timer);
      setConnected(false);
    };
  }, [teamId, client]);

  return connected;
}
