// Branches and change proposals: the team's branches (create one from main), and its proposals
// with their status; a new proposal takes a branch's changes towards a target.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { useBranches } from '../api/queries';
import { useTeam } from '../api/team';
import { After, Badge, Button, Card, ErrorNote, Field, Loaded, PageHeader, TextInput, inputClass, when } from '../components/ui';

const STATUSES: Schemas['ProposalStatus'][] = ['draft', 'submitted', 'under_review', 'approved', 'rejected', 'merged'];

export default function Proposals() {
  const { teamId, can } = useTeam();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as Schemas['ProposalStatus'] | '';
  const proposals = useQuery({
    queryKey: ['team', teamId, 'proposals', status],
    queryFn: () =>
      unwrapPage<Schemas['ChangeProposal']>(
        api.GET('/v1/teams/{team_id}/change-proposals', {
          params: { path: { team_id: teamId! }, query: { status: status || undefined, page_size: 100 } },
        }),
      ),
    enabled: !!teamId,
  });
  // asked for now, with the list, though the cards that show them wait for it
  useBranches(teamId);
  return (
    <div className="flex flex-col gap-4">
      <PageHeader title="Change proposals" />
      <div className="grid gap-4 lg:grid-cols-[2fr_1fr]">
        <Card
          title="Proposals"
          actions={
            <label className="flex items-center gap-2 text-sm">
              Status
              <select
                className={inputClass}
                value={status}
                onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
              >
                <option value="">Any</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s.replace('_', ' ')}
                  </option>
                ))}
              </select>
            </label>
          }
        >
          <Loaded query={proposals} empty={(d) => (d.items.length ? null : 'No proposals yet.')}>
            {(d) => (
              <ul className="divide-y divide-slate-100">
                {d.items.map((p) => (
                  <li key={p.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                    <span>
                      <Link to={`/proposals/${p.id}`} className="font-medium text-indigo-800 underline-offset-2 hover:underline">
                        {p.title}
                      </Link>
                      <span className="block text-sm text-slate-700">
                        {p.source_branch} → {p.target_branch} · {when(p.updated_at)}
                      </span>
                    </span>
                    <Badge value={p.status} />
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </Card>
        {/* below the list on a phone, so shown once the list is in */}
        <After query={proposals}>
          <div className="flex flex-col gap-4">
            {can('editor') && teamId && <NewProposal teamId={teamId} />}
            {teamId && <Branches teamId={teamId} editor={can('editor')} />}
          </div>
        </After>
      </div>
    </div>
  );
}

function NewProposal({ teamId }: { teamId: string }) {
  const navigate = useNavigate();
  const branches = useBranches(teamId);
  const client = useQueryClient();
  // a branch page's "Propose these changes" names its branch (?source=)
  const [params] = useSearchParams();
  const [form, setForm] = useState({ title: '', description: '', source_branch: params.get('source') ?? '', target_branch: 'main' });
  // the draft made by an attempt whose submit failed: trying again only submits it, never a second draft
  const [draftId, setDraftId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () => {
      let id = draftId;
      if (!id) {
        const created = await unwrap<Schemas['ChangeProposal']>(
          api.POST('/v1/teams/{team_id}/change-proposals', { params: { path: { team_id: teamId } }, body: form }),
        );
        id = created.id;
        setDraftId(id);
        void client.invalidateQueries({ queryKey: ['team', teamId, 'proposals'] });
      }
      // open it for review at once: a draft is only the author's
      return unwrap<Schemas['ChangeProposal']>(
        api.POST('/v1/teams/{team_id}/change-proposals/{proposal_id}/submit', { params: { path: { team_id: teamId, proposal_id: id } } }),
      );
    },
    onSuccess: (p) => navigate(`/proposals/${p.id}`),
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const names = (branches.data?.items ?? []).map((b) => b.name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card title="Propose a change">
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Title" error={fields['/title']}>
          {(p) => <TextInput {...p} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />}
        </Field>
        <Field label="Branch with the changes" error={fields['/source_branch']}>
          {(p) => (
            <select {...p} className={inputClass} value={form.source_branch} onChange={(e) => setForm({ ...form, source_branch: e.target.value })}>
              <option value="">Choose a branch…</option>
              {names
                .filter((n) => n !== form.target_branch)
                .map((n) => (
                  <option key={n}>{n}</option>
                ))}
            </select>
          )}
        </Field>
        <Field label="Into" error={fields['/target_branch']}>
          {(p) => (
            <select {...p} className={inputClass} value={form.target_branch} onChange={(e) => setForm({ ...form, target_branch: e.target.value })}>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Why" error={fields['/description']}>
          {(p) => (
            <textarea {...p} className={inputClass} rows={3} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          )}
        </Field>
        <ErrorNote error={create.error} title="Could not open the proposal" />
        {draftId && create.error && (
          <p className="text-sm text-slate-700">
            It was saved as a draft but not submitted for review. “Open proposal” submits that draft (changes to the fields above are not
            sent);{' '}
            <Link to={`/proposals/${draftId}`} className="font-medium text-indigo-800 underline">
              open the draft
            </Link>{' '}
            to edit it instead.
          </p>
        )}
        <Button type="submit" busy={create.isPending}>
          Open proposal
        </Button>
      </form>
    </Card>
  );
}

function Branches({ teamId, editor }: { teamId: string; editor: boolean }) {
  const client = useQueryClient();
  const branches = useBranches(teamId);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/teams/{team_id}/branches', { params: { path: { team_id: teamId } }, body: { name: name.trim() } })),
    onSuccess: () => {
      setName('');
      void client.invalidateQueries({ queryKey: ['team', teamId, 'branches'] });
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  return (
    <Card title="Branches">
      {editor && (
        <form
          className="mb-3 flex flex-col gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field label="New branch from main" hint="Lowercase letters, digits, dots, dashes." error={fields['/name']}>
            {(p) => <TextInput {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <ErrorNote error={create.error && !fields['/name'] ? create.error : null} />
          <div>
            <Button type="submit" tone="secondary" busy={create.isPending}>
              Create branch
            </Button>
          </div>
        </form>
      )}
      <Loaded query={branches}>
        {(d) => (
          <ul className="divide-y divide-slate-100 text-sm">
            {d.items
              .filter((b) => b.status !== 'abandoned') // deleted branches
              .map((b) => (
                <li key={b.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <span>
                    <Link className="font-medium text-indigo-800 underline" to={`/branches/${encodeURIComponent(b.name)}`}>
                      {b.name}
                    </Link>
                    {b.protected && ' · protected'}
                    <span className="block text-slate-700">{b.head ? `at ${b.head.slice(0, 10)}` : 'no commits'}</span>
                  </span>
                  <Badge value={b.status} />
                </li>
              ))}
          </ul>
        )}
      </Loaded>
    </Card>
  );
}
