//! Documents and business rules: versioned with the playbooks, CRUD of the same shape.

use axum::extract::{Path, State};
use orgata_core::access::Permission;
use orgata_core::model::*;

use crate::envelope::{
    created_at, deleted, ok, paged, ApiResult, Deleted, Envelope, PagedEnvelope,
};
use crate::extract::{path_id, Auth, Body, QueryMap};
use crate::AppState;

/// The `document_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("document_id"), parameter_in = Path)]
pub struct DocumentPath(
    /// Document id.
    pub uuid::Uuid,
);

/// The team's documents at a ref, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/documents", tag = "documents",
    params(crate::openapi::TeamPath, super::processes::RefParam, crate::openapi::PageParams),
    responses((status = 200, description = "Documents", body = PagedEnvelope<Document>)))]
pub async fn list_document(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let reference = q.text("ref")?;
    Ok(paged(
        s.services
            .list_documents(&ctx, team_id, reference.as_deref(), q.page()?)
            .await?,
    ))
}

/// Create a document (editors), committed to the branch.
#[utoipa::path(post, path = "/v1/teams/{team_id}/documents", tag = "documents",
    params(crate::openapi::TeamPath, super::processes::BranchParam), request_body = DocumentInput,
    responses((status = 201, description = "The document", body = Envelope<Document>)))]
pub async fn create_document(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let d = s
        .services
        .save_document(&ctx, team_id, None, reference.as_deref(), body.parse()?)
        .await?;
    Ok(created_at(
        format!("/v1/teams/{team_id}/documents/{}", d.id),
        d,
    ))
}

/// One document at a ref.
#[utoipa::path(get, path = "/v1/teams/{team_id}/documents/{document_id}", tag = "documents",
    params(crate::openapi::TeamPath, DocumentPath, super::processes::RefParam),
    responses((status = 200, description = "The document", body = Envelope<Document>)))]
pub async fn get_document(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "document_id")?);
    let reference = q.text("ref")?;
    Ok(ok(s
        .services
        .get_document(&ctx, team_id, id, reference.as_deref())
        .await?))
}

/// Replace a document (editors): a new version; 409 if `version` (or `If-Match`) is stale.
#[utoipa::path(put, path = "/v1/teams/{team_id}/documents/{document_id}", tag = "documents",
    params(crate::openapi::TeamPath, DocumentPath, super::processes::BranchParam), request_body = DocumentInput,
    responses((status = 200, description = "The document", body = Envelope<Document>)))]
pub async fn update_document(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "document_id")?);
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let mut input: DocumentInput = body.parse()?;
    if input.version.is_none() {
        input.version = crate::extract::if_match(&headers);
    }
    Ok(ok(s
        .services
        .save_document(&ctx, team_id, Some(id), reference.as_deref(), input)
        .await?))
}

/// Delete a document from the branch (editors); pinned instances keep their version.
#[utoipa::path(delete, path = "/v1/teams/{team_id}/documents/{document_id}", tag = "documents",
    params(crate::openapi::TeamPath, DocumentPath, super::processes::BranchParam),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete_document(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "document_id")?);
    let reference = q.text("ref")?;
    s.services
        .delete_definition(
            &ctx,
            team_id,
            orgata_core::versioning::DefKind::Document,
            id,
            reference.as_deref(),
        )
        .await?;
    Ok(deleted(id))
}

/// The `rule_id` path parameter.
#[derive(utoipa::IntoParams)]
#[into_params(names("rule_id"), parameter_in = Path)]
pub struct BusinessRulePath(
    /// BusinessRule id.
    pub uuid::Uuid,
);

/// The team's business rules at a ref, newest first.
#[utoipa::path(get, path = "/v1/teams/{team_id}/rules", tag = "rules",
    params(crate::openapi::TeamPath, super::processes::RefParam, crate::openapi::PageParams),
    responses((status = 200, description = "BusinessRules", body = PagedEnvelope<BusinessRule>)))]
pub async fn list_rule(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    let reference = q.text("ref")?;
    Ok(paged(
        s.services
            .list_rules(&ctx, team_id, reference.as_deref(), q.page()?)
            .await?,
    ))
}

/// Create a business rule (editors), committed to the branch.
#[utoipa::path(post, path = "/v1/teams/{team_id}/rules", tag = "rules",
    params(crate::openapi::TeamPath, super::processes::BranchParam), request_body = BusinessRuleInput,
    responses((status = 201, description = "The business rule", body = Envelope<BusinessRule>)))]
pub async fn create_rule(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path(team_id): Path<String>,
    q: QueryMap,
    body: Body,
) -> ApiResult {
    let team_id = path_id(&team_id, "team_id")?;
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let d = s
        .services
        .save_rule(&ctx, team_id, None, reference.as_deref(), body.parse()?)
        .await?;
    Ok(created_at(format!("/v1/teams/{team_id}/rules/{}", d.id), d))
}

/// One business rule at a ref.
#[utoipa::path(get, path = "/v1/teams/{team_id}/rules/{rule_id}", tag = "rules",
    params(crate::openapi::TeamPath, BusinessRulePath, super::processes::RefParam),
    responses((status = 200, description = "The business rule", body = Envelope<BusinessRule>)))]
pub async fn get_rule(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "rule_id")?);
    let reference = q.text("ref")?;
    Ok(ok(s
        .services
        .get_rule(&ctx, team_id, id, reference.as_deref())
        .await?))
}

/// Replace a business rule (editors): a new version; 409 if `version` (or `If-Match`) is stale.
#[utoipa::path(put, path = "/v1/teams/{team_id}/rules/{rule_id}", tag = "rules",
    params(crate::openapi::TeamPath, BusinessRulePath, super::processes::BranchParam), request_body = BusinessRuleInput,
    responses((status = 200, description = "The business rule", body = Envelope<BusinessRule>)))]
pub async fn update_rule(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "rule_id")?);
    s.services.require(&ctx, team_id, Permission::Edit).await?;
    let reference = q.text("ref")?;
    let mut input: BusinessRuleInput = body.parse()?;
    if input.version.is_none() {
        input.version = crate::extract::if_match(&headers);
    }
    Ok(ok(s
        .services
        .save_rule(&ctx, team_id, Some(id), reference.as_deref(), input)
        .await?))
}

/// Delete a business rule from the branch (editors); pinned instances keep their version.
#[utoipa::path(delete, path = "/v1/teams/{team_id}/rules/{rule_id}", tag = "rules",
    params(crate::openapi::TeamPath, BusinessRulePath, super::processes::BranchParam),
    responses((status = 200, description = "Deleted", body = Envelope<Deleted>)))]
pub async fn delete_rule(
    State(s): State<AppState>,
    Auth(ctx): Auth,
    Path((team_id, id)): Path<(String, String)>,
    q: QueryMap,
) -> ApiResult {
    let (team_id, id) = (path_id(&team_id, "team_id")?, path_id(&id, "rule_id")?);
    let reference = q.text("ref")?;
    s.services
        .delete_definition(
            &ctx,
            team_id,
            orgata_core::versioning::DefKind::Rule,
            id,
            reference.as_deref(),
        )
        .await?;
    Ok(deleted(id))
}
