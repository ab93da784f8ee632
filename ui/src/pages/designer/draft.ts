// The designer's model: the draft and its problems, constants, and the pure helpers around them.
import type { Schemas } from '../../api/client';
import { implicitDependencies } from '../../components/StepGraph';
import { same } from '../../components/json';

export type Playbook = Schemas['Playbook'];
export type Step = Schemas['PlaybookStep'];
export type DraftStep = Step & { key: string; isNew?: boolean; auto?: boolean; idTouched?: boolean };
export type Draft = Omit<Schemas['PlaybookBody'], 'steps'> & { steps: DraftStep[] };
export type JsonObject = Record<string, unknown>;
/** Problems keyed by JSON Pointer: top-level ones as given, step ones by step key then field. */
export type Problems = { top: Record<string, string>; steps: Record<string, Record<string, string>> };

export const STEP_ID = /^[a-z][a-z0-9_]{0,63}$/;
export const BRANCH = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const NEW_BRANCH = '\u0000new';
export const UNITS: Schemas['DurationUnit'][] = ['minutes', 'hours', 'days', 'weeks', 'months', 'seconds'];
export const TYPES: { value: Schemas['StepType']; label: string }[] = [
  { value: 'human', label: 'Human (a task for a person)' },
  { value: 'agent', label: 'Agent (a task for an AI agent)' },
  { value: 'algorithm', label: 'Automated (the runtime does it)' },
];
export const EXECUTION: { value: Schemas['StepExecutionType']; label: string }[] = [
  { value: 'sequential', label: 'Sequential: after the step before' },
  { value: 'parallel', label: 'Parallel: alongside neighbouring parallel steps' },
  { value: 'conditional', label: 'Conditional: only if its condition holds' },
];
export const STATUSES: Schemas['PlaybookStatus'][] = ['draft', 'active', 'deprecated', 'archived'];
export const LAYERS: Schemas['Layer'][] = ['L0', 'L1', 'L2'];
/** Fields of a step the side panel edits; problems under other fields are listed apart. */
export const PANEL_FIELDS = ['name', 'id', 'description', 'type', 'execution_type', 'assigned_role', 'dependencies', 'due', 'condition', 'form', 'form_document_id', 'automation_config', 'agent_config'];

let seq = 0;
export const newKey = () => `k${++seq}`;
export const sorted = (xs: string[]) => [...new Set(xs)].sort();

export function omit<T extends object, K extends keyof T>(o: T, keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

/** A slug from a name, unique among `taken` (the server's rule for steps without an id). */
export function slug(name: string, taken: Set<string>): string {
  let s = '';
  for (const c of name.toLowerCase()) {
    if (/[a-z0-9]/.test(c)) s += c;
    else if (s && !s.endsWith('_')) s += '_';
  }
  s = s.replace(/_+$/, '');
  let base = /^[a-z]/.test(s) ? s : `step_${s}`;
  base = base.slice(0, 56).replace(/_+$/, '');
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
  return candidate;
}

/** The editable copy of a playbook; `keys` reuses the list keys of the steps at the same places. */
export function toDraft(p: Playbook, keys: string[] = []): Draft {
  const body = omit(p, ['id', 'team_id', 'version', 'created_at', 'updated_at']);
  const implicit = implicitDependencies(p.steps);
  return {
    ...body,
    steps: p.steps.map((s, i) => {
      const explicit = s.dependencies ? sorted(s.dependencies) : null;
      const auto = !explicit || same(explicit, sorted(implicit[i]));
      return { ...s, dependencies: auto ? null : explicit, key: keys[i] ?? newKey(), auto };
    }),
  };
}

/** What is sent: the draft without the designer's bookkeeping, empty values left out. */
export function toBody(d: Draft): Schemas['PlaybookBody'] {
  return {
    ...omit(d, ['steps']),
    steps: d.steps.map((s) => {
      const out: JsonObject = { ...omit(s, ['key', 'isNew', 'auto', 'idTouched']) };
      out.dependencies = s.auto ? undefined : (s.dependencies ?? []);
      if (!s.condition?.trim()) delete out.condition;
      for (const [k, v] of Object.entries(out)) if (v === null || v === undefined) delete out[k];
      return out as Step;
    }),
  };
}

/** Whether `from` already (transitively) depends on `to`, so that `to` after `from` would loop. */
export function reaches(steps: Step[], deps: string[][], from: string, to: string): boolean {
  const index = new Map(steps.map((s, i) => [s.id, i]));
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    const i = index.get(id);
    if (i !== undefined) stack.push(...deps[i]);
  }
  return false;
}

/** Checks the server would make, run first so problems show before a round trip. */
export function check(d: Draft, rawInvalid: Record<string, string>): Problems {
  const out: Problems = { top: {}, steps: {} };
  const add = (key: string, field: string, message: string) => ((out.steps[key] ??= {})[field] ??= message);
  if (!d.name.trim()) out.top['/name'] = 'Give the playbook a name.';
  const seen = new Map<string, string>();
  for (const s of d.steps) {
    if (!s.name.trim()) add(s.key, 'name', 'Give the step a name.');
    if (!STEP_ID.test(s.id ?? '')) add(s.key, 'id', 'Use a lowercase letter, then lowercase letters, digits or _ (up to 64).');
    else if (seen.has(s.id!)) add(s.key, 'id', `Another step (${seen.get(s.id!)}) has this id.`);
    else seen.set(s.id!, s.name);
    if (s.execution_type === 'conditional' && !s.condition?.trim()) add(s.key, 'condition', 'A conditional step needs a condition.');
    if (s.type === 'algorithm' && !s.automation_config) add(s.key, 'automation_config', 'An automated step needs an automation (JSON with an action).');
    if (s.due && !(s.due.value >= 0 && s.due.value <= 1e7)) add(s.key, 'due/value', 'Use a number from 0 to 10000000.');
  }
  for (const [at, message] of Object.entries(rawInvalid)) {
    const [key, field] = at.split('|');
    if (d.steps.some((s) => s.key === key)) add(key, field, message);
  }
  return out;
}

/** The messages of a step's problems under `field` (itself or anything below it). */
export function under(problems: Record<string, string> | undefined, field: string): string | undefined {
  const hits = Object.entries(problems ?? {}).filter(([f]) => f === field || f.startsWith(`${field}/`));
  return hits.length ? hits.map(([, m]) => m).join(' ') : undefined;
}

export const problemCount = (p: Problems) => Object.keys(p.top).length + Object.values(p.steps).reduce((n, s) => n + Object.keys(s).length, 0);
