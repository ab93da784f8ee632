//! Dashboards: a team's widgets, each an analytics query drawn one way, and their data.

use std::collections::HashSet;

use serde_json::json;
use uuid::Uuid;

use super::analytics::{SourceScope, DEFAULT_PERIOD_DAYS};
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;

/// Checks a dashboard and gives each widget without an id one.
fn check_input(input: &mut DashboardInput, v: &mut Violations) {
    crate::validate::text(v, "/name", &input.name, 1, 200);
    crate::validate::text(v, "/description", &input.description, 0, 2000);
    if input.widgets.len() > 50 {
        v.add("/widgets", "too_many", "a dashboard has at most 50 widgets");
    }
    let mut ids = HashSet::new();
    for (i, w) in input.widgets.iter_mut().enumerate() {
        let at = |field: &str| format!("/widgets/{i}/{field}");
        if w.id.trim().is_empty() {
            w.id = format!("w{}", i + 1);
        }
        crate::validate::text(v, &at("id"), &w.id, 0, 100);
        if !ids.insert(w.id.clone()) {
            v.add(
                &at("id"),
                "duplicate",
                "widget ids are unique in a dashboard",
            );
        }
        crate::validate::text(v, &at("title"), &w.title, 1, 200);
        if w.period_days.is_some_and(|d| !(1..=366).contains(&d)) {
            v.add(&at("period_days"), "out_of_range", "must be 1 to 366");
        }
        if w.source == AnalyticsSource::Variants && w.process_id.is_none() {
            v.add(
                &at("process_id"),
                "required",
                "process mining names its playbook",
            );
        }
        let p = w.position;
        let ok = (0..=11).contains(&p.x)
            && (0..=1000).contains(&p.y)
            && (1..=12).contains(&p.w)
            && (1..=100).contains(&p.h)
            && p.x + p.w <= 12;
        if !ok {
            v.add(
                &at("position"),
                "out_of_range",
                "x 0–11, y 0–1000, w 1–12 with x + w ≤ 12, h 1–100",
            );
        }
    }
}

impl Services {
    /// Checks an input and the playbooks its widgets name.
    async fn checked_dashboard(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        mut input: DashboardInput,
    ) -> Result<DashboardInput> {
        let mut v = Violations::new();
        check_input(&mut input, &mut v);
        v.finish()?;
        for w in &input.widgets {
            self.check_playbook_on_main(tx, team_id, w.process_id)
                .await?;
        }
        Ok(input)
    }

    /// `POST /v1/teams/{team_id}/dashboards` (editors).
    pub async fn create_dashboard(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: DashboardInput,
    ) -> Result<Dashboard> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let input = self.checked_dashboard(tx.as_mut(), team_id, input).await?;
        let now = self.clock.now();
        let d = Dashboard {
            id: new_id(),
            team_id,
            name: input.name.trim().to_string(),
            description: input.description,
            widgets: input.widgets,
            created_by: ctx.actor.user.id,
            created_at: now,
            updated_at: now,
        };
        tx.insert_dashboard(&d).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "dashboard.created",
            ("dashboard", d.id),
            json!({"name": d.name, "widgets": d.widgets.len()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    async fn read_dashboard(&self, tx: &mut dyn Tx, team_id: Uuid, id: Uuid) -> Result<Dashboard> {
        tx.dashboard(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("dashboard"))
    }

    /// `GET /v1/teams/{team_id}/dashboards`.
    pub async fn list_dashboards(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Dashboard>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_dashboards(team_id, page).await
    }

    /// `GET /v1/teams/{team_id}/dashboards/{dashboard_id}`.
    pub async fn get_dashboard(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<Dashboard> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.read_dashboard(tx.as_mut(), team_id, id).await
    }

    /// `PUT /v1/teams/{team_id}/dashboards/{dashboard_id}` (editors).
    pub async fn update_dashboard(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: DashboardInput,
    ) -> Result<Dashboard> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let current = self.read_dashboard(tx.as_mut(), team_id, id).await?;
        let input = self.checked_dashboard(tx.as_mut(), team_id, input).await?;
        let d = Dashboard {
            name: input.name.trim().to_string(),
            description: input.description,
            widgets: input.widgets,
            updated_at: self.clock.now(),
            ..current
        };
        tx.update_dashboard(&d).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "dashboard.updated",
            ("dashboard", d.id),
            json!({"name": d.name, "widgets": d.widgets.len()}),
        ))
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// `DELETE /v1/teams/{team_id}/dashboards/{dashboard_id}` (editors).
    pub async fn delete_dashboard(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let d = self.read_dashboard(tx.as_mut(), team_id, id).await?;
        tx.delete_dashboard(team_id, id).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "dashboard.deleted",
            ("dashboard", id),
            json!({"name": d.name}),
        ))
        .await?;
        tx.commit().await
    }

    /// `GET /v1/teams/{team_id}/dashboards/{dashboard_id}/data`: each widget's query answered
    /// now. A widget whose playbook is gone answers with its error instead of data.
    pub async fn dashboard_data(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
    ) -> Result<DashboardData> {
        let d = self.get_dashboard(ctx, team_id, id).await?;
        let mut widgets = Vec::with_capacity(d.widgets.len());
        for w in &d.widgets {
            let scope = SourceScope {
                process_id: w.process_id,
                period_days: w.period_days.unwrap_or(DEFAULT_PERIOD_DAYS),
            };
            let data = match self.source_data(ctx, team_id, w.source, scope).await {
                Ok(data) => data,
                Err(e) if e.code() == crate::ErrorCode::NotFound => {
                    json!({"error": {"code": e.code().as_str(), "message": e.to_string()}})
                }
                Err(e) => return Err(e),
            };
            widgets.push(WidgetData {
                widget_id: w.id.clone(),
                source: w.source,
                data,
            });
        }
        Ok(DashboardData {
            dashboard_id: d.id,
            generated_at: self.clock.now(),
            widgets,
        })
    }
}
