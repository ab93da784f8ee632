//! Teams and their settings.

use serde_json::json;
use uuid::Uuid;

use super::{Ctx, Services};
use crate::access::{AccessRole, Permission};
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::validate;

/// Working days in order, each once.
fn normalize(mut s: TeamSettings) -> TeamSettings {
    s.working_calendar.working_days.sort_unstable();
    s.working_calendar.working_days.dedup();
    s.working_calendar.holidays.sort_unstable();
    s.working_calendar.holidays.dedup();
    s
}

fn check_settings(v: &mut Violations, s: &TeamSettings) {
    validate::timezone(v, "/settings/timezone", &s.timezone);
    let cal = &s.working_calendar;
    if cal.working_days.len() > 7 {
        v.add(
            "/settings/working_calendar/working_days",
            "too_many",
            "at most 7 days",
        );
    }
    for (i, d) in cal.working_days.iter().enumerate() {
        if !(1..=7).contains(d) {
            v.add(
                &format!("/settings/working_calendar/working_days/{i}"),
                "invalid_day",
                "must be 1 (Monday) to 7 (Sunday)",
            );
        }
    }
    validate::clock_time(v, "/settings/working_calendar/start_time", &cal.start_time);
    validate::clock_time(v, "/settings/working_calendar/end_time", &cal.end_time);
    if cal.holidays.len() > 366 {
        v.add(
            "/settings/working_calendar/holidays",
            "too_many",
            "at most 366 holidays",
        );
    }
}

impl Services {
    /// `GET /v1/teams`: the caller's teams.
    pub async fn list_teams(&self, ctx: &Ctx, page: PageRequest) -> Result<Page<Team>> {
        let mut tx = self.store.read().await?;
        tx.list_teams(ctx.actor.user.id, ctx.actor.bound_team(), page)
            .await
    }

    /// `POST /v1/teams`: owners and admins of the organization create teams; the creator owns it.
    pub async fn create_team(&self, ctx: &Ctx, input: NewTeam) -> Result<Team> {
        if ctx.actor.bound_team().is_some() || ctx.actor.role_cap() < AccessRole::Admin {
            return Err(Error::forbidden("this token may not create teams"));
        }
        let mut v = Violations::new();
        validate::text(&mut v, "/name", &input.name, 1, 200);
        if input.description.chars().count() > 2000 {
            v.add(
                "/description",
                "too_long",
                "must have at most 2000 characters",
            );
        }
        let settings = input.settings.unwrap_or_default();
        check_settings(&mut v, &settings);
        v.finish()?;
        let mut tx = self.store.begin().await?;
        match tx
            .organization_role(input.organization_id, ctx.actor.user.id)
            .await?
            .as_deref()
        {
            None => {
                return Err(Error::unknown_reference(
                    "/organization_id",
                    "no such organization of yours",
                ))
            }
            Some("owner" | "admin") => {}
            Some(_) => {
                return Err(Error::forbidden(
                    "only the organization's owners and admins create teams",
                ))
            }
        }
        let now = now();
        let team = Team {
            id: new_id(),
            organization_id: input.organization_id,
            name: input.name.trim().to_string(),
            description: input.description,
            settings: normalize(settings),
            created_at: now,
            updated_at: now,
        };
        tx.insert_team(&team).await?;
        tx.insert_member(team.id, ctx.actor.user.id, AccessRole::Owner, &[], now)
            .await?;
        tx.ensure_branch(
            team.id,
            super::definitions::MAIN,
            "main",
            Some(ctx.actor.user.id),
            now,
        )
        .await?;
        tx.append_event(ctx.team_event(
            team.id,
            "team.created",
            ("team", team.id),
            json!({"organization_id": team.organization_id}),
        ))
        .await?;
        let data = json!({"user_id": ctx.actor.user.id, "access_role": "owner"});
        tx.append_event(ctx.team_event(team.id, "member.added", ("user", ctx.actor.user.id), data))
            .await?;
        tx.commit().await?;
        Ok(team)
    }

    /// `GET /v1/teams/{team_id}`.
    pub async fn team(&self, ctx: &Ctx, team_id: Uuid) -> Result<Team> {
        let mut tx = self.store.read().await?;
        Ok(self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?
            .team)
    }

    /// `PUT /v1/teams/{team_id}`: owners change the name, description and settings.
    pub async fn update_team(&self, ctx: &Ctx, team_id: Uuid, input: TeamUpdate) -> Result<Team> {
        let mut tx = self.store.begin().await?;
        let mut team = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Own)
            .await?
            .team;
        let mut v = Violations::new();
        if let Some(name) = &input.name {
            validate::text(&mut v, "/name", name, 1, 200);
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 2000)
        {
            v.add(
                "/description",
                "too_long",
                "must have at most 2000 characters",
            );
        }
        if let Some(settings) = &input.settings {
            check_settings(&mut v, settings);
        }
        v.finish()?;
        let mut changed = vec![];
        if let Some(name) = input.name {
            team.name = name.trim().to_string();
            changed.push("name");
        }
        if let Some(description) = input.description {
            team.description = description;
            changed.push("description");
        }
        if let Some(settings) = input.settings {
            team.settings = normalize(settings);
            changed.push("settings");
        }
        team.updated_at = now();
        tx.update_team(&team).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "team.updated",
            ("team", team_id),
            json!({"changed": changed}),
        ))
        .await?;
        tx.commit().await?;
        Ok(team)
    }

    /// `DELETE /v1/teams/{team_id}`: owners only; the team and its data stop answering.
    pub async fn delete_team(&self, ctx: &Ctx, team_id: Uuid) -> Result<Team> {
        let mut tx = self.store.begin().await?;
        let team = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Own)
            .await?
            .team;
        tx.append_event(ctx.team_event(team_id, "team.deleted", ("team", team_id), json!({})))
            .await?;
        tx.delete_team(team_id, now()).await?;
        tx.commit().await?;
        Ok(team)
    }
}
