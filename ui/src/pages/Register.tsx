import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { saveSession } from '../api/session';
import { chooseTeam } from '../api/team';
import { focusInvalid } from '../components/focus';
import { Button, ErrorNote, Field, TextInput } from '../components/ui';
import { AuthFrame } from './AuthFrame';

export function Register() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ display_name: '', email: '', password: '', organization_name: '', team_name: '' });
  const [local, setLocal] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const register = useMutation({
    mutationFn: (body: Schemas['Registration']) => unwrap<Schemas['Session']>(api.POST('/v1/auth/register', { body })),
    onSuccess: (s) => {
      saveSession(s);
      if (s.team) chooseTeam(s.team.id);
      navigate('/', { replace: true });
    },
    onError: () => focusInvalid(formRef.current),
  });
  const server = register.error instanceof ApiError ? register.error.fields : {};
  const error = (f: string) => local[f] ?? server[`/${f}`];
  const set = (f: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [f]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!form.display_name.trim()) problems.display_name = 'Enter your name.';
    if (!/^\S+@\S+\.\S+$/.test(form.email)) problems.email = 'Enter an email address like name@example.com.';
    if (form.password.length < 12) problems.password = 'Use at least 12 characters.';
    if (!!form.organization_name.trim() !== !!form.team_name.trim())
      problems[form.team_name.trim() ? 'organization_name' : 'team_name'] = 'Give both an organization and a team, or neither.';
    setLocal(problems);
    if (Object.keys(problems).length) {
      focusInvalid(formRef.current);
      return;
    }
    register.mutate({
      display_name: form.display_name.trim(),
      email: form.email.trim(),
      password: form.password,
      organization_name: form.organization_name.trim() || undefined,
      team_name: form.team_name.trim() || undefined,
    });
  };

  return (
    <AuthFrame title="Create your account">
      <form ref={formRef} onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {register.error && <ErrorNote error={register.error} title="Could not create the account" />}
        <Field label="Your name" error={error('display_name')}>
          {(p) => <TextInput {...p} autoComplete="name" value={form.display_name} onChange={set('display_name')} />}
        </Field>
        <Field label="Email" error={error('email')}>
          {(p) => <TextInput {...p} type="email" autoComplete="email" value={form.email} onChange={set('email')} />}
        </Field>
        <Field label="Password" hint="At least 12 characters." error={error('password')}>
          {(p) => <TextInput {...p} type="password" autoComplete="new-password" value={form.password} onChange={set('password')} />}
        </Field>
        <fieldset className="flex flex-col gap-4 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium">Your organization and first team</legend>
          <Field label="Organization" error={error('organization_name')}>
            {(p) => <TextInput {...p} autoComplete="organization" value={form.organization_name} onChange={set('organization_name')} />}
          </Field>
          <Field label="Team" error={error('team_name')}>
            {(p) => <TextInput {...p} value={form.team_name} onChange={set('team_name')} />}
          </Field>
        </fieldset>
        <Button type="submit" busy={register.isPending}>
          Create account
        </Button>
      </form>
      <p className="mt-4 text-sm text-slate-700">
        Have an account?{' '}
        <Link to="/login" className="font-medium text-indigo-800 underline">
          Sign in
        </Link>
      </p>
    </AuthFrame>
  );
}
