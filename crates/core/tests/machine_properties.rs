//! Property tests of the engine's state machine: random playbooks driven by random command
//! sequences never reach an invalid state, and a refused command changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use orgata_core::engine::definition::{normalize, Known};
use orgata_core::engine::machine::{Definition, Effect, Run};
use orgata_core::model::{
    BusinessRuleBody, ExceptionType, InstanceStatus, PlaybookBody, ProcessInstance, StepStatus,
    TeamSettings,
};
use proptest::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// What a generated step is.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Human,
    SetVariables,
    Wait,
    Callback,
}

#[derive(Debug, Clone, Copy)]
enum Flow {
    Sequential,
    Parallel,
    /// Conditional on `variables.flag` being this.
    When(bool),
}

#[derive(Debug, Clone)]
enum Command {
    Execute(usize, bool),
    Skip(usize),
    Override(usize),
    Retry(usize),
    Fail(usize),
    Breach(usize),
    CompleteByRuntime(usize, bool),
    Decide(usize, bool),
    Pause,
    Resume,
    Cancel,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => Just(Kind::Human),
        1 => Just(Kind::SetVariables),
        1 => Just(Kind::Wait),
        1 => Just(Kind::Callback),
    ]
}

fn flow() -> impl Strategy<Value = Flow> {
    prop_oneof![
        3 => Just(Flow::Sequential),
        2 => Just(Flow::Parallel),
        1 => any::<bool>().prop_map(Flow::When),
    ]
}

fn command(steps: usize) -> impl Strategy<Value = Command> {
    let i = 0..steps;
    prop_oneof![
        8 => (i.clone(), prop::bool::weighted(0.8)).prop_map(|(i, ok)| Command::Execute(i, ok)),
        1 => i.clone().prop_map(Command::Skip),
        1 => i.clone().prop_map(Command::Override),
        2 => i.clone().prop_map(Command::Retry),
        1 => i.clone().prop_map(Command::Fail),
        1 => i.clone().prop_map(Command::Breach),
        2 => (i.clone(), any::<bool>()).prop_map(|(i, ok)| Command::CompleteByRuntime(i, ok)),
        2 => (i.clone(), any::<bool>()).prop_map(|(i, ok)| Command::Decide(i, ok)),
        1 => Just(Command::Pause),
        1 => Just(Command::Resume),
        1 => Just(Command::Cancel),
    ]
}

/// A playbook of up to eight steps, the variables it starts with, and commands to drive it.
fn scenario() -> impl Strategy<Value = (Vec<(Kind, Flow)>, bool, Vec<Command>)> {
    prop::collection::vec((kind(), flow()), 1..8).prop_flat_map(|steps| {
        let n = steps.len();
        (
            Just(steps),
            any::<bool>(),
            prop::collection::vec(command(n), 0..40),
        )
    })
}

const FORM: &str =
    r#"{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}"#;

fn playbook(steps: &[(Kind, Flow)]) -> Option<PlaybookBody> {
    let steps: Vec<Value> = steps
        .iter()
        .enumerate()
        .map(|(i, (kind, flow))| {
            let mut s = json!({"id": format!("s{i}"), "name": format!("Step {i}")});
            match kind {
                Kind::Human => {
                    s["type"] = json!("human");
                    s["form"] = serde_json::from_str(FORM).unwrap();
                }
                Kind::SetVariables => {
                    s["type"] = json!("algorithm");
                    s["automation_config"] = json!({"action": "set_variables", "variables": {"count": "variables.count + 1"}});
                }
                Kind::Wait => {
                    s["type"] = json!("algorithm");
                    s["automation_config"] = json!({"action": "wait", "duration": {"value": 5, "unit": "minutes"}});
                }
                Kind::Callback => {
                    s["type"] = json!("algorithm");
                    s["automation_config"] = json!({"action": "wait_for_callback"});
                }
            }
            match flow {
                Flow::Sequential => s["execution_type"] = json!("sequential"),
                Flow::Parallel => s["execution_type"] = json!("parallel"),
                Flow::When(v) => {
                    s["execution_type"] = json!("conditional");
                    s["condition"] = json!(format!("variables.flag == {v}"));
                }
            }
            if i % 3 == 1 {
                s["due"] = json!({"value": 2, "unit": "hours"});
            }
            s
        })
        .collect();
    let mut body: PlaybookBody =
        serde_json::from_value(json!({"name": "Generated", "steps": steps})).unwrap();
    normalize(&mut body, &Known::default()).ok()?;
    Some(body)
}

fn now() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

