// The team's lists several pages read, each under one query key so they share a cache entry
// (and the live-event refresher, which invalidates ['team', teamId], refreshes them all).
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage, type Schemas } from './client';

/** The team's branches (`['team', teamId, 'branches']`). */
export function useBranches(teamId: string | null) {
  return useQuery({
    queryKey: ['team', teamId, 'branches'],
    queryFn: () =>
      unwrapPage<Schemas['Branch']>(api.GET('/v1/teams/{team_id}/branches', { params: { path: { team_id: teamId! }, query: { page_size: 200 } } })),
    enabled: !!teamId,
  });
}

/** The team's business roles (`['team', teamId, 'roles']`). */
export function useRoles(teamId: string | null) {
  return useQuery({
    queryKey: ['team', teamId, 'roles'],
    queryFn: () =>
      unwrapPage<Schemas['Role']>(api.GET('/v1/teams/{team_id}/roles', { params: { path: { team_id: teamId! }, query: { page_size: 200 } } })),
    enabled: !!teamId,
  });
}

/** A business role's name by id: `…` while the roles load, `a deleted role` for one not found. */
export function useRoleName(teamId: string | null) {
  const roles = useRoles(teamId);
  return (id: string) => (roles.data ? (roles.data.items.find((r) => r.id === id)?.name ?? 'a deleted role') : '…');
}

/** The team's playbooks on a ref, up to 200 (`['team', teamId, 'playbooks', ref]`). */
export function usePlaybooks(teamId: string | null, ref = 'main') {
  return useQuery({
    queryKey: ['team', teamId, 'playbooks', ref],
    queryFn: () =>
      unwrapPage<Schemas['Playbook']>(
        api.GET('/v1/teams/{team_id}/processes', { params: { path: { team_id: teamId! }, query: { ref, page_size: 200 } } }),
      ),
    enabled: !!teamId,
  });
}
