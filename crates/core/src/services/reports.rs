//! Reports: definitions, executions run by the durable job runner (now, or on a cron schedule
//! in the team's time zone), and their kept outputs. A `report` job's
//! `process_instance_id` is the report and its `step_execution_id` the execution it runs. A run
//! that fails is tried again with backoff up to three times; one that fails because its
//! creator or team is gone, or lost access, fails at once and ends the report's schedule.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::analytics::{SourceScope, DEFAULT_PERIOD_DAYS};
use super::instances::Driver;
use super::{Actor, Credential, Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::reports::{render, schedule, section_title, ReportData, Section};
use crate::store::{RequestMeta, Tx};

/// The job kind that runs a report execution.
pub const REPORT_JOB: &str = "report";
/// Attempts at one execution before it fails.
const REPORT_ATTEMPTS: i32 = 3;

/// `POST /v1/teams/{team_id}/analytics/reports`: the report and the run it queued, if any.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ReportCreated {
    pub report: Report,
    pub execution: Option<ReportExecution>,
}

/// A completed execution's document.
#[derive(Debug, Clone)]
pub struct ReportOutput {
    pub content_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The sections an input asks for, checked.
fn check_input(input: &ReportInput, v: &mut Violations) -> Vec<AnalyticsSource> {
    crate::validate::text(v, "/name", &input.name, 1, 200);
    crate::validate::text(v, "/description", &input.description, 0, 2000);
    if input.period_days.is_some_and(|d| !(1..=366).contains(&d)) {
        v.add("/period_days", "out_of_range", "must be 1 to 366");
    }
    if let Some(s) = &input.schedule {
        if s.chars().count() > 200 {
            v.add("/schedule", "too_long", "must have at most 200 characters");
        } else if let Err(e) = schedule::parse(s) {
            v.add("/schedule", "invalid_schedule", &e);
        } else if schedule::next_run(s, "UTC", chrono::Utc::now()).is_none() {
            v.add(
                "/schedule",
                "never_runs",
                "the schedule has no next time to run",
            );
        }
    }
    let sections = match input.report_type {
        ReportType::Custom => {
            if input.sections.is_empty() || input.sections.len() > 9 {
                v.add(
                    "/sections",
                    "out_of_range",
                    "a custom report has 1 to 9 sections",
                );
            }
            let mut seen = Vec::new();
            for (i, s) in input.sections.iter().enumerate() {
                if seen.contains(s) {
                    v.add(&format!("/sections/{i}"), "duplicate", "each section once");
                }
                seen.push(*s);
            }
            seen
        }
        preset => {
            if !input.sections.is_empty() {
                v.add(
                    "/sections",
                    "not_allowed",
                    "only custom reports choose their sections",
                );
            }
            preset.sections().to_vec()
        }
    };
    if sections.contains(&AnalyticsSource::Variants) && input.process_id.is_none() {
        v.add(
            "/process_id",
            "required",
            "a report with process mining names its playbook",
        );
    }
    sections
}

impl Services {
    /// 404 unless `process_id` names a playbook on the team's `main`.
    pub(crate) async fn check_playbook_on_main(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        process_id: Option<Uuid>,
    ) -> Result<()> {
        let Some(id) = process_id else { return Ok(()) };
        let main = self.resolve_ref(tx, team_id, None).await?;
        if main.tree.playbooks.contains_key(&id) {
            Ok(())
        } else {
            Err(Error::unknown_reference(
                "/process_id",
                "no playbook with this id on main",
            ))
        }
    }

    /// The team's time zone.
    async fn team_timezone(&self, tx: &mut dyn Tx, team_id: Uuid) -> Result<String> {
        Ok(tx
            .team(team_id)
            .await?
            .map(|t| t.settings.timezone)
            .unwrap_or_else(|| "UTC".into()))
    }

    /// Queues an execution of `report` at `at` with the job that runs it.
    async fn queue_execution(
        &self,
        tx: &mut dyn Tx,
        report: &Report,
        trigger: ReportTrigger,
        at: DateTime<Utc>,
        requested_by: Option<Uuid>,
    ) -> Result<ReportExecution> {
        let execution = ReportExecution {
            id: new_id(),
            report_id: report.id,
            team_id: report.team_id,
            status: ReportExecutionStatus::Pending,
            trigger,
            format: report.format,
            scheduled_for: at,
            requested_by,
            completed_at: None,
            content_type: None,
            file_name: None,
            size_bytes: None,
            error: None,
            created_at: self.clock.now(),
        };
        tx.insert_report_execution(&execution).await?;
        tx.insert_job(&Job {
            id: new_id(),
            team_id: report.team_id,
            process_instance_id: report.id,
            step_execution_id: execution.id,
            kind: REPORT_JOB.into(),
            run_at: at,
            attempts: 0,
            max_attempts: REPORT_ATTEMPTS,
            last_error: None,
        })
        .await?;
        Ok(execution)
    }

