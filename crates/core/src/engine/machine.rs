//! The engine's state machine: `(definition, instance, command) -> (instance', effects)`.
//! Pure: it reads nothing and writes nothing; the service persists the changed instance and
//! carries out the effects (events, tasks, jobs, exceptions) in the same transaction.
//!
//! After every command the instance is *settled*: each pending step whose dependencies have
//! all finished becomes ready (or is skipped when its condition does not hold), `set_variables`
//! steps run at once, and when every step has finished the instance completes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::automation::Automation;
use super::due::due_at;
use super::expr::{Expression, Scope};
use super::forms::Form;
use crate::error::{Error, FieldError, Result};
use crate::model::{
    new_id, BusinessRuleBody, ExceptionType, InstanceStatus, PlaybookBody, PlaybookStep,
    ProcessInstance, RuleCategory, Severity, StepExecution, StepStatus, StepType, TeamSettings,
};

/// What the machine needs to know besides the instance.
#[derive(Debug, Clone, Copy)]
pub struct Definition<'a> {
    /// The pinned playbook (normalized: explicit dependencies).
    pub body: &'a PlaybookBody,
    /// Each step's form, with documents already resolved.
    pub forms: &'a HashMap<String, Value>,
    /// Active business rules of the team that apply to this playbook, highest priority first
    /// (validation rules check outputs; approval rules hold them for an approver).
    pub rules: &'a [BusinessRuleBody],
    /// For SLAs in working time.
    pub settings: &'a TeamSettings,
}

/// Something the service must do because of a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append an event: `kind`, entity `(type, id)`, data.
    Event(&'static str, &'static str, Uuid, Value),
    /// Open the task of a human or agent step's execution.
    OpenTask { execution_id: Uuid },
    /// Complete the open work task of an execution (its step was executed).
    CompleteTasks { execution_id: Uuid },
    /// Cancel every open task of an execution.
    CancelTasks { execution_id: Uuid },
    /// Queue a job for an execution: `webhook`, `wait` or `sla`.
    ScheduleJob {
        execution_id: Uuid,
        kind: &'static str,
        run_at: DateTime<Utc>,
        max_attempts: i32,
    },
    /// Cancel every queued job of an execution.
    CancelJobs { execution_id: Uuid },
    /// Give an execution a single-use callback token.
    IssueCallback { execution_id: Uuid },
    /// Open an approval task for an execution whose output an approval rule holds.
    RequestApproval {
        execution_id: Uuid,
        rule: String,
        approver_role: Option<Uuid>,
    },
    /// Complete the open approval task of an execution with the decision.
    CloseApproval { execution_id: Uuid, decision: Value },
    /// Raise an exception.
    RaiseException {
        execution_id: Option<Uuid>,
        step_id: Option<String>,
        kind: ExceptionType,
        severity: Severity,
        message: String,
        context: Value,
    },
}

/// An instance being driven by commands.
#[derive(Debug)]
pub struct Run<'a> {
    pub def: Definition<'a>,
    pub instance: ProcessInstance,
    pub effects: Vec<Effect>,
    pub actor: Option<Uuid>,
    pub now: DateTime<Utc>,
}

fn conflict(message: impl Into<String>) -> Error {
    Error::conflict(message)
}

/// Whether a rule applies to a step (rules without step ids apply to every step).
fn in_scope(rule: &BusinessRuleBody, step_id: &str) -> bool {
    rule.conditions.step_ids.is_empty() || rule.conditions.step_ids.iter().any(|s| s == step_id)
}

