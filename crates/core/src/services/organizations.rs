//! Organizations: the companies that own teams.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::validate;

/// Organization sizes of the data model.
pub(crate) const ORG_SIZES: &[&str] = &["solo", "small", "medium", "large", "enterprise"];

impl Services {
    /// `POST /v1/organizations`: the caller owns the new organization.
    pub async fn create_organization(
        &self,
        ctx: &Ctx,
        input: NewOrganization,
    ) -> Result<Organization> {
        Self::require_account_rights(ctx)?;
        let mut v = Violations::new();
        validate::text(&mut v, "/name", &input.name, 1, 200);
        if let Some(size) = &input.size {
            validate::one_of(&mut v, "/size", size, ORG_SIZES);
        }
        if let Some(domain) = &input.domain {
            validate::text(&mut v, "/domain", domain, 1, 253);
        }
        if let Some(industry) = &input.industry {
            validate::text(&mut v, "/industry", industry, 1, 200);
        }
        if input.compliance_requirements.len() > 100 {
            v.add(
                "/compliance_requirements",
                "too_many",
                "at most 100 entries",
            );
        }
        v.finish()?;
        let now = now();
        let org = Organization {
            id: new_id(),
            name: input.name.trim().to_string(),
            domain: input.domain,
            industry: input.industry,
            size: input.size,
            compliance_requirements: input.compliance_requirements,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        tx.insert_organization(&org).await?;
        tx.put_organization_member(org.id, ctx.actor.user.id, "owner")
            .await?;
        tx.append_event(ctx.account_event(
            "organization.created",
            ("organization", org.id),
            json!({}),
        ))
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// `GET /v1/organizations`: the organizations the caller belongs to.
    pub async fn list_organizations(
        &self,
        ctx: &Ctx,
        page: PageRequest,
    ) -> Result<Page<Organization>> {
        let mut tx = self.store.read().await?;
        tx.list_organizations(ctx.actor.user.id, page).await
    }

    /// `GET /v1/organizations/{organization_id}`.
    pub async fn organization(&self, ctx: &Ctx, id: Uuid) -> Result<Organization> {
        let mut tx = self.store.read().await?;
        if tx.organization_role(id, ctx.actor.user.id).await?.is_none() {
            return Err(Error::not_found("organization"));
        }
        tx.organization(id)
            .await?
            .ok_or_else(|| Error::not_found("organization"))
    }
}
