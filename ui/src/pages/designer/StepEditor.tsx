// The side panel that edits the selected step: its fields, what it runs after, its due time, condition, automation and form.
import { useMemo } from 'react';
import type { Schemas } from '../../api/client';
import { orderedProperties } from '../../components/SchemaForm';
import { Button, Field, TextInput, inputClass } from '../../components/ui';
import { EXECUTION, PANEL_FIELDS, TYPES, slug, under, type DraftStep, type JsonObject } from './draft';
import { DueEditor } from './DueEditor';
import { FormBuilder } from './FormBuilder';
import { JsonEditor } from './JsonEditor';

export function StepEditor({
  step,
  index,
  steps,
  deps,
  variablesSchema,
  roles,
  rolesError,
  problems,
  onChange,
  onDependencies,
  onRemove,
  onRaw,
}: {
  step: DraftStep;
  index: number;
  steps: DraftStep[];
  deps: string[][];
  variablesSchema?: JsonObject | null;
  roles: Schemas['Role'][];
  rolesError: unknown;
  problems?: Record<string, string>;
  onChange: (patch: Partial<DraftStep>) => void;
  onDependencies: (next: string[]) => void;
  onRemove: () => void;
  onRaw: (field: string, message: string | null) => void;
}) {
  const mine = deps[index] ?? [];
  const others = steps.filter((s) => s.key !== step.key && s.id);
  const err = (field: string) => under(problems, field);
  const otherProblems = Object.entries(problems ?? {}).filter(([f]) => !PANEL_FIELDS.includes(f.split('/')[0]));

  // what the condition can read: variables, and the outputs of steps that always finish first
  const upstream = useMemo(() => {
    const index = new Map(steps.map((s, i) => [s.id, i]));
    const seen = new Set<string>();
    const stack = [...mine];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const i = index.get(id);
      if (i !== undefined) stack.push(...deps[i]);
    }
    return steps.filter((s) => s.id && seen.has(s.id));
  }, [steps, deps, mine]);
  const variableNames = orderedProperties(variablesSchema).map(([name]) => name);

  const setType = (type: Schemas['StepType']) => {
    const patch: Partial<DraftStep> = { type };
    if (type === 'algorithm' && !step.automation_config) patch.automation_config = { action: 'wait_for_callback' };
    if (type !== 'algorithm') {
      patch.automation_config = null;
      onRaw('automation_config', null);
    }
    onChange(patch);
  };
  const setName = (name: string) => {
    const patch: Partial<DraftStep> = { name };
    if (step.isNew && !step.idTouched) patch.id = slug(name || 'step', new Set(steps.filter((s) => s.key !== step.key).map((s) => s.id ?? '')));
    onChange(patch);
  };

  return (
    <section aria-labelledby="designer-step-heading" className="flex flex-col gap-4 rounded-md border border-slate-300 p-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="designer-step-heading" className="text-base font-semibold">
          Step {index + 1}: {step.name || 'Untitled step'}
        </h3>
        <Button tone="danger" onClick={onRemove}>
          Delete step
        </Button>
      </div>
      {otherProblems.length > 0 && (
        <div className="rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900">
          <p className="font-medium">Other problems of this step</p>
          <ul className="list-disc pl-5">
            {otherProblems.map(([f, m]) => (
              <li key={f}>
                {f.replaceAll('_', ' ')}: {m}
              </li>
            ))}
          </ul>
        </div>
      )}
      <Field label="Name" error={err('name')}>
        {(p) => <TextInput {...p} data-step-name="" value={step.name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
      </Field>
      {step.isNew ? (
        <Field label="Step id" hint="Lowercase letters, digits and _, starting with a letter. It cannot change once saved." error={err('id')}>
          {(p) => (
            <TextInput
              {...p}
              value={step.id ?? ''}
              maxLength={64}
              spellCheck={false}
              className={`${inputClass} font-mono`}
              onChange={(e) => onChange({ id: e.target.value, idTouched: true })}
            />
          )}
        </Field>
      ) : (
        <p className="text-sm text-slate-700">
          Step id <code className="rounded bg-slate-100 px-1">{step.id}</code> (fixed once saved)
          {err('id') && <span className="block text-red-700">{err('id')}</span>}
        </p>
      )}
      <Field label="Description" error={err('description')}>
        {(p) => <textarea {...p} className={inputClass} rows={2} maxLength={4000} value={step.description ?? ''} onChange={(e) => onChange({ description: e.target.value })} />}
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Done by" error={err('type')}>
          {(p) => (
            <select {...p} className={inputClass} value={step.type} onChange={(e) => setType(e.target.value as Schemas['StepType'])}>
              {TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Runs" error={err('execution_type')}>
          {(p) => (
            <select
              {...p}
              className={inputClass}
              value={step.execution_type ?? 'sequential'}
              onChange={(e) => onChange({ execution_type: e.target.value as Schemas['StepExecutionType'] })}
            >
              {EXECUTION.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field label="Assigned role" hint={rolesError ? 'The roles could not be loaded.' : 'The business role whose members get the task.'} error={err('assigned_role')}>
        {(p) => (
          <select {...p} className={inputClass} value={step.assigned_role ?? ''} onChange={(e) => onChange({ assigned_role: e.target.value || null })}>
            <option value="">No role</option>
            {step.assigned_role && !roles.some((r) => r.id === step.assigned_role) && <option value={step.assigned_role}>Unknown role</option>}
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        )}
      </Field>

      <fieldset className="rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium">Runs after</legend>
        <label className="flex min-h-10 items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="h-4 w-4"
            checked={!!step.auto}
            onChange={(e) => onChange(e.target.checked ? { auto: true, dependencies: null } : { auto: false, dependencies: [...mine] })}
          />
          Follow the list order
        </label>
        <p className="mb-2 text-xs text-slate-600">
          {step.auto
            ? mine.length
              ? `Now: after ${mine.map((d) => steps.find((s) => s.id === d)?.name ?? d).join(', ')}. Moving steps in the list changes this.`
              : 'Now: at the start. Moving steps in the list changes this.'
            : 'Chosen by hand; moving steps in the list does not change it.'}
        </p>
        {others.length > 0 ? (
          <ul className="flex flex-col">
            {others.map((o) => (
              <li key={o.key}>
                <label className="flex min-h-8 items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="h-4 w-4"
                    disabled={!!step.auto}
                    checked={mine.includes(o.id!)}
                    onChange={(e) => onDependencies(e.target.checked ? [...mine, o.id!] : mine.filter((d) => d !== o.id))}
                  />
                  {o.name} <span className="text-xs text-slate-600">({o.id})</span>
                </label>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No other steps.</p>
        )}
        {err('dependencies') && <p className="mt-1 text-sm text-red-700">{err('dependencies')}</p>}
      </fieldset>

      <DueEditor due={step.due ?? null} error={err('due')} onChange={(due) => onChange({ due })} />

      <Field
        label={step.execution_type === 'conditional' ? 'Condition (required)' : 'Condition (optional)'}
        hint='CEL over variables and steps; the step is skipped when it is false. Example: steps.review.output.approved == true'
        error={err('condition')}
      >
        {(p) => (
          <textarea
            {...p}
            className={`${inputClass} font-mono`}
            rows={2}
            maxLength={4000}
            spellCheck={false}
            value={step.condition ?? ''}
            onChange={(e) => onChange({ condition: e.target.value })}
          />
        )}
      </Field>
      {(variableNames.length > 0 || upstream.length > 0) && (
        <details className="text-sm">
          <summary className="cursor-pointer text-indigo-800">What can the condition read?</summary>
          <ul className="mt-1 list-disc pl-5 font-mono text-xs text-slate-800">
            {variableNames.map((v) => (
              <li key={v}>variables.{v}</li>
            ))}
            {upstream.map((s) => {
              const fields = orderedProperties(s.form).map(([name]) => name);
              return (
                <li key={s.key}>
                  steps.{s.id}.status{fields.map((f) => `, steps.${s.id}.output.${f}`).join('')}
                </li>
              );
            })}
          </ul>
          <p className="mt-1 text-xs text-slate-600">Only steps this one always runs after can be read.</p>
        </details>
      )}

      {step.type === 'agent' && (
        <Field label="Instructions for the agent" error={err('agent_config')}>
          {(p) => (
            <textarea
              {...p}
              className={inputClass}
              rows={3}
              value={typeof step.agent_config?.instructions === 'string' ? step.agent_config.instructions : ''}
              onChange={(e) => onChange({ agent_config: { ...(step.agent_config ?? {}), instructions: e.target.value } })}
            />
          )}
        </Field>
      )}
      {step.type === 'algorithm' && (
        <JsonEditor
          label="Automation (JSON)"
          hint='An action: {"action": "set_variables", "variables": {"name": "CEL"}}, {"action": "webhook", "url": "https://…"}, {"action": "wait", "duration": {"value": 1, "unit": "days"}} or {"action": "wait_for_callback"}.'
          value={step.automation_config ?? null}
          error={err('automation_config')}
          onChange={(v) => onChange({ automation_config: v })}
          onInvalid={(m) => onRaw('automation_config', m)}
        />
      )}

      <FormBuilder
        form={(step.form as JsonObject | null | undefined) ?? null}
        documentId={step.form_document_id}
        error={err('form') ?? err('form_document_id')}
        onChange={(form) => onChange(form ? { form, form_document_id: null } : { form: null })}
        onInvalid={(m) => onRaw('form', m)}
      />
    </section>
  );
}
