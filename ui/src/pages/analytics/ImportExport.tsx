// Event logs in and out: import an IEEE XES log (plain or gzip) as a playbook's finished history,
// and export a playbook's history as XES or CSV.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { accessToken, apiError, ApiError, type Schemas } from '../../api/client';
import { useTeam } from '../../api/team';
import { dayAfter, dayStart } from '../../components/format';
import { Button, Card, ErrorNote, Field, inputClass, TextInput } from '../../components/ui';
import { download, number, useAnalyticsParams, usePlaybooks } from './common';

export default function ImportExport() {
  const { can } = useTeam();
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      {can('editor') ? (
        <Import />
      ) : (
        <Card title="Import an event log">
          <p className="text-sm text-slate-700">Editors import event logs.</p>
        </Card>
      )}
      <Export />
    </div>
  );
}

function Import() {
  const { teamId } = useTeam();
  const client = useQueryClient();
  const playbooks = usePlaybooks();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [processId, setProcessId] = useState('');
  const [missing, setMissing] = useState(false);
  const upload = useMutation({
    mutationFn: async () => {
      const query = new URLSearchParams();
      if (name.trim()) query.set('name', name.trim());
      if (processId) query.set('process_id', processId);
      const token = await accessToken();
      // the body is the log itself (plain or gzip, the server tells them apart), streamed
      const response = await fetch(`/v1/teams/${teamId}/analytics/imports${query.size ? `?${query}` : ''}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: file,
      });
      const body = await response.json().catch(() => null);
      if (!response.ok || !body?.success) throw apiError(response, body);
      return body.data as Schemas['ImportResult'];
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['team', teamId] }),
  });
  const fields = upload.error instanceof ApiError ? upload.error.fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(!file);
    if (file) upload.mutate();
  };

  return (
    <Card title="Import an event log">
      <form className="grid gap-3" onSubmit={submit} noValidate>
        <p className="text-sm text-slate-700">
          An IEEE XES log (.xes, or gzip-compressed .xes.gz, up to 1 GiB) becomes a playbook's finished history: each case an instance, each
          activity a step. All or nothing.
        </p>
        <Field label="Event log file" error={missing ? 'Choose a file to import.' : undefined}>
          {(p) => (
            <input
              {...p}
              type="file"
              accept=".xes,.gz,.xes.gz,application/xml,text/xml,application/gzip"
              className="block w-full text-sm file:mr-3 file:min-h-10 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:text-sm"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setMissing(false);
              }}
            />
          )}
        </Field>
        <Field label="Into playbook" hint="A new playbook is discovered from the log's activities unless you choose one." error={fields['/process_id']}>
          {(p) => (
            <select {...p} className={inputClass} value={processId} onChange={(e) => setProcessId(e.target.value)}>
              <option value="">A new playbook</option>
              {playbooks.data?.items.map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {pb.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {!processId && (
          <Field label="Name of the new playbook" hint="Optional: the log's name by default." error={fields['/name']}>
            {(p) => <TextInput {...p} maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
        )}
        {problems(upload.error) ? (
          <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900">
            <p className="font-medium">The log cannot be imported</p>
            <ul className="list-disc pl-5">
              {problems(upload.error)!.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorNote error={upload.error} title="Could not import the log" />
        )}
        {upload.isSuccess && (
          <div role="status" className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900">
            Imported {number(upload.data.cases)} cases with {number(upload.data.events)} events.{' '}
            <Link to={`/playbooks/${upload.data.playbook_id}`} className="font-medium underline">
              Open the playbook
            </Link>
          </div>
        )}
        <div>
          <Button type="submit" busy={upload.isPending}>
            {upload.isPending ? 'Importing…' : 'Import'}
          </Button>
        </div>
      </form>
    </Card>
  );
}

/** The problems of a refused log, each with where it is (`/traces/3` is the fourth trace). */
function problems(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED' || !Array.isArray(error.details)) return null;
  return (error.details as { field?: string; message: string }[]).map((d) => {
    const trace = /^\/traces\/(\d+)/.exec(d.field ?? '');
    const where = trace ? `Trace ${Number(trace[1]) + 1}` : d.field === '/name' ? 'Name' : d.field === '/process_id' ? 'Playbook' : 'The log';
    return `${where}: ${d.message}.`;
  });
}

function Export() {
  const { teamId } = useTeam();
  const playbooks = usePlaybooks();
  const { processId: chosen } = useAnalyticsParams();
  const [processId, setProcessId] = useState(chosen);
  const [format, setFormat] = useState<'xes' | 'csv'>('xes');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [missing, setMissing] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      const query = new URLSearchParams({ process_id: processId, format });
      const start = dayStart(from);
      const end = dayAfter(to);
      if (start) query.set('from', start);
      if (end) query.set('to', end);
      const name = playbooks.data?.items.find((p) => p.id === processId)?.name ?? 'history';
      return download(`/v1/teams/${teamId}/analytics/exports?${query}`, `${name}.${format}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMissing(!processId);
    if (processId) save.mutate();
  };
  return (
    <Card title="Export a playbook's history">
      <form className="grid gap-3" onSubmit={submit} noValidate>
        <p className="text-sm text-slate-700">
          Each instance a trace, each step execution a start and a complete event. Instances started in the period (UTC days), or all of them.
        </p>
        <Field label="Playbook" error={missing ? 'Choose the playbook to export.' : undefined}>
          {(p) => (
            <select {...p} className={inputClass} value={processId} onChange={(e) => (setProcessId(e.target.value), setMissing(false))}>
              <option value="">Choose a playbook</option>
              {playbooks.data?.items.map((pb) => (
                <option key={pb.id} value={pb.id}>
                  {pb.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Format</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {(['xes', 'csv'] as const).map((f) => (
              <label key={f} className="flex min-h-10 items-center gap-2 text-sm">
                <input type="radio" name="export-format" className="h-5 w-5" checked={format === f} onChange={() => setFormat(f)} />
                {f === 'xes' ? 'XES (process mining tools)' : 'CSV (spreadsheets)'}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="grid gap-3 min-[420px]:grid-cols-2">
          <Field label="From (optional)">{(p) => <input {...p} type="date" className={inputClass} value={from} onChange={(e) => setFrom(e.target.value)} />}</Field>
          <Field label="To (optional, included)">{(p) => <input {...p} type="date" className={inputClass} value={to} onChange={(e) => setTo(e.target.value)} />}</Field>
        </div>
        <ErrorNote error={save.error} title="Could not export the history" />
        {save.isSuccess && (
          <p role="status" className="text-sm text-green-800">
            Saved {save.data}.
          </p>
        )}
        <div>
          <Button type="submit" busy={save.isPending}>
            Export
          </Button>
        </div>
      </form>
    </Card>
  );
}