impl<'a> Run<'a> {
    /// A run of `instance` under `def`, by `actor` (none for the runtime itself) at `now`.
    pub fn new(
        def: Definition<'a>,
        instance: ProcessInstance,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            def,
            instance,
            effects: Vec::new(),
            actor,
            now,
        }
    }

    fn event(&mut self, kind: &'static str, entity: &'static str, id: Uuid, data: Value) {
        self.effects.push(Effect::Event(kind, entity, id, data));
    }

    fn step_def(&self, step_id: &str) -> Result<&'a PlaybookStep> {
        self.def
            .body
            .steps
            .iter()
            .find(|s| s.id == step_id)
            .ok_or_else(|| Error::not_found("step"))
    }

    /// Index of the latest execution of a step.
    fn latest(&self, step_id: &str) -> Option<usize> {
        self.instance
            .step_executions
            .iter()
            .enumerate()
            .filter(|(_, e)| e.step_id == step_id)
            .max_by_key(|(_, e)| e.iteration)
            .map(|(i, _)| i)
    }

    fn latest_required(&self, step_id: &str) -> Result<usize> {
        self.step_def(step_id)?;
        self.latest(step_id)
            .ok_or_else(|| Error::not_found("step execution"))
    }

    /// `steps` as expressions see it: step id → `{status, output}` of its latest execution.
    pub fn steps_scope(&self) -> Value {
        let mut map = Map::new();
        for step in &self.def.body.steps {
            if let Some(i) = self.latest(&step.id) {
                let e = &self.instance.step_executions[i];
                map.insert(
                    step.id.clone(),
                    json!({"status": e.status.as_str(), "output": e.output_data.clone().unwrap_or(Value::Null)}),
                );
            }
        }
        Value::Object(map)
    }

    fn require_active(&self) -> Result<()> {
        match self.instance.status {
            InstanceStatus::Running => Ok(()),
            InstanceStatus::Paused => Err(conflict("the instance is paused; resume it first")),
            other => Err(conflict(format!("the instance is {}", other.as_str()))),
        }
    }

    fn new_execution(&self, step_id: &str, iteration: i64) -> StepExecution {
        StepExecution {
            id: new_id(),
            process_instance_id: self.instance.id,
            step_id: step_id.to_string(),
            iteration,
            status: StepStatus::Pending,
            assigned_to: None,
            input_data: Value::Object(Map::new()),
            output_data: None,
            reason: None,
            completed_by: None,
            start_time: None,
            end_time: None,
            due_at: None,
            created_at: self.now,
            updated_at: self.now,
        }
    }

    /// Starts the instance: one pending execution per step, then settles.
    pub fn start(&mut self) -> Result<()> {
        if self.instance.status != InstanceStatus::NotStarted {
            return Err(conflict("the instance has started already"));
        }
        self.instance.status = InstanceStatus::Running;
        self.instance.start_time = Some(self.now);
        let execs: Vec<_> = self
            .def
            .body
            .steps
            .iter()
            .map(|s| self.new_execution(&s.id, 1))
            .collect();
        self.instance.step_executions = execs;
        let id = self.instance.id;
        self.event(
            "process_instance.started",
            "process_instance",
            id,
            json!({
                "playbook_id": self.instance.playbook_id,
                "playbook_version": self.instance.playbook_version,
                "started_from": self.instance.started_from,
                "trial": self.instance.trial,
            }),
        );
        self.settle();
        Ok(())
    }

    /// Checks an output against the step's form, its validation rules and the team's
    /// validation rules; every problem is named.
    pub fn check_output(&self, step: &PlaybookStep, output: &Value) -> Result<()> {
        let mut errors: Vec<FieldError> = Vec::new();
        if let Some(form) = self.def.forms.get(&step.id) {
            match Form::compile(form) {
                Ok(form) => errors.extend(form.check(output, "/output")),
                Err(e) => return Err(Error::internal(e)),
            }
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let steps = self.steps_scope();
        let scope = Scope {
            variables: &self.instance.variables,
            steps: &steps,
            output: Some(output),
        };
        let rules = step
            .validation_rules
            .iter()
            .map(|r| (r.expression.as_str(), r.message.clone()))
            .chain(
                self.def
                    .rules
                    .iter()
                    .filter(|r| r.category == RuleCategory::Validation && in_scope(r, &step.id))
                    .map(|r| {
                        (
                            r.conditions.expression.as_str(),
                            r.actions.message.clone().unwrap_or_else(|| {
                                format!("business rule {:?} is not met", r.name)
                            }),
                        )
                    }),
            );
        for (source, message) in rules {
            let holds = Expression::compile(source).and_then(|e| e.evaluate_bool(scope));
            match holds {
                Ok(true) => {}
                Ok(false) => errors.push(FieldError::new("/output", "validation_rule", message)),
                Err(e) => errors.push(FieldError::new(
                    "/output",
                    "validation_rule",
                    format!("{message} (the rule could not be evaluated: {e})"),
                )),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(errors))
        }
    }

    /// Completes a running step with `output` (checked first; nothing changes when invalid).
    pub fn execute(&mut self, step_id: &str, output: Value) -> Result<()> {
        self.require_active()?;
        let i = self.latest_required(step_id)?;
        let status = self.instance.step_executions[i].status;
        if status != StepStatus::Running {
            return Err(conflict(format!(
                "step {step_id} is {}, not running",
                status.as_str()
            )));
        }
        let step = self.step_def(step_id)?;
        self.check_output(step, &output)?;
        let execution_id = self.instance.step_executions[i].id;
        if let Some(rule) = self.approval_rule(step, &output) {
            let e = &mut self.instance.step_executions[i];
            e.status = StepStatus::AwaitingApproval;
            e.output_data = Some(output);
            e.completed_by = self.actor;
            e.updated_at = self.now;
            self.effects.push(Effect::CompleteTasks { execution_id });
            self.effects.push(Effect::RequestApproval {
                execution_id,
                rule: rule.name.clone(),
                approver_role: rule.actions.approver_role,
            });
            let id = self.instance.id;
            self.event(
                "step.approval_requested",
                "step",
                execution_id,
                json!({"step_id": step_id, "process_instance_id": id, "rule": rule.name}),
            );
            self.update_current();
            return Ok(());
        }
        self.finish(i, StepStatus::Completed, Some(output), None);
        self.effects.push(Effect::CompleteTasks { execution_id });
        self.settle();
        Ok(())
    }

    /// The first approval rule in scope whose expression holds over `output` (a rule that
    /// cannot be evaluated holds: when in doubt, a person looks).
    fn approval_rule(&self, step: &PlaybookStep, output: &Value) -> Option<&'a BusinessRuleBody> {
        let steps = self.steps_scope();
        let scope = Scope {
            variables: &self.instance.variables,
            steps: &steps,
            output: Some(output),
        };
        let rules: &'a [BusinessRuleBody] = self.def.rules;
        rules.iter().find(|r| {
            r.category == RuleCategory::Approval
                && in_scope(r, &step.id)
                && Expression::compile(&r.conditions.expression)
                    .and_then(|e| e.evaluate_bool(scope))
                    .unwrap_or(true)
        })
    }

    /// An approver's decision on a step awaiting approval: `{approved, comment?}`. Approved,
    /// the held output completes the step; rejected, the execution fails with the comment and
    /// a new iteration of the step opens for rework.
    pub fn decide(&mut self, step_id: &str, decision: Value) -> Result<()> {
        self.require_active()?;
        let i = self.latest_required(step_id)?;
        let status = self.instance.step_executions[i].status;
        if status != StepStatus::AwaitingApproval {
            return Err(conflict(format!(
                "step {step_id} is {}, not awaiting approval",
                status.as_str()
            )));
        }
        let approved = decision.get("approved").and_then(Value::as_bool);
        let comment = decision.get("comment");
        let mut errors = Vec::new();
        if approved.is_none() {
            errors.push(FieldError::new(
                "/output/approved",
                "required",
                "the decision needs approved: true or false",
            ));
        }
        if comment.is_some_and(|c| !c.is_string() && !c.is_null()) {
            errors.push(FieldError::new(
                "/output/comment",
                "type",
                "must be a string",
            ));
        }
        let comment = comment.and_then(Value::as_str).map(str::to_string);
        if approved == Some(false) && comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
            errors.push(FieldError::new(
                "/output/comment",
                "required",
                "a rejection says why",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let approved = approved.unwrap_or(false);
        let e = &self.instance.step_executions[i];
        let (execution_id, iteration, output) = (e.id, e.iteration, e.output_data.clone());
        self.effects.push(Effect::CloseApproval {
            execution_id,
            decision: json!({"approved": approved, "comment": comment}),
        });
        let id = self.instance.id;
        self.event(
            "step.approval_decided",
            "step",
            execution_id,
            json!({"step_id": step_id, "process_instance_id": id, "approved": approved}),
        );
        if approved {
            let by = self.instance.step_executions[i].completed_by;
            self.finish(i, StepStatus::Completed, output, None);
            self.instance.step_executions[i].completed_by = by;
        } else {
            let reason = format!("rejected: {}", comment.unwrap_or_default());
            self.finish(i, StepStatus::Failed, output, Some(reason.clone()));
            let mut next = self.new_execution(step_id, iteration + 1);
            next.reason = Some(reason);
            self.instance.step_executions.push(next);
        }
        self.settle();
        Ok(())
    }

    /// Completes a running step from the runtime (a job or a callback), with `output`.
    pub fn complete_by_runtime(&mut self, execution_id: Uuid, output: Value) -> Result<()> {
        let i = self.execution_index(execution_id)?;
        if self.instance.step_executions[i].status != StepStatus::Running {
            return Err(conflict("the step is not running"));
        }
        self.require_active()?;
        let step = self.step_def(&self.instance.step_executions[i].step_id.clone())?;
        if let Err(e) = self.check_output(step, &output) {
            let message = e.public_message();
            let details = e.public_details();
            self.fail(
                execution_id,
                ExceptionType::ValidationFailure,
                format!("the step's output is not valid: {message}"),
                json!({"details": details, "output": output}),
            )?;
            return Ok(());
        }
        self.finish(i, StepStatus::Completed, Some(output), None);
        self.settle();
        Ok(())
    }

    fn execution_index(&self, execution_id: Uuid) -> Result<usize> {
        self.instance
            .step_executions
            .iter()
            .position(|e| e.id == execution_id)
            .ok_or_else(|| Error::not_found("step execution"))
    }

    fn finish(
        &mut self,
        i: usize,
        status: StepStatus,
        output: Option<Value>,
        reason: Option<String>,
    ) {
        let now = self.now;
        let actor = self.actor;
        let e = &mut self.instance.step_executions[i];
        e.status = status;
        e.output_data = output;
        e.reason = reason;
        e.completed_by = actor;
        e.start_time.get_or_insert(now);
        e.end_time = Some(now);
        e.updated_at = now;
        let (id, step_id, reason) = (e.id, e.step_id.clone(), e.reason.clone());
        self.effects.push(Effect::CancelJobs { execution_id: id });
        let kind = match status {
            StepStatus::Completed => "step.completed",
            StepStatus::Skipped => "step.skipped",
            StepStatus::Overridden => "step.overridden",
            _ => "step.failed",
        };
        self.event(
            kind,
            "step",
            id,
            json!({"step_id": step_id, "process_instance_id": self.instance.id, "reason": reason}),
        );
    }

    /// Skips a step that has not finished (its open tasks are cancelled).
    pub fn skip(&mut self, step_id: &str, reason: &str) -> Result<()> {
        self.require_active()?;
        let i = self.latest_required(step_id)?;
        let e = &self.instance.step_executions[i];
        if e.status.is_finished() {
            return Err(conflict(format!(
                "step {step_id} is {} already",
                e.status.as_str()
            )));
        }
        let id = e.id;
        self.finish(i, StepStatus::Skipped, None, Some(reason.to_string()));
        self.effects.push(Effect::CancelTasks { execution_id: id });
        self.settle();
        Ok(())
    }

    /// Finishes a step with an output given by authority, recorded as an override.
    pub fn override_output(&mut self, step_id: &str, output: Value, reason: &str) -> Result<()> {
        self.require_active()?;
        let i = self.latest_required(step_id)?;
        let e = &self.instance.step_executions[i];
        if e.status.is_finished() {
            return Err(conflict(format!(
                "step {step_id} is {} already",
                e.status.as_str()
            )));
        }
        let id = e.id;
        self.finish(
            i,
            StepStatus::Overridden,
            Some(output),
            Some(reason.to_string()),
        );
        self.effects.push(Effect::CancelTasks { execution_id: id });
        self.settle();
        Ok(())
    }

    /// Runs a failed (or running) step again as a new execution; the old one stays in the
    /// history as failed.
    pub fn retry(&mut self, step_id: &str, reason: Option<&str>) -> Result<()> {
        self.require_active()?;
        let i = self.latest_required(step_id)?;
        let e = &self.instance.step_executions[i];
        if !matches!(e.status, StepStatus::Failed | StepStatus::Running) {
            return Err(conflict(format!(
                "step {step_id} is {}; only a failed or running step can be retried",
                e.status.as_str()
            )));
        }
        let old = e.id;
        let iteration = e.iteration + 1;
        if e.status == StepStatus::Running {
            self.finish(i, StepStatus::Failed, None, reason.map(str::to_string));
        }
        self.effects.push(Effect::CancelTasks { execution_id: old });
        self.effects.push(Effect::CancelJobs { execution_id: old });
        let mut next = self.new_execution(step_id, iteration);
        next.reason = reason.map(str::to_string);
        let new_id = next.id;
        self.instance.step_executions.push(next);
        self.event(
            "step.retried",
            "step",
            new_id,
            json!({"step_id": step_id, "process_instance_id": self.instance.id, "iteration": iteration, "previous_execution_id": old}),
        );
        self.settle();
        Ok(())
    }

    /// Marks a running step failed and raises an exception on it.
    pub fn fail(
        &mut self,
        execution_id: Uuid,
        kind: ExceptionType,
        message: String,
        context: Value,
    ) -> Result<()> {
        let i = self.execution_index(execution_id)?;
        if self.instance.step_executions[i].status != StepStatus::Running {
            return Err(conflict("the step is not running"));
        }
        if self.instance.status.is_final() {
            return Err(conflict(format!(
                "the instance is {}",
                self.instance.status.as_str()
            )));
        }
        let step_id = self.instance.step_executions[i].step_id.clone();
        self.finish(i, StepStatus::Failed, None, Some(message.clone()));
        self.effects.push(Effect::CancelTasks { execution_id });
        self.effects.push(Effect::RaiseException {
            execution_id: Some(execution_id),
            step_id: Some(step_id),
            kind,
            severity: Severity::Error,
            message,
            context,
        });
        self.update_current();
        Ok(())
    }

    /// Raises a `timeout` exception on a running step whose SLA has passed; false when the
    /// step has moved on.
    pub fn breach(&mut self, execution_id: Uuid) -> Result<bool> {
        let i = self.execution_index(execution_id)?;
        let e = &self.instance.step_executions[i];
        if e.status != StepStatus::Running || self.instance.status.is_final() {
            return Ok(false);
        }
        let (step_id, due) = (e.step_id.clone(), e.due_at);
        self.effects.push(Effect::RaiseException {
            execution_id: Some(execution_id),
            step_id: Some(step_id.clone()),
            kind: ExceptionType::Timeout,
            severity: Severity::Error,
            message: format!(
                "step {step_id} was due at {} and is not done",
                due.map(|d| d.to_rfc3339()).unwrap_or_default()
            ),
            context: json!({"due_at": due}),
        });
        self.event(
            "step.sla_breached",
            "step",
            execution_id,
            json!({"step_id": step_id, "process_instance_id": self.instance.id, "due_at": due}),
        );
        Ok(true)
    }

    /// Pauses a running instance.
    pub fn pause(&mut self, reason: Option<&str>) -> Result<()> {
        if self.instance.status != InstanceStatus::Running {
            return Err(conflict(format!(
                "only a running instance can be paused; it is {}",
                self.instance.status.as_str()
            )));
        }
        self.instance.status = InstanceStatus::Paused;
        self.instance.reason = reason.map(str::to_string);
        let id = self.instance.id;
        self.event(
            "process_instance.paused",
            "process_instance",
            id,
            json!({"reason": reason}),
        );
        Ok(())
    }

    /// Resumes a paused instance.
    pub fn resume(&mut self, reason: Option<&str>) -> Result<()> {
        if self.instance.status != InstanceStatus::Paused {
            return Err(conflict(format!(
                "only a paused instance can be resumed; it is {}",
                self.instance.status.as_str()
            )));
        }
        self.instance.status = InstanceStatus::Running;
        self.instance.reason = reason.map(str::to_string);
        let id = self.instance.id;
        self.event(
            "process_instance.resumed",
            "process_instance",
            id,
            json!({"reason": reason}),
        );
        self.settle();
        Ok(())
    }

    /// Cancels the instance: open tasks are cancelled, jobs dropped.
    pub fn cancel(&mut self, reason: Option<&str>) -> Result<()> {
        if self.instance.status.is_final() {
            return Err(conflict(format!(
                "the instance is {} already",
                self.instance.status.as_str()
            )));
        }
        self.instance.status = InstanceStatus::Cancelled;
        self.instance.reason = reason.map(str::to_string);
        self.instance.end_time = Some(self.now);
        self.instance.current_step_id = None;
        let running: Vec<Uuid> = self
            .instance
            .step_executions
            .iter()
            .filter(|e| matches!(e.status, StepStatus::Running | StepStatus::AwaitingApproval))
            .map(|e| e.id)
            .collect();
        for id in running {
            self.effects.push(Effect::CancelTasks { execution_id: id });
            self.effects.push(Effect::CancelJobs { execution_id: id });
        }
        let id = self.instance.id;
        self.event(
            "process_instance.cancelled",
            "process_instance",
            id,
            json!({"reason": reason}),
        );
        Ok(())
    }

    /// Makes ready every step whose dependencies have finished, until nothing changes; then
    /// completes the instance when every step has finished.
    fn settle(&mut self) {
        if self.instance.status != InstanceStatus::Running {
            return;
        }
        let body = self.def.body;
        loop {
            let mut changed = false;
            for step in &body.steps {
                let Some(i) = self.latest(&step.id) else {
                    continue;
                };
                if self.instance.step_executions[i].status != StepStatus::Pending {
                    continue;
                }
                let deps = step.dependencies.as_deref().unwrap_or_default();
                let ready = deps.iter().all(|d| {
                    self.latest(d)
                        .is_some_and(|j| self.instance.step_executions[j].status.is_finished())
                });
                if ready {
                    self.activate(step, i);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.update_current();
        let all_done = body.steps.iter().all(|s| {
            self.latest(&s.id)
                .is_none_or(|i| self.instance.step_executions[i].status.is_finished())
        });
        if all_done {
            self.instance.status = InstanceStatus::Completed;
            self.instance.end_time = Some(self.now);
            self.instance.current_step_id = None;
            let id = self.instance.id;
            self.event(
                "process_instance.completed",
                "process_instance",
                id,
                json!({}),
            );
        }
    }

    fn update_current(&mut self) {
        self.instance.current_step_id = self.def.body.steps.iter().find_map(|s| {
            self.latest(&s.id)
                .filter(|&i| {
                    matches!(
                        self.instance.step_executions[i].status,
                        StepStatus::Running | StepStatus::AwaitingApproval
                    )
                })
                .map(|_| s.id.clone())
        });
    }

    fn raise_on(&mut self, i: usize, kind: ExceptionType, message: String) {
        let id = self.instance.step_executions[i].id;
        self.instance.step_executions[i].status = StepStatus::Running;
        let _ = self.fail(id, kind, message, json!({}));
    }

    /// A step whose dependencies have finished: skip it, run it, or open its work.
    fn activate(&mut self, step: &PlaybookStep, i: usize) {
        let steps = self.steps_scope();
        let scope = Scope {
            variables: &self.instance.variables,
            steps: &steps,
            output: None,
        };
        if let Some(condition) = &step.condition {
            match Expression::compile(condition).and_then(|e| e.evaluate_bool(scope)) {
                Ok(true) => {}
                Ok(false) => {
                    self.finish(
                        i,
                        StepStatus::Skipped,
                        None,
                        Some(format!("condition not met: {condition}")),
                    );
                    return;
                }
                Err(e) => {
                    self.raise_on(
                        i,
                        ExceptionType::BusinessRuleViolation,
                        format!("the condition could not be evaluated: {e}"),
                    );
                    return;
                }
            }
        }
        let mut inputs = Map::new();
        for input in &step.inputs {
            match Expression::compile(&input.expression).and_then(|e| e.evaluate(scope)) {
                Ok(value) => {
                    inputs.insert(input.name.clone(), value);
                }
                Err(e) => {
                    self.raise_on(
                        i,
                        ExceptionType::ValidationFailure,
                        format!("input {} could not be computed: {e}", input.name),
                    );
                    return;
                }
            }
        }
        let due = step
            .due
            .as_ref()
            .map(|sla| due_at(self.now, sla, self.def.settings));
        let now = self.now;
        let e = &mut self.instance.step_executions[i];
        e.status = StepStatus::Running;
        e.input_data = Value::Object(inputs);
        e.start_time = Some(now);
        e.updated_at = now;
        let id = e.id;
        match due {
            Some(Ok(at)) => {
                e.due_at = Some(at);
                self.effects.push(Effect::ScheduleJob {
                    execution_id: id,
                    kind: "sla",
                    run_at: at,
                    max_attempts: 1,
                });
            }
            Some(Err(message)) => {
                self.raise_on(
                    i,
                    ExceptionType::ValidationFailure,
                    format!("the due time could not be computed: {message}"),
                );
                return;
            }
            None => {}
        }
        self.event(
            "step.ready",
            "step",
            id,
            json!({"step_id": step.id, "process_instance_id": self.instance.id, "type": step.kind}),
        );
        match step.kind {
            StepType::Human | StepType::Agent => {
                self.effects.push(Effect::OpenTask { execution_id: id })
            }
            StepType::Algorithm => self.start_automation(step, i),
        }
    }

    fn start_automation(&mut self, step: &PlaybookStep, i: usize) {
        let id = self.instance.step_executions[i].id;
        let automation = match step.automation_config.as_ref().map(Automation::parse) {
            Some(Ok(a)) => a,
            Some(Err(e)) => return self.raise_on(i, ExceptionType::ValidationFailure, e),
            None => {
                return self.raise_on(
                    i,
                    ExceptionType::ValidationFailure,
                    "no automation_config".into(),
                )
            }
        };
        match automation {
            Automation::SetVariables { variables } => {
                let steps = self.steps_scope();
                let mut set = Map::new();
                for (name, source) in &variables {
                    let scope = Scope {
                        variables: &self.instance.variables,
                        steps: &steps,
                        output: None,
                    };
                    match Expression::compile(source).and_then(|e| e.evaluate(scope)) {
                        Ok(value) => {
                            set.insert(name.clone(), value);
                        }
                        Err(e) => {
                            return self.raise_on(
                                i,
                                ExceptionType::ValidationFailure,
                                format!("variable {name} could not be computed: {e}"),
                            );
                        }
                    }
                }
                self.set_variables(&set);
                self.finish(i, StepStatus::Completed, Some(Value::Object(set)), None);
            }
            Automation::Webhook { max_attempts, .. } => self.effects.push(Effect::ScheduleJob {
                execution_id: id,
                kind: "webhook",
                run_at: self.now,
                max_attempts: max_attempts as i32,
            }),
            Automation::Wait { duration } => match due_at(self.now, &duration, self.def.settings) {
                Ok(at) => self.effects.push(Effect::ScheduleJob {
                    execution_id: id,
                    kind: "wait",
                    run_at: at,
                    max_attempts: 1,
                }),
                Err(e) => self.raise_on(i, ExceptionType::ValidationFailure, e),
            },
            Automation::WaitForCallback {} => self
                .effects
                .push(Effect::IssueCallback { execution_id: id }),
        }
    }

    /// Merges `values` into the instance's variables.
    pub fn set_variables(&mut self, values: &Map<String, Value>) {
        if !self.instance.variables.is_object() {
            self.instance.variables = Value::Object(Map::new());
        }
        if let Value::Object(vars) = &mut self.instance.variables {
            for (k, v) in values {
                vars.insert(k.clone(), v.clone());
            }
        }
    }
}
