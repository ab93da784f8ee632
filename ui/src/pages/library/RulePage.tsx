// One business rule on a ref (`?ref=`, default main), or a new one (`/library/rules/new`): what it
// is, where it applies (a CEL condition, playbooks, steps) and what it does, per its category.
// Editors save it as a commit on a branch, or delete it; everyone else reads.
import { useMemo } from 'react';
import { useParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { COMMIT } from '../../api/ids';
import { usePlaybooks, useRoles } from '../../api/queries';
import { Card, ErrorNote, Field, TextInput, inputClass, when } from '../../components/ui';
import { DefinitionPage, useDefinitionEditor, type DefinitionCalls, type EditorProps } from './common';
import { SaveCard } from '../../components/SaveCard';

type Rule = Schemas['BusinessRule'];
type Category = Schemas['RuleCategory'];
type Priority = Schemas['TaskPriority'];

const CATEGORIES: { value: Category; label: string; hint: string; example: string }[] = [
  {
    value: 'validation',
    label: 'Validation',
    hint: 'Must hold when a step in scope completes; otherwise the step is refused with the message below.',
    example: 'output.amount <= 10000',
  },
  {
    value: 'approval',
    label: 'Approval',
    hint: 'When it holds over the output of a step in scope, the step waits for an approver before it completes.',
    example: 'output.amount > 5000',
  },
  {
    value: 'escalation',
    label: 'Escalation',
    hint: 'When it holds at an SLA breach of a step in scope, escalation goes as this rule says.',
    example: 'variables.region == "EU"',
  },
  { value: 'automation', label: 'Automation', hint: 'A condition over output, variables and steps.', example: 'true' },
  { value: 'compliance', label: 'Compliance', hint: 'A condition over output, variables and steps.', example: 'true' },
];
const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'critical'];

/** The rule as edited: every field present, the priority as typed. */
type Draft = {
  name: string;
  description: string;
  category: Category;
  priority: string;
  active: boolean;
  expression: string;
  playbooks: string[];
  steps: string[];
  message: string;
  approver: string;
  escalateTo: string;
  taskPriority: Priority | '';
};

const EMPTY: Draft = {
  name: '',
  description: '',
  category: 'validation',
  priority: '0',
  active: true,
  expression: '',
  playbooks: [],
  steps: [],
  message: '',
  approver: '',
  escalateTo: '',
  taskPriority: '',
};

function toDraft(r: Rule): Draft {
  return {
    name: r.name,
    description: r.description ?? '',
    category: r.category ?? 'validation',
    priority: String(r.priority ?? 0),
    active: r.is_active ?? true,
    expression: r.conditions?.expression ?? 'true',
    playbooks: r.conditions?.playbook_ids ?? [],
    steps: r.conditions?.step_ids ?? [],
    message: r.actions?.message ?? '',
    approver: r.actions?.approver_role ?? '',
    escalateTo: r.actions?.escalate_to_role ?? '',
    taskPriority: r.actions?.priority ?? '',
  };
}

/** The body to send: only the actions the rule's category uses. */
function toBody(d: Draft): Schemas['BusinessRuleBody'] {
  const actions: Schemas['RuleActions'] = {};
  if (d.category === 'approval') {
    if (d.approver) actions.approver_role = d.approver;
  } else if (d.category === 'escalation') {
    if (d.escalateTo) actions.escalate_to_role = d.escalateTo;
    if (d.taskPriority) actions.priority = d.taskPriority;
  } else if (d.message.trim()) actions.message = d.message.trim();
  const priority = Number(d.priority);
  return {
    name: d.name.trim(),
    description: d.description,
    category: d.category,
    priority: Number.isInteger(priority) ? priority : 0,
    is_active: d.active,
    conditions: { expression: d.expression.trim(), playbook_ids: [...d.playbooks].sort(), step_ids: [...d.steps].sort() },
    actions,
  };
}

const calls: DefinitionCalls<Rule, Schemas['BusinessRuleBody']> = {
  get: (teamId, id, ref) => unwrap<Rule>(api.GET('/v1/teams/{team_id}/rules/{rule_id}', { params: { path: { team_id: teamId, rule_id: id }, query: { ref } } })),
  create: (teamId, ref, body) => unwrap<Rule>(api.POST('/v1/teams/{team_id}/rules', { params: { path: { team_id: teamId }, query: { ref } }, body })),
  update: (teamId, id, ref, body) =>
    unwrap<Rule>(api.PUT('/v1/teams/{team_id}/rules/{rule_id}', { params: { path: { team_id: teamId, rule_id: id }, query: { ref } }, body })),
  remove: (teamId, id, ref) => unwrap(api.DELETE('/v1/teams/{team_id}/rules/{rule_id}', { params: { path: { team_id: teamId, rule_id: id }, query: { ref } } })),
};

