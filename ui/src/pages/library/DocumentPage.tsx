// One document of the library on a ref (`?ref=`, default main), or a new one (`/library/documents/new`):
// its details, template, retention policy and form (JSON Schema, built field by field, with a
// preview). Editors save it as a commit on a branch, or delete it; everyone else reads.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, problemsUnder, unwrap, type Schemas } from '../../api/client';
import { COMMIT, playbookPath } from '../../api/ids';
import { usePlaybooks } from '../../api/queries';
import { SchemaForm, validate, type JsonSchema } from '../../components/SchemaForm';
import { Button, Card, Field, TextInput, inputClass, when } from '../../components/ui';
import { FormBuilder } from '../designer/FormBuilder';
import { JsonEditor } from '../designer/JsonEditor';
import type { JsonObject } from '../designer/draft';
import { DefinitionPage, splitList, useDefinitionEditor, type DefinitionCalls, type EditorProps } from './common';
import { SaveCard } from '../../components/SaveCard';

type Doc = Schemas['Document'];
const TYPES: Schemas['DocumentType'][] = ['form', 'template', 'contract', 'policy', 'procedure', 'report'];

/** The document as edited: every field present, the tags as typed. */
type Draft = {
  name: string;
  type: Schemas['DocumentType'];
  category: string;
  description: string;
  tags: string;
  template: string;
  retention: JsonObject | null;
  schema: JsonObject;
};

const EMPTY: Draft = { name: '', type: 'form', category: '', description: '', tags: '', template: '', retention: null, schema: {} };

function toDraft(d: Doc): Draft {
  return {
    name: d.name,
    type: d.type ?? 'form',
    category: d.category ?? '',
    description: d.description ?? '',
    tags: (d.compliance_tags ?? []).join(', '),
    template: d.template_content ?? '',
    retention: (d.retention_policy as JsonObject | null | undefined) ?? null,
    schema: (d.schema as JsonObject | undefined) ?? {},
  };
}

function toBody(d: Draft): Schemas['DocumentBody'] {
  return {
    name: d.name.trim(),
    type: d.type,
    category: d.category.trim(),
    description: d.description,
    compliance_tags: splitList(d.tags),
    template_content: d.template ? d.template : null,
    retention_policy: d.retention,
    schema: d.schema,
  };
}

const calls: DefinitionCalls<Doc, Schemas['DocumentBody']> = {
  get: (teamId, id, ref) =>
    unwrap<Doc>(api.GET('/v1/teams/{team_id}/documents/{document_id}', { params: { path: { team_id: teamId, document_id: id }, query: { ref } } })),
  create: (teamId, ref, body) => unwrap<Doc>(api.POST('/v1/teams/{team_id}/documents', { params: { path: { team_id: teamId }, query: { ref } }, body })),
  update: (teamId, id, ref, body) =>
    unwrap<Doc>(api.PUT('/v1/teams/{team_id}/documents/{document_id}', { params: { path: { team_id: teamId, document_id: id }, query: { ref } }, body })),
  remove: (teamId, id, ref) =>
    unwrap(api.DELETE('/v1/teams/{team_id}/documents/{document_id}', { params: { path: { team_id: teamId, document_id: id }, query: { ref } } })),
};

export default function DocumentPage() {
  return (
    <DefinitionPage<Doc>
      id={useParams().documentId ?? 'new'}
      kind="documents"
      noun="document"
      title={{ new: 'New document', loading: 'Document' }}
      load={calls.get}
      Editor={Editor}
    />
  );
}

