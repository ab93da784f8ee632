// The frame of every signed-in page: skip link, header with the team switcher, navigation
// (a disclosure on phones), and the live-update indicator.
import { Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { clearSession, getSession, useSession } from '../api/session';
import { chooseTeam, useTeam } from '../api/team';
import { useLiveEvents } from '../api/live';
import { ErrorNote } from './ui';

const NAV: { to: string; label: string; admin?: boolean }[] = [
  { to: '/', label: 'Dashboard' },
  { to: '/tasks', label: 'Inbox' },
  { to: '/playbooks', label: 'Playbooks' },
  { to: '/processes', label: 'Monitor' },
  { to: '/proposals', label: 'Proposals' },
  { to: '/library', label: 'Library' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/integrations', label: 'Integrations', admin: true },
  { to: '/audit', label: 'Audit', admin: true },
  { to: '/settings/team', label: 'Team' },
];

export function Layout() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const { me, membership, memberships, teamId, can } = useTeam();
  const connected = useLiveEvents(teamId);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [location.pathname]);
  // a team chosen in the switcher applies once the dashboard is reached: a page that asks
  // before it is left (the designer with unsaved edits) keeps its team if the person stays
  const [pendingTeam, setPendingTeam] = useState<string | null>(null);
  useEffect(() => {
    if (pendingTeam && location.pathname === '/') {
      chooseTeam(pendingTeam);
      setPendingTeam(null);
    }
  }, [pendingTeam, location.pathname]);
  useFocusOnNavigation(location.pathname);

  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />;
  }

  const signOut = async () => {
    const refresh = getSession()?.refresh_token;
    if (refresh) await api.POST('/v1/auth/logout', { body: { refresh_token: refresh } }).catch(() => undefined);
    clearSession(); // main.tsx forgets the cached answers
    navigate('/login');
  };

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-3 px-4 py-3">
          <NavLink to="/" className="text-lg font-bold text-indigo-800">
            Orgata
          </NavLink>
          {memberships.length > 0 && (
            <label className="flex items-center gap-2 text-sm">
              <span className="sr-only sm:not-sr-only">Team</span>
              <select
                className="min-h-10 rounded-md border border-slate-400 bg-white px-2 text-sm"
                value={teamId ?? ''}
                onChange={(e) => {
                  if (location.pathname === '/') chooseTeam(e.target.value);
                  else {
                    setPendingTeam(e.target.value);
                    navigate('/');
                  }
                }}
              >
                {memberships.map((m) => (
                  <option key={m.team_id} value={m.team_id}>
                    {m.team_name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {memberships.length === 0 && me.isPending && (
            // the switcher's place while the memberships load: on a phone it decides whether the
            // header takes one row or two, and the page below must not move when it arrives
            <span aria-hidden="true" className="block h-10 w-28 rounded-md bg-slate-100 sm:w-44" />
          )}
          <span
            className={`text-xs ${connected ? 'text-green-800' : 'text-slate-600'}`}
            role="status"
            aria-live="polite"
          >
            {teamId ? (connected ? '● Live' : '○ Connecting…') : ''}
          </span>
          <div className="ml-auto flex items-center gap-2">
            <NavLink to="/settings/profile" className="text-sm text-slate-800 underline-offset-2 hover:underline">
              {me.data?.display_name ?? session.user.display_name}
            </NavLink>
            <button type="button" onClick={signOut} className="min-h-10 rounded-md px-3 text-sm text-slate-800 hover:bg-slate-100">
              Sign out
            </button>
            <button
              type="button"
              className="min-h-10 rounded-md border border-slate-300 px-3 text-sm md:hidden"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              Menu
            </button>
          </div>
        </div>
        <nav id="main-nav" aria-label="Main" className={`${menuOpen ? 'block' : 'hidden'} border-t border-slate-100 md:block`}>
          <ul className="mx-auto flex max-w-7xl flex-col gap-1 px-4 py-2 md:flex-row md:flex-wrap">
            {NAV.filter((n) => !n.admin || can('admin')).map((n) => (
              <li key={n.to}>
                <NavLink
                  to={n.to}
                  end={n.to === '/'}
                  className={({ isActive }) =>
                    `block rounded-md px-3 py-2 text-sm ${isActive ? 'bg-indigo-50 font-semibold text-indigo-900' : 'text-slate-800 hover:bg-slate-100'}`
                  }
                >
                  {n.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 focus:outline-none">
        {me.error ? (
          <ErrorNote error={me.error} title="Could not load your account" />
        ) : me.data && !membership && !location.pathname.startsWith('/settings') && !location.pathname.startsWith('/teams') ? (
          <Navigate to="/teams/new" replace />
        ) : (
          <Suspense fallback={<p role="status" className="text-sm text-slate-600">Loading…</p>}>
            <Outlet />
          </Suspense>
        )}
      </main>
    </div>
  );
}

/**
 * After a navigation inside the app, moves focus to the new page's heading (or its main region)
 * so a screen reader announces where the person is; the first load keeps the browser's focus.
 */
function useFocusOnNavigation(pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let tries = 0;
    const focus = () => {
      const heading = document.querySelector<HTMLElement>('main h1');
      if (heading) heading.focus({ preventScroll: false });
      else if (tries++ < 20) timer = setTimeout(focus, 50); // a page's code may still be loading
      else document.getElementById('main')?.focus();
    };
    let timer = setTimeout(focus, 0);
    return () => clearTimeout(timer);
  }, [pathname]);
}
