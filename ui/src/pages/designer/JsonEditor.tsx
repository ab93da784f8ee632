// A JSON object edited as text (JsonEditor), applied to the draft while it parses.
import { useEffect, useRef, useState } from 'react';
import { parseObject } from '../../components/json';
import { Field, inputClass } from '../../components/ui';
import type { JsonObject } from './draft';

/** A JSON object in a textarea: applied while valid; while not, the problem is shown and reported. */
export function JsonEditor({
  label,
  hint,
  value,
  error,
  onChange,
  onInvalid,
}: {
  label: string;
  hint?: string;
  value: JsonObject | null;
  error?: string;
  onChange: (value: JsonObject | null) => void;
  onInvalid: (message: string | null) => void;
}) {
  const format = (v: JsonObject | null) => (v ? JSON.stringify(v, null, 2) : '');
  const [text, setText] = useState(() => format(value));
  const [problem, setProblem] = useState<string | null>(null);
  const editing = useRef(false);
  useEffect(() => {
    if (!editing.current && !problem) setText(format(value));
  }, [value, problem]);
  // when the editor goes (another step selected), its unparsed text goes with it: the draft
  // keeps the last valid value, so nothing is left to block saving
  const report = useRef(onInvalid);
  report.current = onInvalid;
  useEffect(() => () => report.current(null), []);
  return (
    <Field label={label} hint={hint} error={problem ?? error}>
      {(p) => (
        <textarea
          {...p}
          className={`${inputClass} font-mono text-xs`}
          // sized by the value, not the text: formatting it on blur must not move what is below
          rows={Math.min(14, Math.max(3, format(value).split('\n').length))}
          spellCheck={false}
          value={text}
          onFocus={() => (editing.current = true)}
          onBlur={() => {
            editing.current = false;
            if (!problem) setText(format(value));
          }}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            let message: string | null = null;
            if (!t.trim()) onChange(null);
            else {
              const parsed = parseObject(t, '{ … }');
              if ('error' in parsed) message = parsed.error;
              else onChange(parsed.value);
            }
            setProblem(message);
            onInvalid(message);
          }}
        />
      )}
    </Field>
  );
}