    /// Cancels the scheduled runs of a report that have not run yet.
    async fn cancel_scheduled(&self, tx: &mut dyn Tx, report: &Report) -> Result<()> {
        for mut e in tx
            .pending_report_executions(report.team_id, report.id)
            .await?
        {
            if e.trigger == ReportTrigger::Schedule {
                tx.cancel_jobs(e.id).await?;
                e.status = ReportExecutionStatus::Cancelled;
                e.completed_at = Some(self.clock.now());
                tx.finish_report_execution(&e, None).await?;
            }
        }
        Ok(())
    }

    /// Schedules the next run of `report` after `after`, if it has a schedule.
    async fn schedule_next(
        &self,
        tx: &mut dyn Tx,
        report: &mut Report,
        after: DateTime<Utc>,
    ) -> Result<()> {
        report.next_run_at = None;
        if let Some(expr) = &report.schedule {
            let tz = self.team_timezone(tx, report.team_id).await?;
            report.next_run_at = schedule::next_run(expr, &tz, after);
            if let Some(at) = report.next_run_at {
                self.queue_execution(tx, report, ReportTrigger::Schedule, at, None)
                    .await?;
            }
        }
        Ok(())
    }

    /// `POST /v1/teams/{team_id}/analytics/reports` (editors): a report, run now unless it
    /// has a schedule (or also now, with `run_now`).
    pub async fn create_report(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        input: ReportInput,
    ) -> Result<ReportCreated> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut v = Violations::new();
        let sections = check_input(&input, &mut v);
        v.finish()?;
        self.check_playbook_on_main(tx.as_mut(), team_id, input.process_id)
            .await?;
        let now = self.clock.now();
        let mut report = Report {
            id: new_id(),
            team_id,
            name: input.name.trim().to_string(),
            description: input.description,
            report_type: input.report_type,
            format: input.format,
            process_id: input.process_id,
            period_days: input.period_days.unwrap_or(DEFAULT_PERIOD_DAYS),
            sections,
            schedule: input.schedule.map(|s| s.trim().to_string()),
            next_run_at: None,
            created_by: ctx.actor.user.id,
            created_at: now,
            updated_at: now,
        };
        tx.insert_report(&report).await?;
        if report.schedule.is_some() {
            self.schedule_next(tx.as_mut(), &mut report, now).await?;
            tx.update_report(&report).await?;
        }
        let execution = if input.run_now || report.schedule.is_none() {
            Some(
                self.queue_execution(
                    tx.as_mut(),
                    &report,
                    ReportTrigger::Manual,
                    now,
                    Some(ctx.actor.user.id),
                )
                .await?,
            )
        } else {
            None
        };
        tx.append_event(ctx.team_event(
            team_id,
            "report.created",
            ("report", report.id),
            json!({"name": report.name, "type": report.report_type, "format": report.format,
                   "schedule": report.schedule}),
        ))
        .await?;
        tx.commit().await?;
        Ok(ReportCreated { report, execution })
    }

    async fn read_report(&self, tx: &mut dyn Tx, team_id: Uuid, id: Uuid) -> Result<Report> {
        tx.report(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("report"))
    }

    /// `GET /v1/teams/{team_id}/analytics/reports`.
    pub async fn list_reports(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<Report>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_reports(team_id, page).await
    }

    /// `GET /v1/teams/{team_id}/analytics/reports/{report_id}`.
    pub async fn get_report(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<Report> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.read_report(tx.as_mut(), team_id, id).await
    }

