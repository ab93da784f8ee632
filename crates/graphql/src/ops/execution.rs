//! Process instances, their steps and exceptions, and tasks.

use async_graphql::dynamic::{InputObject, InputValue, TypeRef};
use orgata_core::model::{
    ExecuteStep, InstanceFilter, InstanceStatus, TaskFilter, TaskStatus, TaskType,
};
use orgata_core::services::{InstanceCommand, StepCommand};
use orgata_core::Error;

use super::Arg::*;
use super::Ret::*;
use super::{one, page, Answer, Root};
use crate::call::{gql_error, Call};
use crate::r;

/// The filters of `processInstances`.
fn instance_filters() -> InputObject {
    InputObject::new("ProcessInstanceFilters")
        .description("Filters of the instance list; all optional.")
        .field(InputValue::new("status", TypeRef::named("InstanceStatus")))
        .field(InputValue::new("processId", TypeRef::named(TypeRef::ID)))
        .field(InputValue::new(
            "businessKey",
            TypeRef::named(TypeRef::STRING),
        ))
}

/// The filters of `tasks`.
fn task_filters() -> InputObject {
    InputObject::new("TaskFilters")
        .description("Filters of the task list; all optional.")
        .field(InputValue::new("status", TypeRef::named("TaskStatus")))
        .field(InputValue::new("assignedTo", TypeRef::named(TypeRef::ID)))
        .field(
            InputValue::new("assignedToMe", TypeRef::named(TypeRef::BOOLEAN))
                .description("Only the caller's tasks."),
        )
        .field(InputValue::new(
            "processInstanceId",
            TypeRef::named(TypeRef::ID),
        ))
        .field(
            InputValue::new("role", TypeRef::named(TypeRef::ID)).description("A business role id."),
        )
        .field(InputValue::new("type", TypeRef::named("TaskType")))
        .field(
            InputValue::new("openOnly", TypeRef::named(TypeRef::BOOLEAN))
                .description("Only tasks still to be done (open, in progress, escalated)."),
        )
}

async fn instance_command(c: Call<'_>, command: InstanceCommand) -> Answer {
    let (s, ctx) = c.caller()?;
    let (team, id) = (c.id("teamId")?, c.id("instanceId")?);
    one(s
        .instance_command(&ctx, team, id, command, c.input("input")?)
        .await)
}