fn instance(body: &PlaybookBody, flag: bool) -> ProcessInstance {
    ProcessInstance {
        id: Uuid::now_v7(),
        team_id: Uuid::now_v7(),
        playbook_id: Uuid::now_v7(),
        playbook_version: "c0".into(),
        name: body.name.clone(),
        status: InstanceStatus::NotStarted,
        business_key: None,
        current_step_id: None,
        initiated_by: Uuid::now_v7(),
        variables: json!({"flag": flag, "count": 0}),
        reason: None,
        start_time: None,
        end_time: None,
        started_from: "main".into(),
        trial: false,
        created_at: now(),
        updated_at: now(),
        step_executions: vec![],
    }
}

/// The latest execution of each step, by step id.
fn latest(instance: &ProcessInstance) -> HashMap<&str, &orgata_core::model::StepExecution> {
    let mut map: HashMap<&str, &orgata_core::model::StepExecution> = HashMap::new();
    for e in &instance.step_executions {
        let newer = map
            .get(e.step_id.as_str())
            .is_none_or(|l| l.iteration < e.iteration);
        if newer {
            map.insert(&e.step_id, e);
        }
    }
    map
}

/// Every invariant of a settled instance.
fn check_invariants(body: &PlaybookBody, run: &Run<'_>) -> Result<(), String> {
    let i = &run.instance;
    let latest = latest(i);
    // Every step has executions numbered 1..=n; all but the latest failed.
    for step in &body.steps {
        let mut its: Vec<i64> = i
            .step_executions
            .iter()
            .filter(|e| e.step_id == step.id)
            .map(|e| e.iteration)
            .collect();
        its.sort_unstable();
        if its != (1..=its.len() as i64).collect::<Vec<_>>() || its.is_empty() {
            return Err(format!("step {} has iterations {its:?}", step.id));
        }
        for e in i.step_executions.iter().filter(|e| e.step_id == step.id) {
            if e.iteration < its.len() as i64 && e.status != StepStatus::Failed {
                return Err(format!(
                    "an earlier execution of {} is {:?}",
                    step.id, e.status
                ));
            }
        }
    }
    if i.step_executions.len()
        != i.step_executions
            .iter()
            .map(|e| e.id)
            .collect::<std::collections::HashSet<_>>()
            .len()
    {
        return Err("two executions share an id".into());
    }
    for e in &i.step_executions {
        match e.status {
            StepStatus::Running | StepStatus::AwaitingApproval
                if e.start_time.is_none() || e.end_time.is_some() =>
            {
                return Err(format!(
                    "running {} has times {:?}–{:?}",
                    e.step_id, e.start_time, e.end_time
                ));
            }
            s if (s.is_finished() || s == StepStatus::Failed) && e.end_time.is_none() => {
                return Err(format!("finished {} has no end time", e.step_id));
            }
            _ => {}
        }
    }
    let flag = i.variables["flag"].as_bool().unwrap();
    for step in &body.steps {
        let e = latest[step.id.as_str()];
        // Work only starts once what it depends on has finished.
        if matches!(
            e.status,
            StepStatus::Running | StepStatus::AwaitingApproval | StepStatus::Completed
        ) {
            for d in step.dependencies.as_deref().unwrap_or_default() {
                if !latest[d.as_str()].status.is_finished() {
                    return Err(format!("{} is {:?} before {d} finished", step.id, e.status));
                }
            }
            if let Some(c) = &step.condition {
                if *c != format!("variables.flag == {flag}") {
                    return Err(format!("{} ran although {c} does not hold", step.id));
                }
            }
        }
        // A running instance is settled: nothing ready is left pending.
        if i.status == InstanceStatus::Running && e.status == StepStatus::Pending {
            let ready = step
                .dependencies
                .as_deref()
                .unwrap_or_default()
                .iter()
                .all(|d| latest[d.as_str()].status.is_finished());
            if ready {
                return Err(format!("{} is ready but pending", step.id));
            }
        }
    }
    let all_finished = body
        .steps
        .iter()
        .all(|s| latest[s.id.as_str()].status.is_finished());
    match i.status {
        InstanceStatus::Completed => {
            if !all_finished {
                return Err("completed with unfinished steps".into());
            }
            if i.end_time.is_none() || i.current_step_id.is_some() {
                return Err("a completed instance keeps a current step or lacks an end".into());
            }
        }
        InstanceStatus::Running if all_finished => {
            return Err("every step finished but the instance runs".into())
        }
        InstanceStatus::NotStarted => return Err("not started after start".into()),
        _ => {}
    }
    if matches!(i.status, InstanceStatus::Running | InstanceStatus::Paused) {
        let running = body
            .steps
            .iter()
            .find(|s| {
                matches!(
                    latest[s.id.as_str()].status,
                    StepStatus::Running | StepStatus::AwaitingApproval
                )
            })
            .map(|s| s.id.clone());
        if i.current_step_id != running {
            return Err(format!(
                "current step {:?}, first running {running:?}",
                i.current_step_id
            ));
        }
    }
    // Effects name executions that exist.
    for effect in &run.effects {
        let id = match effect {
            Effect::OpenTask { execution_id }
            | Effect::CompleteTasks { execution_id }
            | Effect::CancelTasks { execution_id }
            | Effect::CancelJobs { execution_id }
            | Effect::IssueCallback { execution_id }
            | Effect::ScheduleJob { execution_id, .. }
            | Effect::RequestApproval { execution_id, .. }
            | Effect::CloseApproval { execution_id, .. } => Some(*execution_id),
            Effect::RaiseException { execution_id, .. } => *execution_id,
            Effect::Event(..) => None,
        };
        if let Some(id) = id {
            if !i.step_executions.iter().any(|e| e.id == id) {
                return Err(format!("an effect names an unknown execution {id}"));
            }
        }
    }
    let completions = run
        .effects
        .iter()
        .filter(|e| matches!(e, Effect::Event("process_instance.completed", ..)))
        .count();
    if completions != usize::from(i.status == InstanceStatus::Completed) {
        return Err(format!(
            "{completions} completion events for a {:?} instance",
            i.status
        ));
    }
    Ok(())
}

