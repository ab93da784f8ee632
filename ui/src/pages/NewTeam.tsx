// For a signed-in user without a team (or wanting another): create an organization and a team.
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, unwrapPage, type Schemas } from '../api/client';
import { chooseTeam } from '../api/team';
import { Button, Card, ErrorNote, Field, PageHeader, Pending, TextInput, inputClass } from '../components/ui';

export default function NewTeam() {
  const navigate = useNavigate();
  const client = useQueryClient();
  const orgs = useQuery({
    queryKey: ['organizations'],
    queryFn: () => unwrapPage<Schemas['Organization']>(api.GET('/v1/organizations', { params: { query: { page_size: 200 } } })),
  });
  // the first organization of the person's until they choose ('' is a new one)
  const [chosenOrganization, setOrganization] = useState<string | null>(null);
  const choices = orgs.data?.items ?? [];
  const organization = chosenOrganization ?? choices[0]?.id ?? '';
  // which request a refusal answers: its field pointers (`/name`) are that record's
  const [failedAt, setFailedAt] = useState<'organization' | 'team'>('team');
  const [orgName, setOrgName] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: async () => {
      let organization_id = organization;
      if (!organization_id) {
        setFailedAt('organization');
        const org = await unwrap<Schemas['Organization']>(api.POST('/v1/organizations', { body: { name: orgName.trim() } }));
        organization_id = org.id;
        setOrganization(org.id);
        void client.invalidateQueries({ queryKey: ['organizations'] });
      }
      setFailedAt('team');
      return unwrap<Schemas['Team']>(api.POST('/v1/teams', { body: { organization_id, name: name.trim(), description } }));
    },
    onSuccess: async (team) => {
      chooseTeam(team.id);
      await client.invalidateQueries({ queryKey: ['me'] });
      navigate('/');
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const orgFields = failedAt === 'organization' ? fields : {};
  const teamFields = failedAt === 'team' ? fields : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="max-w-xl">
      <PageHeader title="Create a team" />
      <Card>
        {/* the form waits for the organizations: their choice comes first in it */}
        {orgs.isPending ? (
          <Pending />
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            {create.error && <ErrorNote error={create.error} title="Could not create the team" />}
            {choices.length > 0 && (
              <Field label="Organization">
                {(p) => (
                  <select {...p} className={inputClass} value={organization} onChange={(e) => setOrganization(e.target.value)}>
                    <option value="">A new organization…</option>
                    {choices.map((o) => (
                      <option key={o.id} value={o.id}>
                        {o.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            {!organization && (
              <Field label="New organization's name" error={orgFields['/name']}>
                {(p) => <TextInput {...p} value={orgName} onChange={(e) => setOrgName(e.target.value)} />}
              </Field>
            )}
            <Field label="Team name" error={teamFields['/name']}>
              {(p) => <TextInput {...p} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label="Description" error={teamFields['/description']}>
              {(p) => <textarea {...p} className={inputClass} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </Field>
            <Button type="submit" busy={create.isPending}>
              Create team
            </Button>
          </form>
        )}
      </Card>
    </div>
  );
}
