//! Tasks: the work of human and agent steps, plus standalone tasks. Completing a step's task
//! executes the step (one state, not two).

use serde_json::json;
use uuid::Uuid;

use super::instances::{may_work, Driver};
use super::{Ctx, Services, TeamAccess};
use crate::access::{AccessRole, Permission};
use crate::error::{Error, Result, Violations};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;

impl Services {
    async fn member_roles(
        &self,
        tx: &mut dyn Tx,
        team_id: Uuid,
        user_id: Uuid,
    ) -> Result<Vec<Uuid>> {
        Ok(tx
            .member(team_id, user_id)
            .await?
            .map(|m| m.roles)
            .unwrap_or_default())
    }

    async fn load_task(&self, tx: &mut dyn Tx, team_id: Uuid, id: Uuid) -> Result<Task> {
        tx.task(team_id, id)
            .await?
            .ok_or_else(|| Error::not_found("task"))
    }

    /// Members work tasks that are theirs, their role's or nobody's; editors and above any.
    async fn check_may_work(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        access: &TeamAccess,
        task: &Task,
    ) -> Result<()> {
        if access.role >= AccessRole::Editor {
            return Ok(());
        }
        let roles = self
            .member_roles(tx, access.team.id, ctx.actor.user.id)
            .await?;
        if may_work(task, ctx.actor.user.id, &roles) {
            Ok(())
        } else {
            Err(Error::forbidden(
                "this task is assigned to someone else or to a role you do not hold",
            ))
        }
    }