async fn step_command(
    c: Call<'_>,
    make: fn(&Call<'_>) -> async_graphql::Result<StepCommand>,
) -> Answer {
    let (s, ctx) = c.caller()?;
    let id = c.id("instanceId")?;
    let team = c.team_of_instance(id).await?;
    let step = c.required_text("stepId")?;
    one(s.step_command(&ctx, team, id, &step, make(&c)?).await)
}

pub fn fields(root: &mut Root) {
    root.input(instance_filters());
    root.input(task_filters());
    root.query(
        "processInstances",
        Page("ProcessInstance"),
        &[Id("teamId"), Named("filters", "ProcessInstanceFilters")],
        "The team's process instances, newest first.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let f = c.filter("filters")?;
            let filter = InstanceFilter {
                status: f.text("status").and_then(|v| InstanceStatus::parse(&v)),
                process_id: f.id("processId")?,
                business_key: f.text("businessKey"),
                ids: Vec::new(),
            };
            page(s.list_instances(&ctx, c.id("teamId")?, filter, c.page()?).await)
        }),
    );
    root.query(
        "processInstance",
        One("ProcessInstance"),
        &[Id("teamId"), Id("instanceId")],
        "One instance with its step executions.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_instance(&ctx, c.id("teamId")?, c.id("instanceId")?).await)
        }),
    );
    root.mutation("startProcessInstance", One("ProcessInstance"), &[Id("teamId"), Id("processId"), OptInput("input", "StartInstance")],
        "Start an instance of a playbook (from `main` unless `input.ref` names a branch or commit).", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.start_instance(&ctx, c.id("teamId")?, c.id("processId")?, c.input("input")?).await)
    }));
    root.mutation(
        "pauseProcessInstance",
        One("ProcessInstance"),
        &[Id("teamId"), Id("instanceId"), OptInput("input", "Reason")],
        "Pause a running instance.",
        r!(c => { instance_command(c, InstanceCommand::Pause).await }),
    );
    root.mutation(
        "resumeProcessInstance",
        One("ProcessInstance"),
        &[Id("teamId"), Id("instanceId"), OptInput("input", "Reason")],
        "Resume a paused instance.",
        r!(c => { instance_command(c, InstanceCommand::Resume).await }),
    );
    root.mutation(
        "cancelProcessInstance",
        One("ProcessInstance"),
        &[Id("teamId"), Id("instanceId"), OptInput("input", "Reason")],
        "Cancel an instance; its open tasks are cancelled.",
        r!(c => { instance_command(c, InstanceCommand::Cancel).await }),
    );
    root.mutation("executeStep", One("StepExecution"), &[Id("instanceId"), Text("stepId"), OptInput("input", "ExecuteStep"), OptId("teamId")],
        "Complete a ready step with its output (the step's form is checked); answers the \
         step's execution. `teamId` may be left out: the instance's team is found.", r!(c => {
        let (s, ctx) = c.caller()?;
        let id = c.id("instanceId")?;
        let team = c.team_of_instance(id).await?;
        let step = c.required_text("stepId")?;
        let instance = s
            .step_command(&ctx, team, id, &step, StepCommand::Execute(c.input::<ExecuteStep>("input")?))
            .await
            .map_err(gql_error)?;
        let execution = instance
            .step_executions
            .into_iter()
            .filter(|e| e.step_id == step)
            .max_by_key(|e| e.iteration)
            .ok_or_else(|| gql_error(Error::not_found("step execution")));
        one(Ok(execution?))
    }));
    root.mutation(
        "skipStep",
        One("ProcessInstance"),
        &[
            Id("instanceId"),
            Text("stepId"),
            Input("input", "SkipStep"),
            OptId("teamId"),
        ],
        "Skip a step with a reason (admins).",
        r!(c => {
            step_command(c, |c| Ok(StepCommand::Skip(c.input("input")?))).await
        }),
    );
    root.mutation(
        "overrideStep",
        One("ProcessInstance"),
        &[
            Id("instanceId"),
            Text("stepId"),
            Input("input", "OverrideStep"),
            OptId("teamId"),
        ],
        "Complete a step with a given output, bypassing its form (admins).",
        r!(c => {
            step_command(c, |c| Ok(StepCommand::Override(c.input("input")?))).await
        }),
    );
    root.mutation(
        "retryStep",
        One("ProcessInstance"),
        &[
            Id("instanceId"),
            Text("stepId"),
            OptInput("input", "Reason"),
            OptId("teamId"),
        ],
        "Run a failed step again.",
        r!(c => {
            step_command(c, |c| Ok(StepCommand::Retry(c.input("input")?))).await
        }),
    );

    root.query(
        "exceptions",
        Page("ProcessException"),
        &[Id("teamId"), Id("instanceId")],
        "An instance's exceptions.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_exceptions(&ctx, c.id("teamId")?, c.id("instanceId")?, c.page()?).await)
        }),
    );
    root.mutation("raiseException", One("ProcessException"), &[Id("teamId"), Id("instanceId"), Input("input", "RaiseException")],
        "Raise an exception on an instance.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.raise_exception(&ctx, c.id("teamId")?, c.id("instanceId")?, c.input("input")?).await)
    }));
    root.mutation("handleException", One("ProcessException"), &[Id("teamId"), Id("instanceId"), Id("exceptionId"), Input("input", "HandleException")],
        "Handle an exception: retry, skip, escalate, cancel or resolve.", r!(c => {
        let (s, ctx) = c.caller()?;
        one(s.handle_exception(&ctx, c.id("teamId")?, c.id("instanceId")?, c.id("exceptionId")?, c.input("input")?).await)
    }));

    root.query(
        "tasks",
        Page("Task"),
        &[Id("teamId"), Named("filters", "TaskFilters")],
        "The team's tasks, newest first.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            let f = c.filter("filters")?;
            let assigned_to = match f.flag("assignedToMe") {
                true => Some(ctx.actor.user.id),
                false => f.id("assignedTo")?,
            };
            let filter = TaskFilter {
                status: f.text("status").and_then(|v| TaskStatus::parse(&v)),
                assigned_to,
                process_instance_id: f.id("processInstanceId")?,
                role: f.id("role")?,
                kind: f.text("type").and_then(|v| TaskType::parse(&v)),
                open_only: f.flag("openOnly"),
                ..TaskFilter::default()
            };
            page(s.list_tasks(&ctx, c.id("teamId")?, filter, c.page()?).await)
        }),
    );
    root.query(
        "task",
        One("Task"),
        &[Id("teamId"), Id("taskId")],
        "One task.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.get_task(&ctx, c.id("teamId")?, c.id("taskId")?).await)
        }),
    );
    root.mutation(
        "createTask",
        One("Task"),
        &[Id("teamId"), Input("input", "NewTask")],
        "Create a standalone task.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.create_task(&ctx, c.id("teamId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "updateTask",
        One("Task"),
        &[Id("teamId"), Id("taskId"), Input("input", "TaskUpdate")],
        "Change a task's title, description, priority, due date or assignee.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.update_task(&ctx, c.id("teamId")?, c.id("taskId")?, c.input("input")?).await)
        }),
    );
    root.mutation(
        "claimTask",
        One("Task"),
        &[Id("teamId"), Id("taskId")],
        "Claim a task: it becomes yours and in progress.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.claim_task(&ctx, c.id("teamId")?, c.id("taskId")?).await)
        }),
    );
    root.mutation(
        "completeTask",
        One("Task"),
        &[
            Id("teamId"),
            Id("taskId"),
            OptInput("input", "CompleteTask"),
        ],
        "Complete a task with its output (a step's task: checked against the step's form).",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.complete_task(&ctx, c.id("teamId")?, c.id("taskId")?, c.input("input")?).await)
        }),
    );
    root.query(
        "taskComments",
        Page("TaskComment"),
        &[Id("teamId"), Id("taskId")],
        "A task's comments, oldest first.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            page(s.list_task_comments(&ctx, c.id("teamId")?, c.id("taskId")?, c.page()?).await)
        }),
    );
    root.mutation(
        "commentTask",
        One("TaskComment"),
        &[Id("teamId"), Id("taskId"), Input("input", "NewComment")],
        "Comment on a task.",
        r!(c => {
            let (s, ctx) = c.caller()?;
            one(s.comment_task(&ctx, c.id("teamId")?, c.id("taskId")?, c.input("input")?).await)
        }),
    );
}
