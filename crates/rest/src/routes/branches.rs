//! Branches of the team's library, commits, reverts, comparisons, merges and branch protection.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;
use orgata_core::services::Comparison;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `name` path parameter: a branch.
#[derive(utoipa::IntoParams)]
#[into_params(names("name"), parameter_in = Path)]
pub struct BranchPath(
    /// Branch name.
    #[param(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub String,
);

/// The `branch` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("branch"), parameter_in = Path)]
pub struct ProtectedPath(
    /// Branch name.
    #[param(pattern = "^[a-z0-9][a-z0-9._-]{0,99}$")]
    pub String,
);

/// The `commit_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("commit_id"), parameter_in = Path)]
pub struct CommitPath(
    /// Commit id.
    #[param(pattern = "^[0-9a-f]{64}$")]
    pub String,
);

/// The `merge_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("merge_id"), parameter_in = Path)]
pub struct MergePath(
    /// Merge draft id.
    pub uuid::Uuid,
);

/// Filters of the branch list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct BranchFilters {
    #[param(pattern = "^(active|merged|abandoned|stale)$")]
    pub status: Option<String>,
}

/// `?base=REF&head=REF`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CompareParams {
    /// A branch name or commit id.
    #[param(pattern = "^([a-z0-9][a-z0-9._-]{0,99}|[0-9a-f]{64})$")]
    pub base: String,
    /// A branch name or commit id.
    #[param(pattern = "^([a-z0-9][a-z0-9._-]{0,99}|[0-9a-f]{64})$")]
    pub head: String,
}

/// The team's branches by name (filter: status).
#[utoipa::path(get, path = "/v1/teams/{team_id}/branches", tag = "branches",
    params(crate::openapi::TeamPath, BranchFilters, crate::openapi::PageParams),
    responses((status = 200, description = "Branches", body = PagedEnvelope<Branch>)))]
pub async fn list(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let status = q.enumerated(
        "status",
        BranchStatus::parse,
        "active, merged, abandoned, stale",
    )?;
    Ok(paged(
        s.services
            .list_branches(&ctx, team_id, status, q.page()?)
            .await?,
    ))
}

/// Branch the team's whole library (editors) from `main`, a branch or a commit.
#[utoipa::path(post, path = "/v1/teams/{team_id}/branches", tag = "branches",
    params(crate::openapi::TeamPath), request_body = NewBranch,
    responses((status = 201, description = "The branch", body = Envelope<Branch>)))]
pub async fn create(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let b = s
        .services
        .create_branch(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/branches/{}", b.name),
        b,
    ))
}

/// One branch.
#[utoipa::path(get, path = "/v1/teams/{team_id}/branches/{name}", tag = "branches",
    params(crate::openapi::TeamPath, BranchPath),
    responses((status = 200, description = "The branch", body = Envelope<Branch>)))]
pub async fn get(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s.services.get_branch(&ctx, team_id, &name).await?))
}

/// Delete (abandon) a branch (editors): its commits stay, and instances started from them run
/// on; `main`, protected branches and branches of open proposals cannot be deleted (409).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/branches/{name}", tag = "branches",
    params(crate::openapi::TeamPath, BranchPath),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let b = s.services.delete_branch(&ctx, team_id, &name).await?;
    Ok(deleted(b.name))
}

/// Point a branch at another commit (editors; 403 on a protected branch). With
/// `expected_head`, 409 with the current head when it moved.
#[utoipa::path(post, path = "/v1/teams/{team_id}/branches/{name}/reset", tag = "branches",
    params(crate::openapi::TeamPath, BranchPath), request_body = ResetInput,
    responses((status = 200, description = "The branch", body = Envelope<Branch>)))]
pub async fn reset(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .reset_branch(&ctx, team_id, &name, body.parse()?)
        .await?))
}

/// The commits reachable from a branch's head, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/branches/{name}/commits", tag = "branches",
    params(crate::openapi::TeamPath, BranchPath, crate::openapi::PageParams),
    responses((status = 200, description = "Commits", body = PagedEnvelope<Commit>)))]
pub async fn commits(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, name)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(paged(
        s.services
            .branch_commits(&ctx, team_id, &name, q.page()?)
            .await?,
    ))
}

/// One commit (read any definition at it with `?ref=<commit_id>`).
#[utoipa::path(get, path = "/v1/teams/{team_id}/commits/{commit_id}", tag = "branches",
    params(crate::openapi::TeamPath, CommitPath),
    responses((status = 200, description = "The commit", body = Envelope<Commit>)))]
pub async fn get_commit(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s.services.get_commit(&ctx, team_id, &id).await?))
}

/// Revert a commit on a branch (editors): a new commit undoing its changes, merged with what
/// the branch changed since; 409 with the conflicts when they overlap.
#[utoipa::path(post, path = "/v1/teams/{team_id}/commits/{commit_id}/revert", tag = "branches",
    params(crate::openapi::TeamPath, CommitPath), request_body = RevertInput,
    responses((status = 201, description = "The reverting commit", body = Envelope<Commit>)))]
