// Live updates: one Server-Sent Events stream per tab for the current team, read with fetch so
// the token goes in the Authorization header and a reconnect resumes after the last event seen
// (Last-Event-ID). Every event marks the team's queries stale (batched), so open lists and
// records refetch without a reload.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { accessToken } from './client';

export type LiveEvent = {
  seq: number;
  type: string;
  entity: { type: string; id: string };
  occurred_at: string;
  actor?: { type: string; id?: string | null };
};

/** Splits an SSE byte stream into events (`id`, `event`, `data` fields; comments skipped). */
export async function* readEvents(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
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

export function useLiveEvents(teamId: string | null): { connected: boolean; last: LiveEvent | null } {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [last, setLast] = useState<LiveEvent | null>(null);

  useEffect(() => {
    if (!teamId) return;
    const stop = new AbortController();
    let lastId: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void client.invalidateQueries({ queryKey: ['team', teamId] });
      }, 150);
    };
    const run = async () => {
      while (!stop.signal.aborted) {
        try {
          const token = await accessToken();
          const headers: Record<string, string> = { Accept: 'text/event-stream' };
          if (token) headers.Authorization = `Bearer ${token}`;
          if (lastId) headers['Last-Event-ID'] = lastId;
          const response = await fetch(`/v1/teams/${teamId}/events`, { headers, signal: stop.signal });
          if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
          setConnected(true);
          refresh(); // catch up on whatever changed while the stream was down
          for await (const e of readEvents(response.body)) {
            if (e.id) lastId = e.id;
            try {
              setLast(JSON.parse(e.data) as LiveEvent);
            } catch {
              /* not JSON: nothing to show, but still a change */
            }
            refresh();
          }
        } catch {
          /* dropped, refused or aborted: wait, then reconnect unless stopped */
        }
        setConnected(false);
        if (!stop.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
      }
    };
    void run();
    return () => {
      stop.abort();
      if (timer) clearTimeout(timer);
      setConnected(false);
    };
  }, [teamId, client]);

  return { connected, last };
}
