// JSON values: equality, JSON Pointer keys, and objects typed as text.

/** Whether two JSON values are the same (by their serialization). */
export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A key as one JSON Pointer segment (`a/b` → `a~1b`, `~` → `~0`). */
export const pointerKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** The JSON object a text holds, or why it holds none (`example` shows the expected shape). */
export function parseObject(text: string, example = '{"approved": true}'): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `This is not valid JSON (${e instanceof Error ? e.message : String(e)}).` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: `Write a JSON object, like ${example}.` };
  return { value: value as Record<string, unknown> };
}