pub async fn revert(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let c = s
        .services
        .revert_commit(&ctx, team_id, &id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/commits/{}", c.id),
        c,
    ))
}

/// How `head` differs from `base`: per playbook, steps added, removed, moved and changed (each
/// field with its old and new value), per document and rule the changed fields, and the same
/// as an RFC 6902 JSON Patch over the keyed library.
#[utoipa::path(get, path = "/v1/teams/{team_id}/compare", tag = "branches",
    params(crate::openapi::TeamPath, CompareParams),
    responses((status = 200, description = "The comparison", body = Envelope<Comparison>)))]
pub async fn compare(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let required = |name: &str| -> Result<String, crate::envelope::ApiError> {
        q.text(name)?.ok_or_else(|| {
            orgata_core::Error::invalid(&format!("/{name}"), "required", "a ref is required").into()
        })
    };
    let (base, head) = (required("base")?, required("head")?);
    Ok(ok(s.services.compare(&ctx, team_id, &base, &head).await?))
}

/// Draft a merge of `source` into `target` (editors): the conflicts with their paths and
/// values, the violations of the result, and what it would change. `resolutions_from` carries
/// the resolutions of an earlier draft (one gone stale) to conflicts that did not change.
#[utoipa::path(post, path = "/v1/teams/{team_id}/merges", tag = "merges",
    params(crate::openapi::TeamPath), request_body = MergeInput,
    responses((status = 201, description = "The merge draft", body = Envelope<MergeDraft>)))]
pub async fn create_merge(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let m = s
        .services
        .create_merge(&ctx, team_id, body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/merges/{}", m.id),
        m,
    ))
}

/// A merge draft as it stands (`stale` once a head moved).
#[utoipa::path(get, path = "/v1/teams/{team_id}/merges/{merge_id}", tag = "merges",
    params(crate::openapi::TeamPath, MergePath),
    responses((status = 200, description = "The merge draft", body = Envelope<MergeDraft>)))]
pub async fn get_merge(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "merge_id")?);
    Ok(ok(s.services.get_merge(&ctx, team_id, id).await?))
}

/// Resolve conflicts (editors): each by `ours`, `theirs`, `base` or a given `value`, and/or
/// `all` the others alike.
#[utoipa::path(put, path = "/v1/teams/{team_id}/merges/{merge_id}/resolutions", tag = "merges",
    params(crate::openapi::TeamPath, MergePath), request_body = ResolutionsInput,
    responses((status = 200, description = "The merge draft", body = Envelope<MergeDraft>)))]
pub async fn resolve(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "merge_id")?);
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    Ok(ok(s
        .services
        .resolve_merge(&ctx, team_id, id, body.parse()?)
        .await?))
}

/// Commit a clean merge draft (editors): 409 while stale, conflicted or violated; 403 into a
/// protected branch (merge a change proposal instead).
#[utoipa::path(post, path = "/v1/teams/{team_id}/merges/{merge_id}/commit", tag = "merges",
    params(crate::openapi::TeamPath, MergePath),
    responses((status = 200, description = "The merged draft", body = Envelope<MergeDraft>)))]
pub async fn commit_merge(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "merge_id")?);
    Ok(ok(s.services.commit_merge(&ctx, team_id, id).await?))
}

/// A branch's protection rules (404 when unprotected).
#[utoipa::path(get, path = "/v1/teams/{team_id}/branch-protection/{branch}", tag = "branches",
    params(crate::openapi::TeamPath, ProtectedPath),
    responses((status = 200, description = "The rules", body = Envelope<BranchProtection>)))]
pub async fn get_protection(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, branch)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    Ok(ok(s
        .services
        .get_protection(&ctx, team_id, &branch)
        .await?))
}

/// Protect a branch (owners): it then changes only by merging approved change proposals.
#[utoipa::path(put, path = "/v1/teams/{team_id}/branch-protection/{branch}", tag = "branches",
    params(crate::openapi::TeamPath, ProtectedPath), request_body = BranchProtectionInput,
    responses((status = 200, description = "The rules", body = Envelope<BranchProtection>)))]
pub async fn put_protection(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, branch)): Path<(String, String)>,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Own).await?;
    Ok(ok(s
        .services
        .put_protection(&ctx, team_id, &branch, body.parse_or_default()?)
        .await?))
}

/// Remove a branch's protection (owners).
#[utoipa::path(delete, path = "/v1/teams/{team_id}/branch-protection/{branch}", tag = "branches",
    params(crate::openapi::TeamPath, ProtectedPath),
    responses((status = 200, description = "Removed", body = Envelope<Deleted>)))]
pub async fn delete_protection(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, branch)): Path<(String, String)>,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.delete_protection(&ctx, team_id, &branch).await?;
    Ok(deleted(branch))
}
