// JSON values: equality and JSON Pointer keys.

/** Whether two JSON values are the same (by their serialization). */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A key as one JSON Pointer segment (`a/b` → `a~1b`, `~` → `~0`). */
export const pointerKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
