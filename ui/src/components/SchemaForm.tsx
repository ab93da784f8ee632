// A form drawn from a step's JSON Schema, and the checks the server will make, run before
// sending so problems show next to their fields. Errors are keyed by JSON Pointer into the
// value ("/amount", "/address/city"), the same keys a VALIDATION_FAILED answer uses.
// Fields show in the order of the schema's "x-order" annotation (see orderedProperties).
import { useEffect, useId, useRef, useState } from 'react';
import { pointerKey, same } from './json';
import { Button, Field, TextInput, inputClass } from './ui';

/** The part of JSON Schema the form understands. */
export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  /** The order to show `properties` in (an annotation validators ignore): the server keeps keys sorted. */
  'x-order'?: string[];
};

type Errors = Record<string, string>;
type NodeProps = {
  schema: JsonSchema;
  label: string;
  required: boolean;
  pointer: string;
  value: unknown;
  onChange: (v: unknown) => void;
  errors: Errors;
  disabled?: boolean;
};

/** The schema's type, ignoring "null" in a type list; guessed from its keywords when absent. */
function kind(s: JsonSchema): string | undefined {
  const types = ([] as string[]).concat(s.type ?? []).filter((t) => t !== 'null');
  if (types.length) return types[0];
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

const humanize = (key: string) => key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * An object schema's properties in the order to show them: those named in "x-order" first, in
 * that order (names without a property are dropped), then the rest alphabetically. The server
 * stores JSON with sorted keys, so the order of `properties` itself is not kept.
 */
export function orderedProperties<T = JsonSchema>(schema?: { properties?: unknown; 'x-order'?: unknown } | null): [string, T][] {
  const properties = schema?.properties;
  if (!properties || typeof properties !== 'object' || Array.isArray(properties)) return [];
  const props = properties as Record<string, T>;
  const order = Array.isArray(schema['x-order']) ? schema['x-order'] : [];
  const listed = [...new Set(order.filter((n): n is string => typeof n === 'string' && Object.hasOwn(props, n)))];
  const rest = Object.keys(props)
    .filter((n) => !listed.includes(n))
    .sort();
  return [...listed, ...rest].map((n) => [n, props[n]]);
}

/** A starting value: defaults where the schema gives them, and false for every checkbox. */
export function initialValue(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of orderedProperties(schema)) {
    if (s.default !== undefined) out[key] = s.default;
    else if (kind(s) === 'boolean') out[key] = false;
    else if (kind(s) === 'object') out[key] = initialValue(s);
  }
  return out;
}

/** Constraints in words, after the schema's own description. */
function hint(s: JsonSchema): string | undefined {
  const parts = s.description ? [s.description] : [];
  if (s.format === 'email') parts.push('Like name@example.com.');
  if (s.minLength && s.minLength > 1) parts.push(`At least ${s.minLength} characters.`);
  if (s.maxLength !== undefined) parts.push(`Up to ${s.maxLength} characters.`);
  const low = s.minimum ?? s.exclusiveMinimum;
  const high = s.maximum ?? s.exclusiveMaximum;
  if (low !== undefined) parts.push(`${s.minimum !== undefined ? 'At least' : 'More than'} ${low}.`);
  if (high !== undefined) parts.push(`${s.maximum !== undefined ? 'At most' : 'Less than'} ${high}.`);
  return parts.join(' ') || undefined;
}

export function SchemaForm({
  schema,
  value,
  onChange,
  errors = {},
  disabled,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  errors?: Errors;
  disabled?: boolean;
}) {
  return (
    <div className="flex flex-col gap-4">
      {errors[''] && <p className="text-sm text-red-700">Problem: {errors['']}</p>}
      <Properties schema={schema} pointer="" value={value} onChange={onChange} errors={errors} disabled={disabled} />
    </div>
  );
}

function Properties({
  schema,
  pointer,
  value,
  onChange,
  errors,
  disabled,
}: Omit<NodeProps, 'label' | 'required' | 'value' | 'onChange'> & {
  value: unknown;
  onChange: (v: Record<string, unknown>) => void;
}) {
  const object = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return (
    <>
      {orderedProperties(schema).map(([key, s]) => (
        <Node
          key={key}
          schema={s}
          label={s.title ?? humanize(key)}
          required={!!schema.required?.includes(key)}
          pointer={`${pointer}/${pointerKey(key)}`}
          value={object[key]}
          onChange={(v) => {
            const next = { ...object };
            if (v === undefined) delete next[key];
            else next[key] = v;
            onChange(next);
          }}
          errors={errors}
          disabled={disabled}
        />
      ))}
    </>
  );
}

