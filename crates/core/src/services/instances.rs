//! Process instances: start, read, and drive them with commands. Each command locks the
//! instance, runs the engine's state machine and writes the new state with every effect
//! (events, tasks, jobs, exceptions) in one transaction.

use serde_json::{json, Value};
use uuid::Uuid;

use super::definitions::PinnedDefinition;
use super::{Ctx, Services, TeamAccess};
use crate::access::{AccessRole, Permission};
use crate::engine::forms::Form;
use crate::engine::machine::{Definition, Effect, Run};
use crate::error::{Error, Result};
use crate::model::*;
use crate::page::{Page, PageRequest};
use crate::store::Tx;

/// Who drives a run: a person (with their access) or the runtime.
pub(crate) enum Driver<'a> {
    Person(&'a Ctx),
    Runtime,
}

impl Driver<'_> {
    fn user_id(&self) -> Option<Uuid> {
        match self {
            Driver::Person(ctx) => Some(ctx.actor.user.id),
            Driver::Runtime => None,
        }
    }
}

/// A step command from a door.
#[derive(Debug, Clone)]
pub enum StepCommand {
    Execute(ExecuteStep),
    Skip(SkipStep),
    Override(OverrideStep),
    Retry(Reason),
}

/// An instance command from a door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceCommand {
    Pause,
    Resume,
    Cancel,
}

