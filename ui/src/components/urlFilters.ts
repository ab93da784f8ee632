// Filters kept in the page's address, so a reload, a link or the back button keeps them.
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * The address's search parameters: `get` one, `set` one (an empty value removes it; any change
 * but the page's goes back to page 1), and the current `page`.
 */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const set = (key: string, value: string) => {
    // from the address as it is now, not as this render saw it: two changes in a row must not
    // undo each other while the first one's navigation is still rendering
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    setParams(next, { replace: true });
  };
  return { get: (key: string) => params.get(key) ?? '', set, page: Number(params.get('page') ?? '1') || 1 };
}

/**
 * A text filter kept in the address: typed into local state at once, written to the address when
 * typing pauses (so no keystroke is lost to a navigation still rendering).
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