function Node(props: NodeProps) {
  const { schema: s, label, required, pointer, value, onChange, errors, disabled } = props;
  const text = `${label}${required ? ' (required)' : ''}`;
  const error = errors[pointer];
  const type = kind(s);

  if (type === 'object') return <Group {...props} />;
  if (type === 'array' && s.items?.enum) return <Choices {...props} />;
  if (type === 'array' && (kind(s.items ?? {}) ?? 'string') === 'string') return <List {...props} />;

  return (
    <Field label={text} hint={hint(s)} error={error}>
      {(p) => {
        const common = { ...p, disabled, 'aria-required': required || undefined };
        if (s.enum) {
          const index = s.enum.findIndex((e) => same(e, value));
          return (
            <select
              {...common}
              className={inputClass}
              value={index < 0 ? '' : String(index)}
              onChange={(e) => onChange(e.target.value === '' ? undefined : s.enum![Number(e.target.value)])}
            >
              <option value="">{required ? 'Choose…' : 'None'}</option>
              {s.enum.map((option, i) => (
                <option key={i} value={i}>
                  {String(option)}
                </option>
              ))}
            </select>
          );
        }
        switch (type) {
          case 'boolean':
            return (
              <input
                {...common}
                type="checkbox"
                className="h-5 w-5"
                checked={value === true}
                onChange={(e) => onChange(e.target.checked)}
              />
            );
          case 'number':
          case 'integer':
            return (
              <TextInput
                {...common}
                type="number"
                inputMode={type === 'integer' ? 'numeric' : 'decimal'}
                step={type === 'integer' ? 1 : 'any'}
                min={s.minimum}
                max={s.maximum}
                value={typeof value === 'number' ? value : ''}
                onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
              />
            );
          case 'string':
          case undefined: {
            const str = typeof value === 'string' ? value : '';
            const set = (v: string) => onChange(v === '' ? undefined : v);
            if (s.format === 'textarea' || (s.maxLength ?? 0) > 200)
              return (
                <textarea {...common} className={`${inputClass} min-h-28`} value={str} onChange={(e) => set(e.target.value)} />
              );
            if (s.format === 'date-time')
              return (
                <TextInput
                  {...common}
                  type="datetime-local"
                  value={toLocal(str)}
                  onChange={(e) => set(e.target.value && new Date(e.target.value).toISOString())}
                />
              );
            const input = { email: 'email', date: 'date', uri: 'url' }[s.format ?? ''] ?? 'text';
            return <TextInput {...common} type={input} value={str} onChange={(e) => set(e.target.value)} />;
          }
          default:
            return <JsonText {...common} value={value} onChange={onChange} />;
        }
      }}
    </Field>
  );
}

