// The editor of a step's form: its fields as a list (FormBuilder, FieldName, Options, the field kinds), or the raw JSON Schema.
import { useState } from 'react';
import { orderedProperties } from '../../components/SchemaForm';
import { Button, Field, TextInput, inputClass } from '../../components/ui';
import { same } from '../../components/json';
import { FIELD_NAME, type JsonObject } from './draft';
import { JsonEditor } from './JsonEditor';

type Kind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'other';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'string', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'integer', label: 'Whole number' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'enum', label: 'Choice' },
];

function kindOf(p: JsonObject): Kind {
  if (Array.isArray(p.enum)) return 'enum';
  return typeof p.type === 'string' && ['string', 'number', 'integer', 'boolean'].includes(p.type) ? (p.type as Kind) : 'other';
}

/**
 * A form as a list of fields (name, label, type, required); keywords it does not show are kept.
 * The fields' order is written to "x-order" (the server sorts the keys of `properties`).
 */
export function FormBuilder({
  form,
  documentId,
  error,
  onChange,
  onInvalid,
}: {
  form: JsonObject | null;
  documentId?: string | null;
  error?: string;
  onChange: (form: JsonObject | null) => void;
  onInvalid: (message: string | null) => void;
}) {
  const entries = orderedProperties<JsonObject>(form);
  const required = Array.isArray(form?.required) ? (form.required as string[]) : [];
  const structural = !form || Object.keys(form).every((k) => ['type', 'properties', 'required', 'x-order'].includes(k));

  const write = (next: [string, JsonObject][], req: string[]) => {
    if (!next.length && structural) return onChange(null);
    const out: JsonObject = { ...(form ?? {}), type: 'object', properties: Object.fromEntries(next) };
    if (next.length) out['x-order'] = next.map(([n]) => n);
    else delete out['x-order'];
    const kept = req.filter((r) => next.some(([n]) => n === r));
    if (kept.length) out.required = kept;
    else delete out.required;
    onChange(out);
  };
  const change = (i: number, prop: JsonObject) => write(entries.map((e, j) => (j === i ? [e[0], prop] : e)), required);
  const add = () => {
    let n = entries.length + 1;
    while (entries.some(([k]) => k === `field_${n}`)) n++;
    write([...entries, [`field_${n}`, { type: 'string' }]], required);
  };
  const setKind = (i: number, kind: Kind) => {
    const prop = { ...entries[i][1] };
    delete prop.enum;
    if (kind !== 'string') delete prop.format;
    if (kind === 'enum') {
      prop.type = 'string';
      prop.enum = Array.isArray(entries[i][1].enum) ? entries[i][1].enum : ['option_1', 'option_2'];
    } else prop.type = kind;
    change(i, prop);
  };

  return (
    <fieldset className="rounded-md border border-slate-200 p-3">
      <legend className="px-1 text-sm font-medium">Form</legend>
      <p className="mb-2 text-xs text-slate-600">What the person or agent fills in to complete the step; later conditions read it as steps.&lt;id&gt;.output.&lt;field&gt;.</p>
      {documentId && !form && <p className="mb-2 text-sm text-slate-700">This step uses the form of a document. Adding fields here replaces it.</p>}
      {error && <p className="mb-2 text-sm text-red-700">{error}</p>}
      {entries.length > 0 && (
        <ol className="mb-2 flex flex-col gap-3">
          {entries.map(([name, prop], i) => {
            const kind = kindOf(prop);
            const taken = new Set(entries.filter((_, j) => j !== i).map(([k]) => k));
            return (
              <li key={`${i}:${name}`} className="rounded border border-slate-200 p-2">
                <fieldset>
                  <legend className="text-xs font-semibold text-slate-700">Field {i + 1}</legend>
                  <div className="grid gap-2 sm:grid-cols-2">
                    <FieldName
                      name={name}
                      taken={taken}
                      onCommit={(next) =>
                        write(
                          entries.map((e, j) => (j === i ? [next, e[1]] : e)),
                          required.map((r) => (r === name ? next : r)),
                        )
                      }
                    />
                    <Field label="Label">
                      {(p) => (
                        <TextInput
                          {...p}
                          value={typeof prop.title === 'string' ? prop.title : ''}
                          onChange={(e) => {
                            const next: JsonObject = { ...prop, title: e.target.value };
                            if (!e.target.value) delete next.title;
                            change(i, next);
                          }}
                        />
                      )}
                    </Field>
                    <Field label="Type">
                      {(p) => (
                        <select {...p} className={inputClass} value={kind} onChange={(e) => setKind(i, e.target.value as Kind)} disabled={kind === 'other'}>
                          {kind === 'other' && <option value="other">Other (edit the raw schema)</option>}
                          {KINDS.map((k) => (
                            <option key={k.value} value={k.value}>
                              {k.label}
                            </option>
                          ))}
                        </select>
                      )}
                    </Field>
                    {kind === 'enum' && (
                      <Options
                        values={(prop.enum as unknown[]).map(String)}
                        onCommit={(values) => change(i, { ...prop, enum: values })}
                      />
                    )}
                  </div>
                  <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
                    <label className="flex min-h-10 items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        className="h-4 w-4"
                        checked={required.includes(name)}
                        onChange={(e) => write(entries, e.target.checked ? [...required, name] : required.filter((r) => r !== name))}
                      />
                      Required
                    </label>
                    <Button tone="secondary" onClick={() => write(entries.filter((_, j) => j !== i), required.filter((r) => r !== name))}>
                      Remove field<span className="sr-only"> {name}</span>
                    </Button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
      )}
      <Button tone="secondary" onClick={add}>
        Add field
      </Button>
      <details className="mt-3">
        <summary className="cursor-pointer text-sm text-indigo-800">Edit raw JSON Schema</summary>
        <div className="mt-2">
          <JsonEditor
            label="Form as JSON Schema"
            hint="A JSON Schema (2020-12) object; leave empty for no form."
            value={form}
            onChange={(v) => onChange(v)}
            onInvalid={onInvalid}
          />
        </div>
      </details>
    </fieldset>
  );
}

/** A form field's name, applied when it is valid and the input is left. */
function FieldName({ name, taken, onCommit }: { name: string; taken: Set<string>; onCommit: (name: string) => void }) {
  const [text, setText] = useState(name);
  const problem = !FIELD_NAME.test(text)
    ? 'Use letters, digits and _, not starting with a digit.'
    : text !== name && taken.has(text)
      ? 'Another field has this name.'
      : undefined;
  return (
    <Field label="Name" error={problem}>
      {(p) => (
        <TextInput
          {...p}
          value={text}
          spellCheck={false}
          className={`${inputClass} font-mono`}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => {
            if (!problem && text !== name) onCommit(text);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !problem && text !== name) {
              e.preventDefault();
              onCommit(text);
            }
          }}
        />
      )}
    </Field>
  );
}

/** The options of a choice, comma separated, applied when the input is left. */
function Options({ values, onCommit }: { values: string[]; onCommit: (values: string[]) => void }) {
  const [text, setText] = useState(values.join(', '));
  const parsed = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const problem = parsed.length ? undefined : 'Give at least one option.';
  return (
    <div className="sm:col-span-2">
      <Field label="Options" hint="Separated by commas." error={problem}>
        {(p) => (
          <TextInput
            {...p}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => {
              if (!problem && !same(parsed, values)) onCommit(parsed);
            }}
          />
        )}
      </Field>
    </div>
  );
}

