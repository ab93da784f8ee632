//! Members, invitations and agents of a team.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created, created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The team's members, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/members", tag = "members", params(crate::openapi::TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Members", body = PagedEnvelope<TeamMember>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services.list_members(&ctx, team_id, q.page()?).await?,
    ))
}

/// Add a member by email (admins): a known user joins at once, an unknown email is invited.
#[utoipa::path(post, path = "/v1/teams/{team_id}/members", tag = "members", params(crate::openapi::TeamPath), request_body = NewMember,
    responses((status = 201, description = "The member, or the pending invitation (status pending)", body = Envelope<TeamMember>)))]
pub async fn add(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    let member = s.services.add_member(&ctx, team_id, body.parse()?).await?;
    Ok(match member.user_id {
        Some(user_id) => created_at(format!("/v1/teams/{team_id}/members/{user_id}"), member),
        None => created(member),
    })
}

/// One member.
#[utoipa::path(get, path = "/v1/teams/{team_id}/members/{user_id}", tag = "members", params(crate::openapi::TeamPath, crate::openapi::UserPath),
    responses((status = 200, description = "The member", body = Envelope<TeamMember>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, user_id) = (path_id(&team_id, "team_id")?, path_id(&user_id, "user_id")?);
    Ok(ok(s.services.member(&ctx, team_id, user_id).await?))
}

/// Change a member's access role or business roles (admins; owners for owners).
#[utoipa::path(put, path = "/v1/teams/{team_id}/members/{user_id}", tag = "members", params(crate::openapi::TeamPath, crate::openapi::UserPath),
    request_body = MemberUpdate,
    responses((status = 200, description = "The member", body = Envelope<TeamMember>)))]
pub async fn update(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, user_id) = (path_id(&team_id, "team_id")?, path_id(&user_id, "user_id")?);
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    Ok(ok(s
        .services
        .update_member(&ctx, team_id, user_id, body.parse()?)
        .await?))
}

/// Remove a member (admins), or leave the team (yourself).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/members/{user_id}", tag = "members", params(crate::openapi::TeamPath, crate::openapi::UserPath),
    responses((status = 200, description = "Removed", body = Envelope<Deleted>)))]
pub async fn remove(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, user_id) = (path_id(&team_id, "team_id")?, path_id(&user_id, "user_id")?);
    s.services.remove_member(&ctx, team_id, user_id).await?;
    Ok(deleted(user_id))
}

/// Pending invitations (admins).
#[utoipa::path(get, path = "/v1/teams/{team_id}/invitations", tag = "members", params(crate::openapi::TeamPath, crate::openapi::PageParams),
    responses((status = 200, description = "Invitations", body = PagedEnvelope<Invitation>)))]
pub async fn list_invitations(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services
            .list_invitations(&ctx, team_id, q.page()?)
            .await?,
    ))
}

/// Withdraw an invitation (admins).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/invitations/{invitation_id}", tag = "members",
    params(crate::openapi::TeamPath, ("invitation_id" = uuid::Uuid, Path, description = "Invitation id")),
    responses((status = 200, description = "Withdrawn", body = Envelope<Deleted>)))]
pub async fn revoke_invitation(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (
        path_id(&team_id, "team_id")?,
        path_id(&id, "invitation_id")?,
    );
    s.services.revoke_invitation(&ctx, team_id, id).await?;
    Ok(deleted(id))
}

/// Add an AI agent member with its own token, shown once (admins).
#[utoipa::path(post, path = "/v1/teams/{team_id}/agents", tag = "members", params(crate::openapi::TeamPath), request_body = NewAgent,
    responses((status = 201, description = "The agent and its token", body = Envelope<CreatedAgent>)))]
pub async fn create_agent(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services
        .require(&ctx, team_id, Permission::Administer)
        .await?;
    let agent = s
        .services
        .create_agent(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/members/{}", agent.user.id),
        agent,
    ))
}