    /// `PUT /v1/teams/{team_id}/analytics/reports/{report_id}` (editors): a new definition;
    /// scheduled runs not yet done are replaced by the new schedule's.
    pub async fn update_report(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: ReportInput,
    ) -> Result<Report> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let current = self.read_report(tx.as_mut(), team_id, id).await?;
        let mut v = Violations::new();
        let sections = check_input(&input, &mut v);
        v.finish()?;
        self.check_playbook_on_main(tx.as_mut(), team_id, input.process_id)
            .await?;
        self.cancel_scheduled(tx.as_mut(), &current).await?;
        let now = self.clock.now();
        let mut report = Report {
            name: input.name.trim().to_string(),
            description: input.description,
            report_type: input.report_type,
            format: input.format,
            process_id: input.process_id,
            period_days: input.period_days.unwrap_or(DEFAULT_PERIOD_DAYS),
            sections,
            schedule: input.schedule.map(|s| s.trim().to_string()),
            updated_at: now,
            ..current
        };
        self.schedule_next(tx.as_mut(), &mut report, now).await?;
        if input.run_now {
            self.queue_execution(
                tx.as_mut(),
                &report,
                ReportTrigger::Manual,
                now,
                Some(ctx.actor.user.id),
            )
            .await?;
        }
        tx.update_report(&report).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "report.updated",
            ("report", report.id),
            json!({"name": report.name, "schedule": report.schedule}),
        ))
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// `DELETE /v1/teams/{team_id}/analytics/reports/{report_id}` (editors): the report, its
    /// queued runs and its kept outputs.
    pub async fn delete_report(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<()> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let report = self.read_report(tx.as_mut(), team_id, id).await?;
        for e in tx.pending_report_executions(team_id, id).await? {
            tx.cancel_jobs(e.id).await?;
        }
        tx.delete_report(team_id, id).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "report.deleted",
            ("report", id),
            json!({"name": report.name}),
        ))
        .await?;
        tx.commit().await
    }

    /// `POST /v1/teams/{team_id}/analytics/reports/{report_id}/executions` (editors): run it
    /// now.
    pub async fn run_report(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<ReportExecution> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let report = self.read_report(tx.as_mut(), team_id, id).await?;
        let execution = self
            .queue_execution(
                tx.as_mut(),
                &report,
                ReportTrigger::Manual,
                self.clock.now(),
                Some(ctx.actor.user.id),
            )
            .await?;
        tx.append_event(ctx.team_event(
            team_id,
            "report.requested",
            ("report", id),
            json!({"execution_id": execution.id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(execution)
    }

    /// `GET /v1/teams/{team_id}/analytics/reports/{report_id}/executions`.
    pub async fn list_report_executions(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        report_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<ReportExecution>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.read_report(tx.as_mut(), team_id, report_id).await?;
        tx.list_report_executions(team_id, report_id, page).await
    }

    async fn read_execution(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        report_id: Uuid,
        id: Uuid,
    ) -> Result<ReportExecution> {
        tx.report_execution(team_id, id)
            .await?
            .filter(|e| e.report_id == report_id)
            .ok_or_else(|| Error::not_found("report execution"))
    }

    /// `GET /v1/teams/{team_id}/analytics/reports/{report_id}/executions/{execution_id}`.
    pub async fn get_report_execution(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        report_id: Uuid,
        id: Uuid,
    ) -> Result<ReportExecution> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.read_execution(tx.as_mut(), team_id, report_id, id)
            .await
    }

    /// `GET …/executions/{execution_id}/output`: the document of a completed execution (409
    /// while it is pending or when it failed).
    pub async fn report_output(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        report_id: Uuid,
        id: Uuid,
    ) -> Result<ReportOutput> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        let e = self
            .read_execution(tx.as_mut(), team_id, report_id, id)
            .await?;
        if e.status != ReportExecutionStatus::Completed {
            return Err(Error::conflict(format!(
                "the execution is {}; only a completed one has a document",
                e.status.as_str()
            )));
        }
        let bytes = tx
            .report_output(team_id, id)
            .await?
            .ok_or_else(|| Error::internal("a completed execution has no output"))?;
        Ok(ReportOutput {
            content_type: e
                .content_type
                .unwrap_or_else(|| e.format.content_type().into()),
            file_name: e
                .file_name
                .unwrap_or_else(|| format!("report.{}", e.format.extension())),
            bytes,
        })
    }

    /// Writes `report`'s document as its creator sees the team now.
    async fn write_report(&self, report: &Report) -> Result<(ReportOutput, DateTime<Utc>)> {
        let (actor, team) = {
            let mut tx = self.store.read().await?;
            let user = tx
                .user(report.created_by)
                .await?
                .ok_or_else(|| Error::forbidden("the report's creator no longer exists"))?;
            let team = tx
                .team(report.team_id)
                .await?
                .ok_or_else(|| Error::not_found("team"))?;
            (
                Actor {
                    user,
                    credential: Credential::Session,
                },
                team.name,
            )
        };
        let ctx = Ctx {
            actor,
            meta: RequestMeta::default(),
        };
        let now = self.clock.now();
        let scope = SourceScope {
            process_id: report.process_id,
            period_days: report.period_days,
        };
        let mut sections = Vec::new();
        for source in &report.sections {
            sections.push(Section {
                source: *source,
                title: section_title(*source).to_string(),
                data: self
                    .source_data(&ctx, report.team_id, *source, scope)
                    .await?,
            });
        }
        let data = ReportData {
            name: report.name.clone(),
            team,
            generated_at: now,
            from: now - Duration::days(report.period_days),
            to: now,
            sections,
        };
        let bytes = render(&data, report.format)?;
        let stamp = now.format("%Y%m%d-%H%M%S");
        Ok((
            ReportOutput {
                content_type: report.format.content_type().into(),
                file_name: format!(
                    "{}-{stamp}.{}",
                    crate::reports::file_stem(&report.name, "report"),
                    report.format.extension()
                ),
                bytes,
            },
            now,
        ))
    }

    /// Runs a `report` job: writes the document outside any transaction, then records it (and
    /// queues a scheduled report's next run) if this node still holds the job.
    pub(crate) async fn run_report_job(&self, node: &str, job: &Job) -> Result<()> {
        let (report, execution) = {
            let mut tx = self.store.read().await?;
            (
                tx.report(job.team_id, job.process_instance_id).await?,
                tx.report_execution(job.team_id, job.step_execution_id)
                    .await?,
            )
        };
        let (Some(report), Some(mut execution)) = (report, execution) else {
            let mut tx = self.store.begin().await?;
            tx.finish_job(job.id, node, "cancelled").await?;
            return tx.commit().await;
        };
        if execution.status != ReportExecutionStatus::Pending {
            let mut tx = self.store.begin().await?;
            tx.finish_job(job.id, node, "cancelled").await?;
            return tx.commit().await;
        }
        let written = self.write_report(&report).await;
        // The creator or the team gone, or access lost: trying again cannot help.
        let lasting = |e: &Error| {
            matches!(
                e.code(),
                crate::ErrorCode::NotFound | crate::ErrorCode::Forbidden
            )
        };
        if let Err(e) = &written {
            if job.attempts < job.max_attempts && !lasting(e) {
                let backoff = 2i64.pow(job.attempts.clamp(0, 10) as u32) * 15;
                let mut tx = self.store.begin().await?;
                tx.retry_job(
                    job.id,
                    node,
                    self.clock.now() + Duration::seconds(backoff),
                    job.attempts,
                    &e.to_string(),
                )
                .await?;
                return tx.commit().await;
            }
        }
        let stop_schedule = written.as_ref().is_err_and(lasting);
        let mut tx = self.store.begin().await?;
        if !tx.finish_job(job.id, node, "done").await? {
            return Ok(()); // another node took over the lease; its run counts
        }
        let output = match written {
            Ok((output, at)) => {
                execution.status = ReportExecutionStatus::Completed;
                execution.completed_at = Some(at);
                execution.content_type = Some(output.content_type);
                execution.file_name = Some(output.file_name);
                execution.size_bytes = Some(output.bytes.len() as i64);
                Some(output.bytes)
            }
            Err(e) => {
                execution.status = ReportExecutionStatus::Failed;
                execution.completed_at = Some(self.clock.now());
                execution.error = Some(e.to_string());
                None
            }
        };
        tx.finish_report_execution(&execution, output.as_deref())
            .await?;
        if execution.trigger == ReportTrigger::Schedule {
            if let Some(mut current) = tx.report(report.team_id, report.id).await? {
                if stop_schedule {
                    // It would fail the same way every time: the schedule ends here.
                    current.schedule = None;
                }
                let after = execution.scheduled_for.max(self.clock.now());
                self.schedule_next(tx.as_mut(), &mut current, after).await?;
                tx.update_report(&current).await?;
            }
        }
        self.emit(
            tx.as_mut(),
            &Driver::Runtime,
            report.team_id,
            "report.executed",
            ("report", report.id),
            json!({"execution_id": execution.id, "status": execution.status,
                   "size_bytes": execution.size_bytes, "error": execution.error}),
        )
        .await?;
        tx.commit().await
    }
}
