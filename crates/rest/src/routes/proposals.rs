//! Change proposals: a branch proposed into a target, reviewed, discussed and merged.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{created_at, ok, paged, ApiResult, Envelope, PagedEnvelope};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `proposal_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("proposal_id"), parameter_in = Path)]
pub struct ProposalPath(
    /// Change proposal id.
    pub uuid::Uuid,
);

/// The `comment_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("comment_id"), parameter_in = Path)]
pub struct CommentPath(
    /// Comment id.
    pub uuid::Uuid,
);

/// Filters of the proposal list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ProposalFilters {
    #[param(pattern = "^(draft|submitted|under_review|approved|rejected|merged)$")]
    pub status: Option<String>,
}

fn ids(
    (team_id, id): (String, String),
) -> Result<(uuid::Uuid, uuid::Uuid), crate::envelope::ApiError> {
    Ok((path_id(&team_id, "team_id")?, path_id(&id, "proposal_id")?))
}

/// The team's change proposals, newest first (filter: status).
#[utoipa::path(get, path = "/v1/teams/{team_id}/change-proposals", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalFilters, crate::openapi::PageParams),
    responses((status = 200, description = "Change proposals", body = PagedEnvelope<ChangeProposal>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let status = q.enumerated(
        "status",
        ProposalStatus::parse,
        "draft, submitted, under_review, approved, rejected, merged",
    )?;
    Ok(paged(
        s.services
            .list_proposals(&ctx, team_id, status, q.page()?)
            .await?,
    ))
}

/// Propose merging a branch into a target (editors); it starts as a draft.
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals", tag = "proposals",
    params(crate::openapi::TeamPath), request_body = ProposalInput,
    responses((status = 201, description = "The proposal", body = Envelope<ChangeProposal>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let p = s
        .services
        .create_proposal(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/change-proposals/{}", p.id),
        p,
    ))
}

/// One proposal with its diff, impact assessment, reviews, discussion and what its merge
/// still needs.
#[utoipa::path(get, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath),
    responses((status = 200, description = "The proposal", body = Envelope<ChangeProposal>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(path): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = ids(path)?;
    Ok(ok(s.services.get_proposal(&ctx, team_id, id).await?))
}

/// Submit a draft (or a rejected proposal, again) for review (editors).
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}/submit", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath),
    responses((status = 200, description = "The proposal", body = Envelope<ChangeProposal>)))]
pub async fn submit(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(path): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = ids(path)?;
    Ok(ok(s.services.submit_proposal(&ctx, team_id, id).await?))
}

/// Review a submitted proposal (editors): approve, request changes or reject. Approving your
/// own proposal is 403 unless the target allows it.
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}/review", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath), request_body = ReviewInput,
    responses((status = 201, description = "The review", body = Envelope<ChangeReview>)))]
pub async fn review(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(path): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(path)?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let r = s
        .services
        .review_proposal(&ctx, team_id, id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/change-proposals/{id}"),
        r,
    ))
}

/// Comment on a proposal (members): optionally anchored to a playbook, step or field, or as
/// a reply in a thread.
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}/comments", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath), request_body = CommentInput,
    responses((status = 201, description = "The comment", body = Envelope<ProposalComment>)))]
pub async fn comment(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(path): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(path)?;
    s.services.require(&ctx, team_id, Permission::Work).await?;
    let c = s
        .services
        .comment_proposal(&ctx, team_id, id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/change-proposals/{id}"),
        c,
    ))
}

/// Resolve a discussion thread (members).
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}/comments/{comment_id}/resolve", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath, CommentPath),
    responses((status = 200, description = "The thread's first comment", body = Envelope<ProposalComment>)))]
pub async fn resolve_comment(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id, comment_id)): Path<(String, String, String)>,
) -> ApiResult {
    let (team_id, id) = ids((team_id, id))?;
    let comment_id = path_id(&comment_id, "comment_id")?;
    Ok(ok(s
        .services
        .resolve_comment(&ctx, team_id, id, comment_id)
        .await?))
}

/// Merge an approved proposal into its target (editors), also when the target is protected;
/// 409 while the target's rules are unmet or a conflict is open (resolve it in a merge draft
/// and pass its `merge_id`).
#[utoipa::path(post, path = "/v1/teams/{team_id}/change-proposals/{proposal_id}/merge", tag = "proposals",
    params(crate::openapi::TeamPath, ProposalPath), request_body(content = Option<ProposalMergeInput>),
    responses((status = 200, description = "The merged proposal", body = Envelope<ChangeProposal>)))]
pub async fn merge(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(path): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = ids(path)?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .merge_proposal(&ctx, team_id, id, body.parse_or_default()?)
        .await?))
}