impl Services {
    /// `POST /v1/teams/{team_id}/processes/{process_id}/instances`.
    pub async fn start_instance(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        playbook_id: Uuid,
        input: StartInstance,
    ) -> Result<ProcessInstance> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Work)
            .await?;
        let r = self
            .resolve_ref(tx.as_mut(), team_id, input.reference.as_deref())
            .await?;
        // Pinned to the commit the ref points at now: the playbook as it is, with the forms and
        // rules of that moment (a rule saved after the playbook's last edit applies). Read
        // once, through the cache every later command uses.
        let version = match (&r.commit, r.tree.playbooks.contains_key(&playbook_id)) {
            (Some(commit), true) => commit.clone(),
            _ => return Err(Error::not_found("playbook")),
        };
        let pinned = self
            .pinned_definition(tx.as_mut(), team_id, playbook_id, &version)
            .await?;
        if !pinned.body.status.startable() {
            return Err(Error::invalid(
                "/process_id",
                "not_startable",
                format!(
                    "the playbook is {}; only draft and active playbooks start",
                    serde_json::to_value(pinned.body.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            ));
        }
        let variables = input.variables.unwrap_or_else(|| json!({}));
        if !variables.is_object() {
            return Err(Error::invalid("/variables", "type", "must be an object"));
        }
        if let Some(schema) = &pinned.body.variables_schema {
            let form = Form::compile(schema).map_err(Error::internal)?;
            let errors = form.check(&variables, "/variables");
            if !errors.is_empty() {
                return Err(Error::Validation(errors));
            }
        }
        if let Some(key) = &input.business_key {
            if key.trim().is_empty() || key.chars().count() > 200 {
                return Err(Error::invalid(
                    "/business_key",
                    "invalid",
                    "must have 1 to 200 characters",
                ));
            }
            if tx.business_key_live(team_id, playbook_id, key).await? {
                return Err(Error::conflict(
                    "a running instance of this playbook has this business key",
                ));
            }
        }
        let name = match input.name {
            Some(n) if !n.trim().is_empty() => {
                if n.chars().count() > 200 {
                    return Err(Error::invalid(
                        "/name",
                        "too_long",
                        "at most 200 characters",
                    ));
                }
                n
            }
            _ => pinned.body.name.clone(),
        };
        let started_from = input
            .reference
            .clone()
            .unwrap_or_else(|| super::definitions::MAIN.to_string());
        let now = self.clock.now();
        let instance = ProcessInstance {
            id: new_id(),
            team_id,
            playbook_id,
            playbook_version: version,
            name,
            status: InstanceStatus::NotStarted,
            business_key: input.business_key,
            current_step_id: None,
            initiated_by: ctx.actor.user.id,
            variables,
            reason: None,
            start_time: None,
            end_time: None,
            created_at: now,
            updated_at: now,
            started_from: started_from.clone(),
            trial: started_from != super::definitions::MAIN,
            step_executions: Vec::new(),
        };
        tx.insert_instance(&instance, &pinned.hash)
            .await
            .map_err(|e| match e.code() {
                crate::ErrorCode::Conflict => {
                    Error::conflict("a running instance of this playbook has this business key")
                }
                _ => e,
            })?;
        let instance = self
            .drive(
                tx.as_mut(),
                &Driver::Person(ctx),
                &access,
                &pinned,
                instance,
                |run| run.start(),
            )
            .await?;
        tx.commit().await?;
        Ok(instance)
    }

    /// `GET /v1/teams/{team_id}/process-instances`.
    pub async fn list_instances(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        filter: InstanceFilter,
        page: PageRequest,
    ) -> Result<Page<ProcessInstance>> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        tx.list_instances(team_id, &filter, page).await
    }

    /// `GET /v1/teams/{team_id}/process-instances/{instance_id}`, with its step executions.
    pub async fn get_instance(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
    ) -> Result<ProcessInstance> {
        let mut tx = self.store.read().await?;
        self.team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Read)
            .await?;
        Ok(tx
            .instance(team_id, id, false)
            .await?
            .ok_or_else(|| Error::not_found("process instance"))?
            .0)
    }

    /// `POST …/process-instances/{instance_id}/pause|resume|cancel`.
    pub async fn instance_command(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        command: InstanceCommand,
        input: Reason,
    ) -> Result<ProcessInstance> {
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, Permission::Edit)
            .await?;
        let reason = input.reason.as_deref();
        let instance = self
            .with_instance(
                tx.as_mut(),
                &Driver::Person(ctx),
                &access,
                id,
                |run| match command {
                    InstanceCommand::Pause => run.pause(reason),
                    InstanceCommand::Resume => run.resume(reason),
                    InstanceCommand::Cancel => run.cancel(reason),
                },
            )
            .await?;
        tx.commit().await?;
        Ok(instance)
    }

    /// `POST …/process-instances/{instance_id}/steps/{step_id}/execute|skip|override|retry`.
    pub async fn step_command(
        &self,
        ctx: &Ctx,
        team_id: Uuid,
        id: Uuid,
        step_id: &str,
        command: StepCommand,
    ) -> Result<ProcessInstance> {
        let needed = match command {
            StepCommand::Execute(_) => Permission::Work,
            _ => Permission::Edit,
        };
        let mut tx = self.store.begin().await?;
        let access = self
            .team_access(tx.as_mut(), &ctx.actor, team_id, needed)
            .await?;
        match &command {
            StepCommand::Execute(_) => {
                self.check_may_execute(tx.as_mut(), ctx, &access, id, step_id)
                    .await?
            }
            StepCommand::Skip(SkipStep { reason })
            | StepCommand::Override(OverrideStep { reason, .. }) => {
                let mut v = crate::error::Violations::new();
                crate::validate::text(&mut v, "/reason", reason, 1, 2000);
                v.finish()?;
            }
            StepCommand::Retry(_) => {}
        }
        let instance = self
            .with_instance(
                tx.as_mut(),
                &Driver::Person(ctx),
                &access,
                id,
                |run| match command {
                    StepCommand::Execute(input) => {
                        run.execute(step_id, input.output.unwrap_or_else(|| json!({})))
                    }
                    StepCommand::Skip(input) => run.skip(step_id, input.reason.trim()),
                    StepCommand::Override(input) => {
                        run.override_output(step_id, input.output, input.reason.trim())
                    }
                    StepCommand::Retry(input) => run.retry(step_id, input.reason.as_deref()),
                },
            )
            .await?;
        tx.commit().await?;
        Ok(instance)
    }

    /// Members execute only steps whose task they may work; editors and above any step.
    async fn check_may_execute(
        &self,
        tx: &mut dyn Tx,
        ctx: &Ctx,
        access: &TeamAccess,
        instance_id: Uuid,
        step_id: &str,
    ) -> Result<()> {
        if access.role >= AccessRole::Editor {
            return Ok(());
        }
        let Some((instance, _)) = tx.instance(access.team.id, instance_id, false).await? else {
            return Ok(());
        };
        let Some(exec) = instance
            .step_executions
            .iter()
            .filter(|e| e.step_id == step_id)
            .max_by_key(|e| e.iteration)
        else {
            return Ok(());
        };
        let tasks = tx.execution_tasks(access.team.id, exec.id).await?;
        let member = tx
            .member(access.team.id, ctx.actor.user.id)
            .await?
            .ok_or_else(|| Error::not_found("team"))?;
        let work = tasks
            .iter()
            .filter(|t| t.kind.is_step_work() && t.status.is_open())
            .collect::<Vec<_>>();
        if work.is_empty()
            || work
                .iter()
                .any(|t| may_work(t, ctx.actor.user.id, &member.roles))
        {
            Ok(())
        } else {
            Err(Error::forbidden(
                "this step's task is assigned to someone else or to a role you do not hold",
            ))
        }
    }

    /// Locks an instance, loads its pinned definition and applies `command` to it.
    pub(crate) async fn with_instance(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        access: &TeamAccess,
        id: Uuid,
        command: impl FnOnce(&mut Run<'_>) -> Result<()>,
    ) -> Result<ProcessInstance> {
        let team_id = access.team.id;
        let (instance, _) = tx
            .instance(team_id, id, true)
            .await?
            .ok_or_else(|| Error::not_found("process instance"))?;
        let pinned = self
            .pinned_definition(
                tx,
                team_id,
                instance.playbook_id,
                &instance.playbook_version,
            )
            .await?;
        self.drive(tx, driver, access, &pinned, instance, command)
            .await
    }

    /// Runs `command` on the instance and writes what changed.
    async fn drive(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        access: &TeamAccess,
        pinned: &PinnedDefinition,
        instance: ProcessInstance,
        command: impl FnOnce(&mut Run<'_>) -> Result<()>,
    ) -> Result<ProcessInstance> {
        let before = instance.clone();
        let def = Definition {
            body: &pinned.body,
            forms: &pinned.forms,
            rules: &pinned.rules,
            settings: &access.team.settings,
        };
        let now = self.clock.now();
        let mut run = Run::new(def, instance, driver.user_id(), now);
        command(&mut run)?;
        let Run {
            mut instance,
            effects,
            ..
        } = run;
        instance.updated_at = now;
        if instance != before {
            tx.update_instance(&instance).await?;
        }
        for exec in &instance.step_executions {
            if !before.step_executions.contains(exec) {
                tx.put_execution(instance.team_id, exec).await?;
            }
        }
        for effect in effects {
            self.apply(tx, driver, access, pinned, &mut instance, effect, now)
                .await?;
        }
        Ok(instance)
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        access: &TeamAccess,
        pinned: &PinnedDefinition,
        instance: &mut ProcessInstance,
        effect: Effect,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let team_id = instance.team_id;
        let exec_of = |instance: &ProcessInstance, id: Uuid| {
            instance
                .step_executions
                .iter()
                .find(|e| e.id == id)
                .cloned()
                .ok_or_else(|| Error::internal("effect on an unknown execution"))
        };
        match effect {
            Effect::Event(kind, entity, id, data) => {
                self.emit(tx, driver, team_id, kind, (entity, id), data)
                    .await?;
            }
            Effect::OpenTask { execution_id } => {
                let exec = exec_of(instance, execution_id)?;
                let step = pinned
                    .body
                    .steps
                    .iter()
                    .find(|s| s.id == exec.step_id)
                    .ok_or_else(|| Error::internal("task for an unknown step"))?;
                let kind = if step.form.is_some() || step.form_document_id.is_some() {
                    TaskType::DataEntry
                } else {
                    TaskType::Manual
                };
                let task = Task {
                    id: new_id(),
                    team_id,
                    process_instance_id: Some(instance.id),
                    step_execution_id: Some(exec.id),
                    step_id: Some(step.id.clone()),
                    title: step.name.clone(),
                    description: step.description.clone(),
                    kind,
                    priority: TaskPriority::Medium,
                    status: TaskStatus::Open,
                    assigned_to: None,
                    assigned_role: step.assigned_role,
                    assigned_by: None,
                    due_date: exec.due_at,
                    tags: vec![format!(
                        "step_type:{}",
                        serde_json::to_value(step.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    )],
                    context: json!({
                        "instance_name": instance.name,
                        "step_type": step.kind,
                        "inputs": exec.input_data,
                        "form": pinned.forms.get(&step.id),
                        "agent_config": step.agent_config,
                    }),
                    output: None,
                    completed_by: None,
                    completed_at: None,
                    created_at: now,
                    updated_at: now,
                };
                tx.insert_task(&task).await?;
                self.emit(
                    tx,
                    driver,
                    team_id,
                    "task.created",
                    ("task", task.id),
                    json!({"process_instance_id": instance.id, "step_id": step.id, "assigned_role": task.assigned_role}),
                )
                .await?;
            }
            Effect::CompleteTasks { execution_id } => {
                let exec = exec_of(instance, execution_id)?;
                let is_work = |t: &Task| t.kind.is_step_work();
                self.complete_open_tasks(
                    tx,
                    driver,
                    (team_id, execution_id),
                    is_work,
                    exec.output_data,
                    now,
                )
                .await?;
            }
            Effect::RequestApproval {
                execution_id,
                rule,
                approver_role,
            } => {
                let exec = exec_of(instance, execution_id)?;
                self.open_approval(
                    tx,
                    driver,
                    pinned,
                    instance,
                    &exec,
                    (rule, approver_role),
                    now,
                )
                .await?;
            }
            Effect::CloseApproval {
                execution_id,
                decision,
            } => {
                let is_approval = |t: &Task| t.kind == TaskType::Approval;
                self.complete_open_tasks(
                    tx,
                    driver,
                    (team_id, execution_id),
                    is_approval,
                    Some(decision),
                    now,
                )
                .await?;
            }
            Effect::CancelTasks { execution_id } => {
                for mut task in tx.execution_tasks(team_id, execution_id).await? {
                    if !task.status.is_open() {
                        continue;
                    }
                    task.status = TaskStatus::Cancelled;
                    task.updated_at = now;
                    tx.update_task(&task).await?;
                    self.emit(
                        tx,
                        driver,
                        team_id,
                        "task.cancelled",
                        ("task", task.id),
                        json!({"step_id": task.step_id}),
                    )
                    .await?;
                }
            }
            Effect::ScheduleJob {
                execution_id,
                kind,
                run_at,
                max_attempts,
            } => {
                tx.insert_job(&Job {
                    id: new_id(),
                    team_id,
                    process_instance_id: instance.id,
                    step_execution_id: execution_id,
                    kind: kind.to_string(),
                    run_at,
                    attempts: 0,
                    max_attempts,
                    last_error: None,
                })
                .await?;
            }
            Effect::CancelJobs { execution_id } => tx.cancel_jobs(execution_id).await?,
            Effect::IssueCallback { execution_id } => {
                let token = crate::auth::opaque::generate("ocb");
                tx.set_callback(execution_id, &crate::auth::opaque::digest(&token))
                    .await?;
                if let Some(exec) = instance
                    .step_executions
                    .iter_mut()
                    .find(|e| e.id == execution_id)
                {
                    exec.input_data["callback_url"] =
                        Value::String(format!("/v1/callbacks/{token}"));
                    tx.put_execution(team_id, exec).await?;
                }
            }
            Effect::RaiseException {
                execution_id,
                step_id,
                kind,
                severity,
                message,
                context,
            } => {
                let exception = ProcessException {
                    id: new_id(),
                    team_id,
                    process_instance_id: instance.id,
                    step_execution_id: execution_id,
                    step_id,
                    kind,
                    severity,
                    message,
                    context,
                    handled: false,
                    resolution_strategy: None,
                    resolution: None,
                    resolved_by: None,
                    resolved_at: None,
                    created_at: now,
                };
                tx.insert_exception(&exception).await?;
                self.emit(
                    tx,
                    driver,
                    team_id,
                    "exception.raised",
                    ("exception", exception.id),
                    json!({"process_instance_id": instance.id, "step_id": exception.step_id, "type": kind}),
                )
                .await?;
                if kind == ExceptionType::Timeout {
                    if let Some(exec_id) = execution_id {
                        self.open_escalation(tx, driver, access, pinned, instance, exec_id, now)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Opens an `escalation` task on a step whose SLA passed, for the role its step's role
    /// reports to (or the role an escalation rule names).
    #[allow(clippy::too_many_arguments)]
    async fn open_escalation(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        access: &TeamAccess,
        pinned: &PinnedDefinition,
        instance: &ProcessInstance,
        execution_id: Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let team_id = access.team.id;
        let Some(exec) = instance
            .step_executions
            .iter()
            .find(|e| e.id == execution_id)
        else {
            return Ok(());
        };
        let step = pinned.body.steps.iter().find(|s| s.id == exec.step_id);
        let step_role = step.and_then(|s| s.assigned_role);
        let mut target = None;
        let mut priority = TaskPriority::High;
        for rule in pinned
            .rules
            .iter()
            .filter(|r| r.category == RuleCategory::Escalation)
        {
            let in_scope = rule.conditions.step_ids.is_empty()
                || rule.conditions.step_ids.contains(&exec.step_id);
            let steps = json!({});
            let holds = crate::engine::expr::Expression::compile(&rule.conditions.expression)
                .and_then(|e| {
                    e.evaluate_bool(crate::engine::expr::Scope {
                        variables: &instance.variables,
                        steps: &steps,
                        output: None,
                    })
                })
                .unwrap_or(false);
            if in_scope && holds {
                target = rule.actions.escalate_to_role;
                priority = rule.actions.priority.unwrap_or(priority);
                break;
            }
        }
        if target.is_none() {
            if let Some(role) = step_role {
                target = tx.role(team_id, role).await?.and_then(|r| r.reports_to);
            }
        }
        let name = step.map(|s| s.name.clone()).unwrap_or_default();
        self.open_step_task(
            tx,
            driver,
            instance,
            exec,
            StepTask {
                kind: TaskType::Escalation,
                title: format!("Overdue: {name}"),
                description: format!(
                    "Step \"{name}\" of {} was due at {} and is not done. Decide what happens next.",
                    instance.name,
                    exec.due_at.map(|d| d.to_rfc3339()).unwrap_or_default()
                ),
                priority,
                role: target.or(step_role),
                context: json!({"escalated_role": target, "step_role": step_role, "due_at": exec.due_at}),
            },
            now,
        )
        .await
    }

    /// Opens the approval task of an execution held by approval rule `rule`: for the rule's
    /// approver role, else the superior of the step's role, else the step's role.
    #[allow(clippy::too_many_arguments)]
    async fn open_approval(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        pinned: &PinnedDefinition,
        instance: &ProcessInstance,
        exec: &StepExecution,
        (rule, approver_role): (String, Option<Uuid>),
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let team_id = instance.team_id;
        let step = pinned.body.steps.iter().find(|s| s.id == exec.step_id);
        let step_role = step.and_then(|s| s.assigned_role);
        let superior = match step_role {
            Some(role) => tx.role(team_id, role).await?.and_then(|r| r.reports_to),
            None => None,
        };
        let name = step.map(|s| s.name.clone()).unwrap_or_default();
        self.open_step_task(
            tx,
            driver,
            instance,
            exec,
            StepTask {
                kind: TaskType::Approval,
                title: format!("Approve: {name}"),
                description: format!(
                    "Business rule \"{rule}\" asks for an approval of this output of \"{name}\" in {}. Complete with approved: true, or false and a comment.",
                    instance.name
                ),
                priority: TaskPriority::High,
                role: approver_role.or(superior).or(step_role),
                context: json!({
                    "rule": rule,
                    "output": exec.output_data,
                    "submitted_by": exec.completed_by,
                    "form": {"type": "object", "required": ["approved"], "properties": {
                        "approved": {"type": "boolean"}, "comment": {"type": "string"}}},
                }),
            },
            now,
        )
        .await
    }

    /// Completes the open tasks of an execution that `which` selects, with `output`.
    async fn complete_open_tasks(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        (team_id, execution_id): (Uuid, Uuid),
        which: impl Fn(&Task) -> bool,
        output: Option<Value>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        for mut task in tx.execution_tasks(team_id, execution_id).await? {
            if !which(&task) || !task.status.is_open() {
                continue;
            }
            task.status = TaskStatus::Completed;
            task.output = output.clone();
            task.completed_by = driver.user_id();
            task.completed_at = Some(now);
            task.updated_at = now;
            tx.update_task(&task).await?;
            self.emit(
                tx,
                driver,
                team_id,
                "task.completed",
                ("task", task.id),
                json!({"step_id": task.step_id, "type": task.kind.as_str()}),
            )
            .await?;
        }
        Ok(())
    }

    /// Opens a task about a step execution that is not its work (an escalation, an approval).
    async fn open_step_task(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        instance: &ProcessInstance,
        exec: &StepExecution,
        about: StepTask,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let task = Task {
            id: new_id(),
            team_id: instance.team_id,
            process_instance_id: Some(instance.id),
            step_execution_id: Some(exec.id),
            step_id: Some(exec.step_id.clone()),
            title: about.title,
            description: about.description,
            kind: about.kind,
            priority: about.priority,
            status: TaskStatus::Open,
            assigned_to: None,
            assigned_role: about.role,
            assigned_by: None,
            due_date: None,
            tags: vec![about.kind.as_str().to_string()],
            context: about.context,
            output: None,
            completed_by: None,
            completed_at: None,
            created_at: now,
            updated_at: now,
        };
        tx.insert_task(&task).await?;
        self.emit(
            tx,
            driver,
            instance.team_id,
            "task.created",
            ("task", task.id),
            json!({"process_instance_id": instance.id, "step_id": exec.step_id, "type": about.kind.as_str(), "assigned_role": task.assigned_role}),
        )
        .await
    }

    /// Appends an event by the driver (a person, or the runtime as `system`).
    pub(crate) async fn emit(
        &self,
        tx: &mut dyn Tx,
        driver: &Driver<'_>,
        team_id: Uuid,
        kind: &str,
        entity: (&str, Uuid),
        data: Value,
    ) -> Result<()> {
        let event = match driver {
            Driver::Person(ctx) => ctx.team_event(team_id, kind, entity, data),
            Driver::Runtime => super::event(
                team_id,
                Some(team_id),
                kind,
                EventActor {
                    id: None,
                    kind: ActorType::System,
                },
                entity,
                data,
                &Default::default(),
            ),
        };
        tx.append_event(event).await.map(|_| ())
    }
}

/// What a task about a step (not its work) says and whom it is for.
struct StepTask {
    kind: TaskType,
    title: String,
    description: String,
    priority: TaskPriority,
    role: Option<Uuid>,
    context: Value,
}

/// Whether a user may claim or complete a task: it is theirs, their role's, or nobody's.
pub(crate) fn may_work(task: &Task, user_id: Uuid, roles: &[Uuid]) -> bool {
    match (task.assigned_to, task.assigned_role) {
        (Some(user), _) => user == user_id,
        (None, Some(role)) => roles.contains(&role),
        (None, None) => true,
    }
}
