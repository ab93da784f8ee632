//! Process exceptions: raised by failures, timeouts, rule violations or by hand; handled with
//! a strategy, each handling recorded.

use serde_json::json;
use uuid::Uuid;

use super::instances::Driver;
use super::{Ctx, Services};
use crate::access::Permission;
use crate::error::{Error, Result};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;

impl Services {
    /// `GET …/process-instances/{instance_id}/exceptions`.
    pub async fn list_exceptions(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        instance_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<ProcessException>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.instance(team_id, instance_id, false)
            .await?
            .ok_or_else(|| Error::not_found("process instance"))?;
        tx.list_exceptions(team_id, instance_id, page).await
    }

    /// `POST …/process-instances/{instance_id}/exceptions`: raise one by hand.
    pub async fn raise_exception(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        instance_id: Uuid,
        input: RaiseException,
    ) -> Result<ProcessException> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let (instance, _) = tx
            .instance(team_id, instance_id, true)
            .await?
            .ok_or_else(|| Error::not_found("process instance"))?;
        let mut v = crate::error::Violations::new();
        crate::validate::text(&mut v, "/message", &input.message, 1, 2000);
        v.finish()?;
        let execution_id = match &input.step_id {
            Some(step_id) => Some(
                instance
                    .step_executions
                    .iter()
                    .filter(|e| &e.step_id == step_id)
                    .max_by_key(|e| e.iteration)
                    .map(|e| e.id)
                    .ok_or_else(|| {
                        Error::unknown_reference("/step_id", "must be a step of this instance")
                    })?,
            ),
            None => None,
        };
        let exception = ProcessException {
            id: new_id(),
            team_id,
            process_instance_id: instance_id,
            step_execution_id: execution_id,
            step_id: input.step_id,
            kind: input.kind,
            severity: input.severity,
            message: input.message.trim().to_string(),
            context: input.context.unwrap_or_else(|| json!({})),
            handled: false,
            resolution_strategy: None,
            resolution: None,
            resolved_by: None,
            resolved_at: None,
            created_at: self.clock.now(),
        };
        tx.insert_exception(&exception).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "exception.raised",
            ("exception", exception.id),
            json!({"process_instance_id": instance_id, "step_id": exception.step_id, "type": exception.kind}),
        ))
        .await?;
        tx.commit().await?;
        Ok(exception)
    }

    /// `POST …/exceptions/{exception_id}/handle`.
    pub async fn handle_exception(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        instance_id: Uuid,
        exception_id: Uuid,
        input: HandleException,
    ) -> Result<ProcessException> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let mut exception = tx
            .exception(team_id, exception_id)
            .await?
            .filter(|x| x.process_instance_id == instance_id)
            .ok_or_else(|| Error::not_found("exception"))?;
        if exception.handled {
            return Err(Error::conflict("the exception is handled already"));
        }
        let reason = input.reason.trim().to_string();
        if reason.is_empty() {
            return Err(Error::invalid("/reason", "required", "say why"));
        }
        let step_id = exception.step_id.clone();
        let need_step = || {
            step_id.clone().ok_or_else(|| {
                Error::invalid(
                    "/strategy",
                    "no_step",
                    "this exception is not about a step; use cancel, or handle the step itself",
                )
            })
        };
        let driver = Driver::Person(ctx);
        match input.strategy {
            Strategy::Retry => {
                let s = need_step()?;
                self.with_instance(tx.as_mut(), &driver, &access, instance_id, |run| {
                    run.retry(&s, Some(&reason))
                })
                .await?;
            }
            Strategy::Skip => {
                let s = need_step()?;
                self.with_instance(tx.as_mut(), &driver, &access, instance_id, |run| {
                    run.skip(&s, &reason)
                })
                .await?;
            }
            Strategy::Override => {
                let s = need_step()?;
                let output = input.output.clone().ok_or_else(|| {
                    Error::invalid("/output", "required", "an override needs the output")
                })?;
                self.with_instance(tx.as_mut(), &driver, &access, instance_id, |run| {
                    run.override_output(&s, output, &reason)
                })
                .await?;
            }
            Strategy::Cancel => {
                self.with_instance(tx.as_mut(), &driver, &access, instance_id, |run| {
                    run.cancel(Some(&reason))
                })
                .await?;
            }
            Strategy::Reassign => {
                let assignee = input.assignee.ok_or_else(|| {
                    Error::invalid("/assignee", "required", "reassign needs an assignee")
                })?;
                if tx.member(team_id, assignee).await?.is_none() {
                    return Err(Error::unknown_reference(
                        "/assignee",
                        "must be a member of this team",
                    ));
                }
                self.reassign_step_tasks(tx.as_mut(), ctx, &exception, assignee)
                    .await?;
            }
            Strategy::Escalated => {
                return Err(Error::invalid(
                    "/strategy",
                    "invalid",
                    "must be retry, skip, override, reassign or cancel",
                ))
            }
        }
        exception.handled = true;
        exception.resolution_strategy = Some(input.strategy);
        exception.resolution =
            Some(json!({"reason": reason, "output": input.output, "assignee": input.assignee}));
        exception.resolved_by = Some(ctx.actor.user.id);
        exception.resolved_at = Some(self.clock.now());
        tx.update_exception(&exception).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "exception.handled",
            ("exception", exception.id),
            json!({"process_instance_id": instance_id, "strategy": input.strategy}),
        ))
        .await?;
        tx.commit().await?;
        Ok(exception)
    }

    async fn reassign_step_tasks(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        exception: &ProcessException,
        assignee: Uuid,
    ) -> Result<()> {
        let Some(exec) = exception.step_execution_id else {
            return Err(Error::invalid(
                "/strategy",
                "no_step",
                "this exception is not about a step",
            ));
        };
        let mut moved = 0;
        for mut task in tx.execution_tasks(exception.team_id, exec).await? {
            if !task.kind.is_step_work() || !task.status.is_open() {
                continue;
            }
            task.assigned_to = Some(assignee);
            task.assigned_by = Some(ctx.actor.user.id);
            task.status = TaskStatus::Open;
            task.updated_at = self.clock.now();
            tx.update_task(&task).await?;
            tx.append_event(ctx.team_event(
                exception.team_id,
                "task.assigned",
                ("task", task.id),
                json!({"assigned_to": assignee}),
            ))
            .await?;
            moved += 1;
        }
        if moved == 0 {
            return Err(Error::conflict("the step has no open task to reassign"));
        }
        Ok(())
    }

    /// Completing an escalation task handles the breach's open `timeout` exception.
    pub(crate) async fn record_escalation_handled(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        task: &Task,
        output: serde_json::Value,
    ) -> Result<()> {
        let (Some(instance_id), Some(exec)) = (task.process_instance_id, task.step_execution_id)
        else {
            return Ok(());
        };
        let open = tx
            .list_exceptions(task.team_id, instance_id, PageRequest::window(0, 200))
            .await?;
        for mut x in open.items {
            if x.handled || x.kind != ExceptionType::Timeout || x.step_execution_id != Some(exec) {
                continue;
            }
            x.handled = true;
            x.resolution_strategy = Some(Strategy::Escalated);
            x.resolution = Some(json!({"escalation_task_id": task.id, "output": output}));
            x.resolved_by = Some(ctx.actor.user.id);
            x.resolved_at = Some(self.clock.now());
            tx.update_exception(&x).await?;
            tx.append_event(ctx.team_event(
                task.team_id,
                "exception.handled",
                ("exception", x.id),
                json!({"process_instance_id": instance_id, "strategy": "escalated"}),
            ))
            .await?;
        }
        Ok(())
    }
}