export default function RulePage() {
  return (
    <DefinitionPage<Rule>
      id={useParams().ruleId ?? 'new'}
      kind="rules"
      noun="rule"
      title={{ new: 'New business rule', loading: 'Business rule' }}
      load={calls.get}
      Editor={Editor}
    />
  );
}

function Editor({ teamId, refName, item: rule, editor, onDirty, saved }: EditorProps<Rule>) {
  const playbooks = usePlaybooks(teamId, COMMIT.test(refName) ? 'main' : refName);
  const roles = useRoles(teamId);
  const readOnly = !editor || COMMIT.test(refName);
  const { draft, change, error, report, form, dialog, save } = useDefinitionEditor({
    kind: 'rules',
    teamId,
    refName,
    item: rule,
    readOnly,
    onDirty,
    saved,
    empty: EMPTY,
    toDraft,
    toBody,
    calls,
    // a CEL parse error's drawing of where it is (lines of "| …") reads badly as prose
    serverText: (message) =>
      message
        .split('\n')
        .filter((l) => !l.startsWith('|'))
        .join(' '),
  });
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...new Set([...list, id])] : list.filter((x) => x !== id));

  const check = () => {
    const problems: Record<string, string> = {};
    if (!draft.name.trim()) problems['/name'] = 'Give the rule a name.';
    const priority = Number(draft.priority);
    if (draft.priority.trim() === '' || !Number.isInteger(priority) || priority < -1000 || priority > 1000)
      problems['/priority'] = 'A whole number from -1000 to 1000.';
    if (!draft.expression.trim()) problems['/conditions/expression'] = 'Write a condition (true applies always).';
    return report(problems);
  };

  const category = CATEGORIES.find((c) => c.value === draft.category) ?? CATEGORIES[0];
  const playbookList = playbooks.data?.items ?? [];
  // the steps to choose from: those of the chosen playbooks (of all when none is chosen)
  const stepChoices = useMemo(() => {
    const from = draft.playbooks.length ? playbookList.filter((p) => draft.playbooks.includes(p.id)) : playbookList;
    const byId = new Map<string, { names: Set<string>; playbooks: Set<string> }>();
    for (const p of from)
      for (const s of p.steps) {
        if (!s.id) continue;
        const entry = byId.get(s.id) ?? { names: new Set(), playbooks: new Set() };
        entry.names.add(s.name);
        entry.playbooks.add(p.name);
        byId.set(s.id, entry);
      }
    for (const id of draft.steps) if (!byId.has(id)) byId.set(id, { names: new Set(), playbooks: new Set() });
    return [...byId.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [playbookList, draft.playbooks, draft.steps]);
  const roleList = roles.data?.items ?? [];
  const roleOptions = (chosen: string) => (
    <>
      {chosen && !roleList.some((r) => r.id === chosen) && <option value={chosen}>Unknown role ({chosen.slice(0, 8)})</option>}
      {roleList.map((r) => (
        <option key={r.id} value={r.id}>
          {r.name}
        </option>
      ))}
    </>
  );
  const missingPlaybooks = draft.playbooks.filter((id) => !playbookList.some((p) => p.id === id));

  return (
    <div ref={form} className="flex flex-col gap-4">
      {dialog}
      {rule && (
        <p className="text-sm text-slate-700">
          Version <code>{rule.version.slice(0, 10)}</code> on {COMMIT.test(refName) ? `commit ${refName.slice(0, 10)}` : refName}, updated {when(rule.updated_at)}.
        </p>
      )}
      {COMMIT.test(refName) && editor && (
        <p className="rounded-md border border-slate-300 bg-slate-50 p-3 text-sm text-slate-800">
          This is the rule as of a commit, which cannot change. Choose a branch above to edit it.
        </p>
      )}
      <Card title="Rule">
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" error={error('/name')}>
            {(p) => <TextInput {...p} value={draft.name} maxLength={200} disabled={readOnly} onChange={(e) => change({ name: e.target.value }, '/name')} />}
          </Field>
          <Field label="Category" hint={category.hint} error={error('/category')}>
            {(p) => (
              <select
                {...p}
                className={inputClass}
                value={draft.category}
                disabled={readOnly}
                onChange={(e) => change({ category: e.target.value as Category }, '/category', '/actions')}
              >
                {CATEGORIES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Priority" hint="From -1000 to 1000; when several rules apply, the highest goes first." error={error('/priority')}>
            {(p) => (
              <TextInput
                {...p}
                type="number"
                inputMode="numeric"
                min={-1000}
                max={1000}
                step={1}
                value={draft.priority}
                disabled={readOnly}
                onChange={(e) => change({ priority: e.target.value }, '/priority')}
              />
            )}
          </Field>
          <div className="flex flex-col justify-end">
            <label className="flex min-h-10 items-center gap-2 text-sm font-medium text-slate-800">
              <input
                type="checkbox"
                className="h-4 w-4"
                checked={draft.active}
                disabled={readOnly}
                onChange={(e) => change({ active: e.target.checked }, '/is_active')}
              />
              Active
            </label>
            <p className="text-xs text-slate-600">Inactive rules are kept but not applied.</p>
          </div>
          <div className="md:col-span-2">
            <Field label="Description" error={error('/description')}>
              {(p) => (
                <textarea
                  {...p}
                  className={inputClass}
                  rows={2}
                  maxLength={4000}
                  value={draft.description}
                  disabled={readOnly}
                  onChange={(e) => change({ description: e.target.value }, '/description')}
                />
              )}
            </Field>
          </div>
        </div>
      </Card>

      <Card title="When it applies">
        <div className="flex flex-col gap-4">
          <Field
            label="Condition (CEL)"
            hint={`Over output, variables and steps, e.g. ${category.example}.`}
            error={error('/conditions/expression')}
          >
            {(p) => (
              <textarea
                {...p}
                className={`${inputClass} font-mono`}
                rows={3}
                maxLength={4000}
                spellCheck={false}
                value={draft.expression}
                disabled={readOnly}
                onChange={(e) => change({ expression: e.target.value }, '/conditions/expression')}
              />
            )}
          </Field>
          <div className="grid gap-4 md:grid-cols-2">
            <fieldset className="min-w-0 rounded-md border border-slate-200 p-3">
              <legend className="px-1 text-sm font-medium">Playbooks</legend>
              <p className="mb-2 text-xs text-slate-600">None chosen: every playbook.</p>
              {error('/conditions/playbook_ids') && (
                <p data-problem tabIndex={-1} className="mb-2 text-sm text-red-700">
                  {error('/conditions/playbook_ids')}
                </p>
              )}
              {playbooks.error ? (
                <ErrorNote error={playbooks.error} title="Could not load the playbooks" />
              ) : playbooks.isPending ? (
                <p role="status" className="text-sm text-slate-600">
                  Loading…
                </p>
              ) : (
                <ul className="flex max-h-64 flex-col gap-1 overflow-y-auto">
                  {playbookList.map((p) => (
                    <li key={p.id}>
                      <label className="flex min-h-8 items-center gap-2 text-sm">
                        <input
                          type="checkbox"
                          className="h-4 w-4 shrink-0"
                          checked={draft.playbooks.includes(p.id)}
                          disabled={readOnly}
                          onChange={(e) => change({ playbooks: toggle(draft.playbooks, p.id, e.target.checked) }, '/conditions/playbook_ids')}
                        />
                        <span className="min-w-0 break-words">{p.name}</span>
                      </label>
                    </li>
                  ))}
                  {missingPlaybooks.map((id) => (
                    <li key={id}>
                      <label className="flex min-h-8 items-center gap-2 text-sm">
                        <input
                          type="checkbox"
                          className="h-4 w-4 shrink-0"
                          checked
                          disabled={readOnly}
                          onChange={() => change({ playbooks: toggle(draft.playbooks, id, false) }, '/conditions/playbook_ids')}
                        />
                        <span className="min-w-0 break-words">A playbook not on this branch ({id.slice(0, 8)})</span>
                      </label>
                    </li>
                  ))}
                  {!playbookList.length && !missingPlaybooks.length && <li className="text-sm text-slate-600">No playbooks on this branch.</li>}
                </ul>
              )}
            </fieldset>
            <fieldset className="min-w-0 rounded-md border border-slate-200 p-3">
              <legend className="px-1 text-sm font-medium">Steps</legend>
              <p className="mb-2 text-xs text-slate-600">
                None chosen: every step. Steps are matched by id, in {draft.playbooks.length ? 'the chosen playbooks' : 'any playbook'}.
              </p>
              {error('/conditions/step_ids') && (
                <p data-problem tabIndex={-1} className="mb-2 text-sm text-red-700">
                  {error('/conditions/step_ids')}
                </p>
              )}
              {stepChoices.length ? (
                <ul className="flex max-h-64 flex-col gap-1 overflow-y-auto">
                  {stepChoices.map(([id, info]) => (
                    <li key={id}>
                      <label className="flex min-h-8 items-start gap-2 text-sm">
                        <input
                          type="checkbox"
                          className="mt-1 h-4 w-4 shrink-0"
                          checked={draft.steps.includes(id)}
                          disabled={readOnly}
                          onChange={(e) => change({ steps: toggle(draft.steps, id, e.target.checked) }, '/conditions/step_ids')}
                        />
                        <span className="min-w-0 break-words">
                          {[...info.names].join(' / ') || 'A step not in these playbooks'} <code className="text-xs text-slate-700">{id}</code>
                          {info.playbooks.size > 0 && <span className="block text-xs text-slate-600">in {[...info.playbooks].join(', ')}</span>}
                        </span>
                      </label>
                    </li>
                  ))}
                </ul>
              ) : (
                !playbooks.isPending && <p className="text-sm text-slate-600">The chosen playbooks have no steps.</p>
              )}
            </fieldset>
          </div>
        </div>
      </Card>

      <Card title="What it does">
        {draft.category === 'approval' ? (
          <Field
            label="Approver role"
            hint="The business role whose members approve. Default: the superior of the step's role, else the step's role."
            error={error('/actions/approver_role')}
          >
            {(p) => (
              <select {...p} className={`${inputClass} md:w-96`} value={draft.approver} disabled={readOnly} onChange={(e) => change({ approver: e.target.value }, '/actions')}>
                <option value="">Default (the step's superior role)</option>
                {roleOptions(draft.approver)}
              </select>
            )}
          </Field>
        ) : draft.category === 'escalation' ? (
          <div className="grid gap-4 md:grid-cols-2">
            <Field
              label="Escalate to role"
              hint="The business role escalation tasks go to. Default: the superior of the step's role."
              error={error('/actions/escalate_to_role')}
            >
              {(p) => (
                <select {...p} className={inputClass} value={draft.escalateTo} disabled={readOnly} onChange={(e) => change({ escalateTo: e.target.value }, '/actions')}>
                  <option value="">Default (the step's superior role)</option>
                  {roleOptions(draft.escalateTo)}
                </select>
              )}
            </Field>
            <Field label="Escalation task priority" error={error('/actions/priority')}>
              {(p) => (
                <select
                  {...p}
                  className={inputClass}
                  value={draft.taskPriority}
                  disabled={readOnly}
                  onChange={(e) => change({ taskPriority: e.target.value as Priority | '' }, '/actions')}
                >
                  <option value="">Default (high)</option>
                  {PRIORITIES.map((p) => (
                    <option key={p} value={p}>
                      {p.charAt(0).toUpperCase() + p.slice(1)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        ) : (
          <div className="flex flex-col gap-2">
            <Field
              label={draft.category === 'validation' ? 'Message when it does not hold' : 'Message'}
              hint={draft.category === 'validation' ? 'Shown to whoever completes the step. Default: “business rule … is not met”.' : undefined}
              error={error('/actions/message')}
            >
              {(p) => (
                <TextInput {...p} value={draft.message} maxLength={1000} disabled={readOnly} onChange={(e) => change({ message: e.target.value }, '/actions')} />
              )}
            </Field>
            {draft.category !== 'validation' && (
              <p className="text-sm text-slate-700">The runtime records {draft.category} rules with the library; it does not act on them itself.</p>
            )}
          </div>
        )}
      </Card>

      {!readOnly && (
        <SaveCard
          teamId={teamId}
          refName={refName}
          noun="business rule"
          name={draft.name.trim()}
          defaultMessage={`Save rule ${draft.name.trim() || '…'}`}
          check={check}
          {...save}
        />
      )}
    </div>
  );
}
