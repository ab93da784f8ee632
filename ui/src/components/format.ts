// Small pure helpers for showing values: enum words, task states, UTC days.

/** An enum value in words: `in_progress` → `in progress`. */
export const words = (v: string) => v.replaceAll('_', ' ');

/** Task statuses that still need someone (a due date past in one of them is overdue). */
export const OPEN = new Set<string>(['open', 'in_progress', 'escalated']);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The start of a UTC day (`2026-03-01` → `2026-03-01T00:00:00Z`); undefined unless a day. */
export function dayStart(day: string): string | undefined {
  return DAY.test(day) ? `${day}T00:00:00Z` : undefined;
}

/** The start of the UTC day after `day`, so a period "to `day`" includes its whole day. */
export function dayAfter(day: string): string | undefined {
  if (!DAY.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}
