// Focus for forms whose checks failed: the first field marked invalid, once it is drawn.

/** Moves focus to the first field marked invalid inside `root` (after the next paint). */
export const focusInvalid = (root: HTMLElement | null) =>
  requestAnimationFrame(() => root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