/** An ISO date-time as a datetime-local input shows it (local time, to the minute). */
function toLocal(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A nested object: its fields in a fieldset. */
function Group({ schema: s, label, required, pointer, value, onChange, errors, disabled }: NodeProps) {
  const id = useId();
  const error = errors[pointer];
  const h = hint(s);
  return (
    <fieldset
      className="flex flex-col gap-4 rounded-md border border-slate-300 p-3"
      aria-describedby={[h && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}
    >
      <legend className="px-1 text-sm font-semibold">
        {label}
        {required && ' (required)'}
      </legend>
      {h && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {h}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
      <Properties schema={s} pointer={pointer} value={value} onChange={onChange} errors={errors} disabled={disabled} />
    </fieldset>
  );
}

/** A list of choices from an enum: one checkbox each. */
function Choices({ schema: s, label, required, pointer, value, onChange, errors, disabled }: NodeProps) {
  const id = useId();
  const chosen = Array.isArray(value) ? value : [];
  const options = s.items!.enum!;
  const error = errors[pointer] ?? Object.entries(errors).find(([k]) => k.startsWith(`${pointer}/`))?.[1];
  const h = hint(s);
  return (
    <fieldset aria-describedby={[h && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}>
      <legend className="text-sm font-medium text-slate-800">
        {label}
        {required && ' (required)'}
      </legend>
      <div className="mt-1 flex flex-col gap-1">
        {options.map((option, i) => (
          <label key={i} className="flex min-h-10 items-center gap-2 text-sm">
            <input
              type="checkbox"
              className="h-5 w-5"
              disabled={disabled}
              checked={chosen.some((c) => same(c, option))}
              onChange={(e) =>
                onChange(options.filter((o) => (same(o, option) ? e.target.checked : chosen.some((c) => same(c, o)))))
              }
            />
            {String(option)}
          </label>
        ))}
      </div>
      {h && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {h}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** A list of strings: one input each, with add and remove. */
function List({ schema: s, label, required, pointer, value, onChange, errors, disabled }: NodeProps) {
  const id = useId();
  const items = Array.isArray(value) ? (value as string[]) : [];
  const list = useRef<HTMLUListElement>(null);
  const add = useRef<HTMLDivElement>(null);
  const [grown, setGrown] = useState(false);
  useEffect(() => {
    // focus the item just added
    if (grown) list.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus();
    setGrown(false);
  }, [grown]);
  const error = errors[pointer];
  const h = hint(s);
  return (
    <fieldset
      className="flex flex-col gap-2"
      aria-describedby={[h && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined}
    >
      <legend className="text-sm font-medium text-slate-800">
        {label}
        {required && ' (required)'}
      </legend>
      {h && (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {h}
        </p>
      )}
      {items.length === 0 && <p className="text-sm text-slate-600">None yet.</p>}
      <ul ref={list} className="flex flex-col gap-2">
        {items.map((item, i) => (
          <li key={i} className="flex items-start gap-2">
            <div className="min-w-0 flex-1">
              <Field label={`${label} ${i + 1}`} error={errors[`${pointer}/${i}`]}>
                {(p) => (
                  <TextInput
                    {...p}
                    disabled={disabled}
                    value={item ?? ''}
                    onChange={(e) => onChange(items.map((x, j) => (j === i ? e.target.value : x)))}
                  />
                )}
              </Field>
            </div>
            <Button
              tone="secondary"
              className="mt-6"
              disabled={disabled}
              aria-label={`Remove ${label} ${i + 1}`}
              onClick={() => {
                onChange(items.filter((_, j) => j !== i));
                add.current?.querySelector('button')?.focus();
              }}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <div ref={add}>
        <Button
          tone="secondary"
          disabled={disabled}
          onClick={() => {
            onChange([...items, '']);
            setGrown(true);
          }}
        >
          Add to {label}
        </Button>
      </div>
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Anything else the form cannot draw: JSON text, kept as typed until it parses. */
function JsonText({
  value,
  onChange,
  ...rest
}: { value: unknown; onChange: (v: unknown) => void } & Record<string, unknown>) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea
        {...rest}
        className={`${inputClass} min-h-28 font-mono`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      <p className="text-xs text-slate-600">{bad ? 'Not valid JSON yet: the last valid value is kept.' : 'Written as JSON.'}</p>
    </>
  );
}

// ——— validation ———

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'yes or no',
  object: 'a group of fields',
  array: 'a list',
  null: 'empty',
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every way `value` breaks `schema`, as messages keyed by JSON Pointer ("" for the value itself). */
export function validate(schema: JsonSchema, value: unknown): Errors {
  const out: Errors = {};
  check(schema, value, '', out);
  return out;
}

function check(s: JsonSchema, v: unknown, at: string, out: Errors): void {
  if (v === undefined) return; // presence is the parent's `required`
  const types = ([] as string[]).concat(s.type ?? []);
  const actual = typeOf(v);
  if (types.length && !types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) {
    out[at] = `Enter ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}.`;
    return;
  }
  if (s.enum && !s.enum.some((e) => same(e, v))) {
    out[at] = `Choose one of: ${s.enum.map(String).join(', ')}.`;
    return;
  }
  if (typeof v === 'string') {
    const length = [...v].length;
    if (s.minLength !== undefined && length < s.minLength)
      out[at] = s.minLength === 1 ? 'Enter a value.' : `Enter at least ${s.minLength} characters.`;
    else if (s.maxLength !== undefined && length > s.maxLength)
      out[at] = `Use at most ${s.maxLength} characters (now ${length}).`;
    else if (s.pattern && !matches(s.pattern, v)) out[at] = 'This does not have the expected form.';
    else if (s.format === 'email' && !EMAIL.test(v)) out[at] = 'Enter an email address like name@example.com.';
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out[at] = `Enter ${s.minimum} or more.`;
    else if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) out[at] = `Enter more than ${s.exclusiveMinimum}.`;
    else if (s.maximum !== undefined && v > s.maximum) out[at] = `Enter ${s.maximum} or less.`;
    else if (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum) out[at] = `Enter less than ${s.exclusiveMaximum}.`;
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out[at] = `Give at least ${s.minItems}.`;
    else if (s.maxItems !== undefined && v.length > s.maxItems) out[at] = `Give at most ${s.maxItems}.`;
    if (s.items) v.forEach((item, i) => check(s.items!, item, `${at}/${i}`, out));
  }
  if (actual === 'object') {
    const object = v as Record<string, unknown>;
    for (const key of s.required ?? [])
      if (object[key] === undefined) out[`${at}/${pointerKey(key)}`] = 'This field is required.';
    for (const [key, sub] of orderedProperties(s)) check(sub, object[key], `${at}/${pointerKey(key)}`, out);
  }
}

function matches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return true; // a pattern JavaScript cannot read is left to the server
  }
}