    /// `GET /v1/teams/{team_id}/tasks`.
    pub async fn list_tasks(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        filter: TaskFilter,
        page: PageRequest,
    ) -> Result<Page<Task>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_tasks(team_id, &filter, page).await
    }

    /// `GET /v1/teams/{team_id}/tasks/{task_id}`.
    pub async fn get_task(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<Task> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.load_task(tx.as_mut(), team_id, id).await
    }

    /// `POST /v1/teams/{team_id}/tasks`: a standalone task.
    pub async fn create_task(&self, ctx: &Ctx, team_id: Uuid, input: NewTask) -> Result<Task> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let mut v = Violations::new();
        crate::validate::text(&mut v, "/title", &input.title, 1, 200);
        if input.description.chars().count() > 4000 {
            v.add("/description", "too_long", "at most 4000 characters");
        }
        for (i, tag) in input.tags.iter().enumerate() {
            crate::validate::text(&mut v, &format!("/tags/{i}"), tag, 1, 100);
        }
        v.finish()?;
        if let Some(user) = input.assigned_to {
            if tx.member(team_id, user).await?.is_none() {
                return Err(Error::unknown_reference(
                    "/assigned_to",
                    "must be a member of this team",
                ));
            }
        }
        let now = self.clock.now();
        let task = Task {
            id: new_id(),
            team_id,
            process_instance_id: None,
            step_execution_id: None,
            step_id: None,
            title: input.title.trim().to_string(),
            description: input.description,
            kind: input.kind,
            priority: input.priority,
            status: TaskStatus::Open,
            assigned_to: input.assigned_to,
            assigned_role: None,
            assigned_by: input.assigned_to.map(|_| ctx.actor.user.id),
            due_date: input.due_date,
            tags: input.tags,
            context: json!({}),
            output: None,
            completed_by: None,
            completed_at: None,
            created_at: now,
            updated_at: now,
        };
        tx.insert_task(&task).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "task.created",
            ("task", task.id),
            json!({"assigned_to": task.assigned_to}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// `PUT /v1/teams/{team_id}/tasks/{task_id}`.
    pub async fn update_task(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: TaskUpdate,
    ) -> Result<Task> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let mut task = self.load_task(tx.as_mut(), team_id, id).await?;
        self.check_may_work(tx.as_mut(), ctx, &access, &task)
            .await?;
        if !task.status.is_open() {
            return Err(Error::conflict(format!(
                "the task is {}",
                task.status.as_str()
            )));
        }
        let mut v = Violations::new();
        if let Some(title) = &input.title {
            crate::validate::text(&mut v, "/title", title, 1, 200);
        }
        if input
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 4000)
        {
            v.add("/description", "too_long", "at most 4000 characters");
        }
        v.finish()?;
        let reassigned = input.assigned_to.is_some() && input.assigned_to != task.assigned_to;
        if let Some(user) = input.assigned_to {
            if tx.member(team_id, user).await?.is_none() {
                return Err(Error::unknown_reference(
                    "/assigned_to",
                    "must be a member of this team",
                ));
            }
            task.assigned_to = Some(user);
            task.assigned_by = Some(ctx.actor.user.id);
        }
        if let Some(title) = input.title {
            task.title = title.trim().to_string();
        }
        if let Some(d) = input.description {
            task.description = d;
        }
        if let Some(p) = input.priority {
            task.priority = p;
        }
        if let Some(d) = input.due_date {
            task.due_date = Some(d);
        }
        task.updated_at = self.clock.now();
        tx.update_task(&task).await?;
        let kind = if reassigned {
            "task.assigned"
        } else {
            "task.updated"
        };
        tx.append_event(ctx.team_event(
            team_id,
            kind,
            ("task", task.id),
            json!({"assigned_to": task.assigned_to}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// `POST /v1/teams/{team_id}/tasks/{task_id}/claim`.
    pub async fn claim_task(&self, ctx: &Ctx, team_id: Uuid, id: Uuid) -> Result<Task> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let mut task = self.load_task(tx.as_mut(), team_id, id).await?;
        if !task.status.is_open() {
            return Err(Error::conflict(format!(
                "the task is {}",
                task.status.as_str()
            )));
        }
        match task.assigned_to {
            Some(user) if user == ctx.actor.user.id => {}
            Some(_) => return Err(Error::conflict("someone else has this task")),
            None => {
                self.check_may_work(tx.as_mut(), ctx, &access, &task)
                    .await?;
            }
        }
        task.assigned_to = Some(ctx.actor.user.id);
        task.assigned_by = Some(ctx.actor.user.id);
        task.status = TaskStatus::InProgress;
        task.updated_at = self.clock.now();
        tx.update_task(&task).await?;
        // Work on the step starts with the first claim of its work task (analytics' waiting
        // and work times); an escalation or approval is not that work.
        if let Some(execution) = task.step_execution_id.filter(|_| task.kind.is_step_work()) {
            tx.mark_work_started(execution, task.updated_at).await?;
        }
        tx.append_event(ctx.team_event(
            team_id,
            "task.assigned",
            ("task", task.id),
            json!({"assigned_to": task.assigned_to, "claimed": true}),
        ))
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// `POST /v1/teams/{team_id}/tasks/{task_id}/complete`: a step's work task executes the
    /// step; an approval task decides on the held output; an escalation task records the
    /// handling of the breach.
    pub async fn complete_task(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        input: CompleteTask,
    ) -> Result<Task> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let task = self.load_task(tx.as_mut(), team_id, id).await?;
        self.check_may_work(tx.as_mut(), ctx, &access, &task)
            .await?;
        if !task.status.is_open() {
            return Err(Error::conflict(format!(
                "the task is {}",
                task.status.as_str()
            )));
        }
        let output = input.output.unwrap_or_else(|| json!({}));
        match (task.process_instance_id, &task.step_id, task.kind) {
            (Some(instance_id), Some(step_id), kind) if kind != TaskType::Escalation => {
                let step_id = step_id.clone();
                self.with_instance(
                    tx.as_mut(),
                    &Driver::Person(ctx),
                    &access,
                    instance_id,
                    |run| match kind {
                        TaskType::Approval => run.decide(&step_id, output),
                        _ => run.execute(&step_id, output),
                    },
                )
                .await?;
            }
            _ => {
                let mut done = task.clone();
                done.status = TaskStatus::Completed;
                done.output = Some(output.clone());
                done.completed_by = Some(ctx.actor.user.id);
                done.completed_at = Some(self.clock.now());
                done.updated_at = self.clock.now();
                tx.update_task(&done).await?;
                tx.append_event(ctx.team_event(
                    team_id,
                    "task.completed",
                    ("task", task.id),
                    json!({"type": task.kind}),
                ))
                .await?;
                if task.kind == TaskType::Escalation {
                    self.record_escalation_handled(tx.as_mut(), ctx, &task, output)
                        .await?;
                }
            }
        }
        let task = self.load_task(tx.as_mut(), team_id, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    /// `GET /v1/teams/{team_id}/tasks/{task_id}/comments`.
    pub async fn list_task_comments(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        task_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<TaskComment>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        self.load_task(tx.as_mut(), team_id, task_id).await?;
        tx.list_comments(team_id, task_id, page).await
    }

    /// `POST /v1/teams/{team_id}/tasks/{task_id}/comments`.
    pub async fn comment_task(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        task_id: Uuid,
        input: NewComment,
    ) -> Result<TaskComment> {
        let mut tx = self.store.begin().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        self.load_task(tx.as_mut(), team_id, task_id).await?;
        let mut v = Violations::new();
        crate::validate::text(&mut v, "/body", &input.body, 1, 10000);
        v.finish()?;
        let comment = TaskComment {
            id: new_id(),
            task_id,
            author_id: ctx.actor.user.id,
            body: input.body,
            created_at: self.clock.now(),
        };
        tx.insert_comment(team_id, &comment).await?;
        tx.append_event(ctx.team_event(
            team_id,
            "task.commented",
            ("task", task_id),
            json!({"comment_id": comment.id}),
        ))
        .await?;
        tx.commit().await?;
        Ok(comment)
    }
}
