// Where focus goes when what had it changes: the first problem of a form whose checks failed,
// once it is drawn; the control that opened something, once that closes.
import { useEffect, useRef } from 'react';

/** A problem a form marks: a field marked invalid, or a problem drawn on a focusable element. */
const PROBLEM = '[aria-invalid="true"], [data-problem]';

/**
 * Moves focus to the first problem marked inside `root` once it is drawn. It is looked for at
 * each of the next few frames: problems set after an await, or a mutation's error, are drawn a
 * little after the call.
 */
export function focusInvalid(root: HTMLElement | null, frames = 10) {
  requestAnimationFrame(() => {
    if (!root?.isConnected) return;
    const problem = root.querySelector<HTMLElement>(PROBLEM);
    if (problem) problem.focus();
    else if (frames > 1) focusInvalid(root, frames - 1);
  });
}

/**
 * Puts focus on the element `id` (the control that opened a form, a box, …) once `open` turns
 * false, when focus went away with what closed (it fell to the page's body). Focus a person
 * moved elsewhere, or a change made by someone else, is left alone.
 */
export function useFocusOnClose(open: boolean, id: string) {
  const was = useRef(false);
  useEffect(() => {
    const active = document.activeElement;
    if (was.current && !open && (!active || active === document.body)) document.getElementById(id)?.focus();
    was.current = open;
  }, [open, id]);
}
