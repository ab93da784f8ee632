// Sections of a page behind tabs, the chosen one kept in the URL (`?tab=`): arrow keys, Home and
// End move between the tabs (WAI-ARIA tabs pattern, automatic activation).
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';

export type Tab = { id: string; label: string };

/** The tab list and the panel of the chosen tab; `panel` draws it. The first tab is the default. */
export function UrlTabs<T extends Tab>({ tabs, label, panel }: { tabs: T[]; label: string; panel: (tab: T) => ReactNode }) {
  const [params, setParams] = useSearchParams();
  const inUrl = params.get('tab');
  // The tab is chosen at once (the URL follows in a navigation that may wait for the panel's
  // code, which would leave the old tab selected meanwhile); a URL changed from outside wins.
  const [chosen, setChosen] = useState(inUrl);
  useEffect(() => setChosen(inUrl), [inUrl]);
  const current = tabs.find((t) => t.id === chosen) ?? tabs[0];
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  const choose = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    setChosen(tab.id);
    const next = new URLSearchParams(params);
    next.set('tab', tab.id);
    next.delete('page'); // a page number belongs to the list of the tab left
    setParams(next, { replace: true });
    buttons.current[tabs.indexOf(tab)]?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    // from the tab that has focus
    const focused = buttons.current.indexOf(e.target as HTMLButtonElement);
    const at = focused >= 0 ? focused : tabs.indexOf(current);
    const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(to);
  };

  return (
    <>
      <div role="tablist" aria-label={label} className="mb-4 flex flex-wrap gap-1 border-b border-slate-200" onKeyDown={onKey}>
        {tabs.map((t, i) => {
          const selected = t === current;
          return (
            <button
              key={t.id}
              ref={(el) => {
                buttons.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={selected}
              aria-controls={`panel-${t.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => choose(i)}
              className={`-mb-px min-h-10 rounded-t-md border-b-2 px-3 py-2 text-sm ${
                selected ? 'border-indigo-700 font-semibold text-indigo-900' : 'border-transparent text-slate-700 hover:bg-slate-100'
              }`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} tabIndex={0} className="min-w-0">
        {panel(current)}
      </div>
    </>
  );
}
