// The guard of a page with unsaved edits (the designer, a document or rule being edited).
import { useEffect, useRef } from 'react';
import { useBlocker } from 'react-router';
import { Button } from './ui';

/**
 * Keeps unsaved edits: the browser asks before closing the tab, and leaving for another page
 * asks first (the dialog this returns). `skip` lets a page leave on purpose after a save.
 */
export function useUnsavedGuard(dirty: boolean, question = 'Leave this page?') {
  const skip = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  // what had focus when leaving was asked for (the link followed): it gets focus back on "Stay"
  const before = useRef<Element | null>(null);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => {
    const block = dirty && !skip.current && currentLocation.pathname !== nextLocation.pathname;
    if (block) before.current = document.activeElement;
    return block;
  });
  const dialog =
    blocker.state === 'blocked' ? (
      <div
        role="alertdialog"
        aria-labelledby="leave-title"
        className="fixed inset-x-4 bottom-4 z-50 mx-auto max-w-lg rounded-md border border-amber-400 bg-amber-50 p-4 text-sm text-amber-950 shadow-lg"
      >
        <p id="leave-title" className="font-medium">
          {question} Your changes are not saved.
        </p>
        <div className="mt-2 flex gap-2">
          <Button
            autoFocus
            tone="secondary"
            onClick={() => {
              blocker.reset();
              requestAnimationFrame(() => (before.current as HTMLElement | null)?.focus?.());
            }}
          >
            Stay
          </Button>
          <Button tone="danger" onClick={() => blocker.proceed()}>
            Leave without saving
          </Button>
        </div>
      </div>
    ) : null;
  return { dialog, skip };
}
