// Which team the pages show: one of the signed-in user's memberships, remembered per browser.
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { api, unwrap, unwrapPage, type Schemas } from './client';
import { useSession } from './session';

const KEY = 'orgata.team';
const listeners = new Set<() => void>();
/**
 * This tab's team. Each tab keeps its own (a switch in one tab must not move another tab's open
 * forms to another team); the last one chosen anywhere is where a new tab starts.
 */
let chosen: string | null = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);

export function chooseTeam(id: string) {
  chosen = id;
  sessionStorage.setItem(KEY, id);
  localStorage.setItem(KEY, id);
  for (const l of listeners) l();
}

function useChosen(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => chosen,
  );
}

/** The signed-in user with their memberships (`GET /v1/me`). */
export function useMe() {
  const session = useSession();
  return useQuery({
    queryKey: ['me', session?.user.id],
    queryFn: () => unwrap<Schemas['Me']>(api.GET('/v1/me')),
    enabled: !!session,
  });
}

const RANK = ['viewer', 'member', 'editor', 'admin', 'owner'];

/** The membership the pages work in, and whether its access role reaches `role`. */
export function useTeam() {
  const me = useMe();
  const chosen = useChosen();
  const memberships = me.data?.memberships ?? [];
  const membership = memberships.find((m) => m.team_id === chosen) ?? memberships[0] ?? null;
  return {
    me,
    membership,
    memberships,
    teamId: membership?.team_id ?? null,
    can: (role: Schemas['AccessRole']) =>
      !!membership && RANK.indexOf(membership.access_role) >= RANK.indexOf(role),
  };
}

/** The team's members (people, agents, pending invitations), and a member's name by user id. */
export function useMembers(teamId: string | null) {
  const members = useQuery({
    queryKey: ['team', teamId, 'members'],
    queryFn: () =>
      unwrapPage<Schemas['TeamMember']>(
        api.GET('/v1/teams/{team_id}/members', { params: { path: { team_id: teamId! }, query: { page_size: 200 } } }),
      ),
    enabled: !!teamId,
  });
  const nameOf = (id?: string | null): string | null => {
    const m = id ? members.data?.items.find((x) => x.user_id === id) : undefined;
    return m ? (m.display_name ?? m.email) : null;
  };
  return { ...members, nameOf };
}