function Editor({ teamId, refName, item: doc, editor, onDirty, saved }: EditorProps<Doc>) {
  const playbooks = usePlaybooks(teamId, refName);
  const readOnly = !editor || COMMIT.test(refName);
  const { draft, change, error, local, server, report, form, dialog, save } = useDefinitionEditor({
    kind: 'documents',
    teamId,
    refName,
    item: doc,
    readOnly,
    onDirty,
    saved,
    empty: EMPTY,
    toDraft,
    toBody,
    calls,
  });
  const [invalid, setInvalid] = useState<{ schema?: string | null; retention?: string | null }>({});

  const check = () => {
    const problems: Record<string, string> = {};
    if (!draft.name.trim()) problems['/name'] = 'Give the document a name.';
    const tags = splitList(draft.tags);
    if (tags.length > 50) problems['/compliance_tags'] = 'At most 50 tags.';
    else if (tags.some((t) => t.length > 100)) problems['/compliance_tags'] = 'Each tag has at most 100 characters.';
    if (invalid.schema) problems['/schema'] = `The raw JSON Schema is not valid: ${invalid.schema}`;
    if (invalid.retention) problems['/retention_policy'] = invalid.retention;
    return report(problems);
  };

  const schema = draft.schema;
  const hasFields = !!schema.properties && typeof schema.properties === 'object' && Object.keys(schema.properties).length > 0;

  return (
    <div ref={form} className="flex flex-col gap-4">
      {dialog}
      {doc && (
        <p className="text-sm text-slate-700">
          Version <code>{doc.version.slice(0, 10)}</code> on {COMMIT.test(refName) ? `commit ${refName.slice(0, 10)}` : refName}, updated {when(doc.updated_at)}.
        </p>
      )}
      {COMMIT.test(refName) && editor && (
        <p className="rounded-md border border-slate-300 bg-slate-50 p-3 text-sm text-slate-800">
          This is the document as of a commit, which cannot change. Choose a branch above to edit it.
        </p>
      )}
      <Card title="Details">
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" error={error('/name')}>
            {(p) => <TextInput {...p} value={draft.name} maxLength={200} disabled={readOnly} onChange={(e) => change({ name: e.target.value }, '/name')} />}
          </Field>
          <Field label="Type" error={error('/type')}>
            {(p) => (
              <select
                {...p}
                className={inputClass}
                value={draft.type}
                disabled={readOnly}
                onChange={(e) => change({ type: e.target.value as Schemas['DocumentType'] }, '/type')}
              >
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t.charAt(0).toUpperCase() + t.slice(1)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Category" hint="For example finance, people or legal." error={error('/category')}>
            {(p) => <TextInput {...p} value={draft.category} maxLength={200} disabled={readOnly} onChange={(e) => change({ category: e.target.value }, '/category')} />}
          </Field>
          <Field label="Compliance tags" hint="Separated by commas, e.g. gdpr, sox." error={error('/compliance_tags')}>
            {(p) => <TextInput {...p} value={draft.tags} disabled={readOnly} onChange={(e) => change({ tags: e.target.value }, '/compliance_tags')} />}
          </Field>
          <div className="md:col-span-2">
            <Field label="Description" error={error('/description')}>
              {(p) => (
                <textarea
                  {...p}
                  className={inputClass}
                  rows={3}
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

      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Form">
          {readOnly ? (
            <div className="flex flex-col gap-2 text-sm">
              <p className="text-slate-700">{hasFields ? 'The fields of the form are shown in the preview.' : 'This document has no form.'}</p>
              {Object.keys(schema).length > 0 && (
                <details>
                  <summary className="cursor-pointer text-indigo-800">The form as JSON Schema</summary>
                  <pre className="mt-2 max-w-full overflow-x-auto rounded bg-slate-50 p-2 text-xs" tabIndex={0}>
                    {JSON.stringify(schema, null, 2)}
                  </pre>
                </details>
              )}
            </div>
          ) : (
            <div>
              <p className="mb-2 text-sm text-slate-700">Steps that use this document as their form ask for these fields.</p>
              {/* a schema problem (found here or by the server) is marked on a focusable element */}
              {error('/schema') && (
                <p data-problem tabIndex={-1} className="mb-2 text-sm text-red-700">
                  {error('/schema')}
                </p>
              )}
              <FormBuilder
                form={Object.keys(schema).length ? schema : null}
                onChange={(f) => change({ schema: f ?? {} }, '/schema')}
                onInvalid={(message) => setInvalid((i) => ({ ...i, schema: message }))}
              />
            </div>
          )}
        </Card>
        <Card title="Preview">
          <Preview schema={schema} hasFields={hasFields} />
        </Card>
      </div>

      <Card title="Template and retention">
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Template content" hint="The document's text, e.g. a contract with placeholders." error={error('/template_content')}>
            {(p) => (
              <textarea
                {...p}
                className={inputClass}
                rows={8}
                maxLength={100000}
                value={draft.template}
                disabled={readOnly}
                onChange={(e) => change({ template: e.target.value }, '/template_content')}
              />
            )}
          </Field>
          {readOnly ? (
            <div className="text-sm">
              <h3 className="font-medium text-slate-800">Retention policy</h3>
              {draft.retention ? (
                <pre className="mt-1 max-w-full overflow-x-auto rounded bg-slate-50 p-2 text-xs" tabIndex={0}>
                  {JSON.stringify(draft.retention, null, 2)}
                </pre>
              ) : (
                <p className="text-slate-700">None.</p>
              )}
            </div>
          ) : (
            <JsonEditor
              label="Retention policy"
              hint='A JSON object, e.g. {"keep_for_days": 2555, "then": "archive"}; leave empty for none.'
              value={draft.retention}
              error={local['/retention_policy'] ? undefined : problemsUnder(server, '/retention_policy')}
              onChange={(v) => change({ retention: v }, '/retention_policy')}
              onInvalid={(message) => setInvalid((i) => ({ ...i, retention: message }))}
            />
          )}
        </div>
      </Card>

      {!readOnly && (
        <SaveCard
          teamId={teamId}
          refName={refName}
          noun="document"
          name={draft.name.trim()}
          defaultMessage={`Save document ${draft.name.trim() || '…'}`}
          check={check}
          {...save}
          deleteProblem={(e) => {
            const ids = (e.details as { playbook_ids?: string[] } | undefined)?.playbook_ids;
            if (e.code !== 'CONFLICT' || !ids?.length) return null;
            const name = (id: string) => playbooks.data?.items.find((p) => p.id === id)?.name ?? id.slice(0, 8);
            return (
              <>
                <p>Playbooks on {refName} use this document as a form. Change their steps first:</p>
                <ul className="list-disc pl-5">
                  {ids.map((id) => (
                    <li key={id}>
                      <Link to={playbookPath(id, refName)} className="underline">
                        {name(id)}
                      </Link>
                    </li>
                  ))}
                </ul>
              </>
            );
          }}
        />
      )}
    </div>
  );
}

/** The form as people will see it; "Check" runs the checks the server makes on an answer. */
function Preview({ schema, hasFields }: { schema: JsonObject; hasFields: boolean }) {
  const [value, setValue] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string> | null>(null);
  if (!hasFields) return <p className="text-sm text-slate-700">Add fields to the form to see it here.</p>;
  const count = errors ? Object.keys(errors).length : 0;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">Try it: nothing you type here is saved.</p>
      <SchemaForm
        schema={schema as JsonSchema}
        value={value}
        onChange={(v) => {
          setValue(v);
          if (errors) setErrors(validate(schema as JsonSchema, v));
        }}
        errors={errors ?? {}}
      />
      <div className="flex flex-wrap items-center gap-3">
        <Button tone="secondary" onClick={() => setErrors(validate(schema as JsonSchema, value))}>
          Check the answers
        </Button>
        <span role="status" className="text-sm text-slate-700">
          {errors ? (count ? `${count} problem${count === 1 ? '' : 's'} found.` : 'The answers pass the form’s checks.') : ''}
        </span>
      </div>
    </div>
  );
}
