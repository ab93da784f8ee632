import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { saveSession, useSession } from '../api/session';
import { Button, ErrorNote, Field, TextInput } from '../components/ui';
import { AuthFrame } from './AuthFrame';

export function SignIn() {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = samePlace(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const login = useMutation({
    mutationFn: (body: Schemas['Login']) => unwrap<Schemas['Session']>(api.POST('/v1/auth/login', { body })),
    onSuccess: (s) => {
      saveSession(s);
      navigate(next, { replace: true });
    },
    onError: (e) => {
      const details = e instanceof ApiError ? (e.details as { mfa_required?: boolean } | undefined) : undefined;
      if (details?.mfa_required) setNeedsCode(true);
    },
  });
  if (session && !login.isPending) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password, totp_code: needsCode ? code : undefined });
  };
  const mfaPrompt = login.error instanceof ApiError && (login.error.details as { mfa_required?: boolean })?.mfa_required;

  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {login.error && !mfaPrompt && <ErrorNote error={login.error} title="Could not sign in" />}
        <Field label="Email">
          {(p) => <TextInput {...p} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Password">
          {(p) => (
            <TextInput {...p} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        {needsCode && (
          <Field label="Authentication code" hint="The 6-digit code from your authenticator app, or a recovery code.">
            {(p) => (
              <TextInput {...p} autoComplete="one-time-code" inputMode="numeric" autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
            )}
          </Field>
        )}
        <Button type="submit" busy={login.isPending}>
          Sign in
        </Button>
      </form>
      <p className="mt-4 text-sm text-slate-700">
        New here?{' '}
        <Link to="/register" className="font-medium text-indigo-800 underline">
          Create an account
        </Link>
      </p>
    </AuthFrame>
  );
}

/** Where to go after signing in: a path of this app, never another site (`//evil`, `/\evil`). */
function samePlace(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || /^[\\/]{2}|^\/[\\\t\n]/.test(raw)) return '/';
  const url = new URL(raw, window.location.origin);
  return url.origin === window.location.origin ? url.pathname + url.search + url.hash : '/';
}