fn apply(run: &mut Run<'_>, body: &PlaybookBody, command: &Command) -> orgata_core::Result<()> {
    let step_id = |i: usize| body.steps[i].id.clone();
    let latest_id = |run: &Run<'_>, i: usize| {
        latest(&run.instance)
            .get(body.steps[i].id.as_str())
            .map(|e| e.id)
            .unwrap()
    };
    let output = |ok: bool| {
        if ok {
            json!({"ok": true})
        } else {
            json!({"ok": "yes"})
        }
    };
    match command {
        Command::Execute(i, ok) => run.execute(&step_id(*i), output(*ok)),
        Command::Skip(i) => run.skip(&step_id(*i), "not needed"),
        Command::Override(i) => run.override_output(&step_id(*i), json!({"ok": true}), "by hand"),
        Command::Retry(i) => run.retry(&step_id(*i), Some("again")),
        Command::Fail(i) => {
            let id = latest_id(run, *i);
            run.fail(
                id,
                ExceptionType::ResourceUnavailable,
                "it broke".into(),
                json!({}),
            )
        }
        Command::Breach(i) => {
            let id = latest_id(run, *i);
            run.breach(id).map(|_| ())
        }
        Command::CompleteByRuntime(i, ok) => {
            let id = latest_id(run, *i);
            run.complete_by_runtime(id, output(*ok))
        }
        Command::Decide(i, approved) => run.decide(
            &step_id(*i),
            json!({"approved": approved, "comment": "looked at it"}),
        ),
        Command::Pause => run.pause(Some("hold")),
        Command::Resume => run.resume(None),
        Command::Cancel => run.cancel(Some("stop")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_command_sequences_keep_instances_valid((steps, flag, commands) in scenario()) {
        let Some(body) = playbook(&steps) else {
            // Only playbooks the definition checks accept can run.
            return Ok(());
        };
        let forms: HashMap<String, Value> = body
            .steps
            .iter()
            .filter_map(|s| s.form.clone().map(|f| (s.id.clone(), f)))
            .collect();
        // Outputs of s0 and s2 wait for an approver.
        let rules: Vec<BusinessRuleBody> = vec![serde_json::from_value(json!({
            "name": "Look first", "category": "approval",
            "conditions": {"expression": "output.ok == true", "step_ids": ["s0", "s2"]}
        }))
        .unwrap()];
        let settings = TeamSettings::default();
        let def = Definition { body: &body, forms: &forms, rules: &rules, settings: &settings };
        let mut run = Run::new(def, instance(&body, flag), Some(Uuid::now_v7()), now());
        run.start().unwrap();
        check_invariants(&body, &run).map_err(TestCaseError::fail)?;
        for command in &commands {
            let before = serde_json::to_value(&run.instance).unwrap();
            let effects = run.effects.len();
            let was_final = run.instance.status.is_final();
            let status = run.instance.status;
            match apply(&mut run, &body, command) {
                Ok(()) => {
                    if was_final {
                        prop_assert_eq!(&serde_json::to_value(&run.instance).unwrap(), &before, "{:?} changed a {:?} instance", command, status);
                    }
                }
                Err(_) => {
                    // A refused command changes nothing.
                    prop_assert_eq!(&serde_json::to_value(&run.instance).unwrap(), &before, "{:?} failed but changed the instance", command);
                    prop_assert_eq!(run.effects.len(), effects, "{:?} failed but had effects", command);
                }
            }
            check_invariants(&body, &run)
                .map_err(|e| TestCaseError::fail(format!("after {command:?}: {e}")))?;
        }
    }
}
