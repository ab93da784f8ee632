//! Business roles: what steps are assigned to. Team records, not versioned.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;
use crate::validate;

/// The highest hourly cost a role may have.
const MAX_HOURLY_COST: f64 = 1_000_000.0;

fn check_input(input: &RoleInput) -> Result<()> {
    let mut v = Violations::new();
    validate::text(&mut v, "/name", &input.name, 1, 200);
    if input.description.chars().count() > 2000 {
        v.add(
            "/description",
            "too_long",
            "must have at most 2000 characters",
        );
    }
    if !(0..=100).contains(&input.hierarchy_level) {
        v.add("/hierarchy_level", "out_of_range", "must be 0 to 100");
    }
    if input
        .hourly_cost
        .is_some_and(|c| !(0.0..=MAX_HOURLY_COST).contains(&c))
    {
        v.add("/hourly_cost", "out_of_range", "must be 0 to 1000000");
    }
    for (i, f) in input.functions.iter().enumerate() {
        validate::text(&mut v, &format!("/functions/{i}/name"), &f.name, 1, 200);
        if f.description.chars().count() > 2000 {
            v.add(
                &format!("/functions/{i}/description"),
                "too_long",
                "must have at most 2000 characters",
            );
        }
        validate::one_of(
            &mut v,
            &format!("/functions/{i}/category"),
            &f.category,
            &["primary", "secondary", "occasional"],
        );
        if f.estimated_time_allocation
            .is_some_and(|a| !(0.0..=1.0).contains(&a))
        {
            v.add(
                &format!("/functions/{i}/estimated_time_allocation"),
                "out_of_range",
                "must be 0 to 1",
            );
        }
    }
    for (i, c) in input.capabilities.iter().enumerate() {
        validate::text(&mut v, &format!("/capabilities/{i}/name"), &c.name, 1, 200);
        validate::one_of(
            &mut v,
            &format!("/capabilities/{i}/type"),
            &c.kind,
            &[
                "skill",
                "system_access",
                "approval_authority",
                "resource_access",
            ],
        );
        validate::one_of(
            &mut v,
            &format!("/capabilities/{i}/level"),
            &c.level,
            &["basic", "intermediate", "advanced", "expert"],
        );
    }
    v.finish()
}

/// A unique-name violation, as the caller should read it.
fn name_taken(e: Error) -> Error {
    match e.code() {
        crate::ErrorCode::Conflict => Error::conflict("a role with this name exists"),
        _ => e,
    }
}

impl Services {
    /// `reports_to` must name another role of the team without closing a loop.
    async fn check_reports_to(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        role_id: Uuid,
        reports_to: Option<Uuid>,
    ) -> Result<()> {
        let mut next = reports_to;
        let mut hops = 0;
        while let Some(id) = next {
            if id == role_id {
                return Err(Error::invalid(
                    "/reports_to",
                    "cycle",
                    "a role cannot report to itself, directly or through others",
                ));
            }
            let role = tx.role(team_id, id).await?.ok_or_else(|| {
                Error::unknown_reference("/reports_to", "must be a business role of this team")
            })?;
            next = role.reports_to;
            hops += 1;
            if hops > 1000 {
                return Err(Error::invalid(
                    "/reports_to",
                    "cycle",
                    "the reporting line is too long",
                ));
            }
        }
        Ok(())
    }

    /// `GET /v1/teams/{team_id}/roles`.
    pub async fn list_roles(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Role>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_roles(team_id, page).await
    }

    /// `GET /v1/teams/{team_id}/roles/{role_id}`.
    pub async fn role(&self, ctx: &Ctx, team_id: Uuid, role_id: Uuid) -> Result<Role> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.role(team_id, role_id)
            .await?
            .ok_or_else(|| Error::not_found("role"))
    }

    /// `POST /v1/teams/{team_id}/roles`.
    pub async fn create_role(&self, ctx: &Ctx, team_id: Uuid, input: RoleInput) -> Result<Role> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        check_input(&input)?;
        let now = now();
        let role = Role {
            id: new_id(),
            team_id,
            name: input.name.trim().to_string(),
            description: input.description,
            functions: input.functions,
            capabilities: input.capabilities,
            hierarchy_level: input.hierarchy_level,
            reports_to: input.reports_to,
            hourly_cost: input.hourly_cost,
            created_at: now,
            updated_at: now,
        };
        self.check_reports_to(tx.as_mut(), team_id, role.id, role.reports_to)
            .await?;
        tx.insert_role(&role).await.map_err(name_taken)?;
        tx.append_event(ctx.team_event(
            team_id,
            "role.created",
            ("role", role.id),
            json!({"name": role.name}),
        ))
        .await?;
        tx.commit().await?;
        Ok(role)
    }

    /// `PUT /v1/teams/{team_id}/roles/{role_id}`.
    pub async fn update_role(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        role_id: Uuid,
        input: RoleInput,
    ) -> Result<Role> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let current = tx
            .role(team_id, role_id)
            .await?
            .ok_or_else(|| Error::not_found("role"))?;
        check_input(&input)?;
        self.check_reports_to(tx.as_mut(), team_id, role_id, input.reports_to)
            .await?;
        let role = Role {
            name: input.name.trim().to_string(),
            description: input.description,
            functions: input.functions,
            capabilities: input.capabilities,
            hierarchy_level: input.hierarchy_level,
            reports_to: input.reports_to,
            hourly_cost: input.hourly_cost,
            updated_at: now(),
            ..current
        };
        tx.update_role(&role).await.map_err(name_taken)?;
        tx.append_event(ctx.team_event(
            team_id,
            "role.updated",
            ("role", role.id),
            json!({"name": role.name}),
        ))
        .await?;
        tx.commit().await?;
        Ok(role)
    }

    /// `DELETE /v1/teams/{team_id}/roles/{role_id}`: holders lose it, reports to it are cut.
    pub async fn delete_role(&self, ctx: &Ctx, team_id: Uuid, role_id: Uuid) -> Result<Role> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Administer)
            .await?;
        let role = tx
            .role(team_id, role_id)
            .await?
            .ok_or_else(|| Error::not_found("role"))?;
        tx.delete_role(team_id, role_id).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "role.deleted",
            ("role", role_id),
            json!({"name": role.name}),
        ))
        .await?;
        tx.commit().await?;
        Ok(role)
    }
}
